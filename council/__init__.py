"""Council: a stakeholder council workflow engine with a GraphQL API.

Smart City councils (Dewan Smart City), their technical teams (Tim Teknis) and
city agencies (OPD) move proposals through a workflow defined as data in
``workflows/*.yaml``; see ``docs/DESIGN.md`` for the domain.
"""

__version__ = "0.1.0"
