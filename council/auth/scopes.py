"""OAuth scopes and which roles may hold them (DESIGN.md, "Security model").

A token's scopes are never wider than :func:`scopes_for_roles` of its holder.
"""

from __future__ import annotations

from collections.abc import Iterable

from council.enums import Role

PROPOSALS_READ = "proposals:read"
PROPOSALS_WRITE = "proposals:write"
REVIEWS_WRITE = "reviews:write"
VOTES_WRITE = "votes:write"
IMPLEMENTATION_WRITE = "implementation:write"
ADMIN = "admin"

ALL_SCOPES: tuple[str, ...] = (
    PROPOSALS_READ,
    PROPOSALS_WRITE,
    REVIEWS_WRITE,
    VOTES_WRITE,
    IMPLEMENTATION_WRITE,
    ADMIN,
)

ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.OPD_OFFICER: frozenset({PROPOSALS_READ, PROPOSALS_WRITE, IMPLEMENTATION_WRITE}),
    Role.OPD_HEAD: frozenset({PROPOSALS_READ, PROPOSALS_WRITE, IMPLEMENTATION_WRITE}),
    Role.TECHNICAL_TEAM: frozenset({PROPOSALS_READ, REVIEWS_WRITE}),
    Role.UNIVERSITY_REVIEWER: frozenset({PROPOSALS_READ, REVIEWS_WRITE}),
    Role.COUNCIL_MEMBER: frozenset({PROPOSALS_READ, VOTES_WRITE}),
    Role.COUNCIL_CHAIR: frozenset({PROPOSALS_READ, VOTES_WRITE}),
    Role.ADMIN: frozenset(ALL_SCOPES),
}


def scopes_for_roles(roles: Iterable[str]) -> frozenset[str]:
    """The widest set of scopes a holder of ``roles`` may be granted."""
    granted: set[str] = set()
    for r in roles:
        try:
            granted |= ROLE_SCOPES[Role(r)]
        except ValueError:
            continue
    return frozenset(granted)
