"""The checked-in ``graphql/schema.graphql`` is the schema the code serves, and keeps the contract.

The contract is DESIGN.md, "The API contract": names there are fixed (add
freely, never rename).
"""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

import pytest

from council.api.schema import schema_sdl
from council.settings import PROJECT_ROOT
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

CHECKED_IN = PROJECT_ROOT / "graphql" / "schema.graphql"
FIX = "graphql/schema.graphql is out of date: run `council export-schema` and commit the result"


@pytest.fixture(autouse=True)
def pekanbaru() -> None:
    """No database here: override conftest's per-test reseeding."""


def _diff(expected: str, actual: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "checked in", "from code", lineterm="")
    return "\n".join(list(lines)[:80])


def test_checked_in_schema_matches_the_code():
    checked_in = CHECKED_IN.read_text(encoding="utf-8")
    generated = schema_sdl()
    assert checked_in == generated, f"{FIX}\n{_diff(checked_in, generated)}"


def test_export_schema_command_writes_the_same_text(tmp_path: Path):
    output = tmp_path / "schema.graphql"
    council = Path(sys.executable).with_name("council")
    result = subprocess.run(
        [str(council), "export-schema", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = output.read_text(encoding="utf-8")
    assert written == schema_sdl()
    assert written == CHECKED_IN.read_text(encoding="utf-8"), FIX


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(CHECKED_IN.read_text(encoding="utf-8"))


# (field name, printed type, {argument: printed type})
QUERIES = [
    ("viewer", "Member", {}),
    ("node", "Node", {"id": "ID!"}),
    ("proposals", "ProposalConnection!", {"first": "Int", "after": "String", "filter": "ProposalFilter"}),
    ("proposal", "Proposal", {"id": "ID!"}),
    ("organizations", "[Organization!]!", {"kind": "OrganizationKind"}),
    ("pillars", "[PillarInfo!]!", {"programmeId": "ID"}),
    ("programmes", "[Programme!]!", {}),
    ("programme", "Programme", {"id": "ID"}),
    ("workflow", "Workflow", {"name": "String!"}),
]

# mutation -> (input fields, payload fields besides errors)
MUTATIONS = {
    "createProposal": ({"title", "summary", "pillar", "budget", "programmeId"}, {"proposal"}),
    "updateProposal": ({"proposalId", "title", "summary", "pillar", "budget"}, {"proposal"}),
    "transitionProposal": ({"proposalId", "trigger", "comment"}, {"proposal"}),
    "submitReview": ({"proposalId", "recommendation", "scores", "comment"}, {"review", "proposal"}),
    "castVote": ({"proposalId", "choice"}, {"ballot"}),
    "reportProgress": ({"proposalId", "percent", "note"}, {"proposal"}),
    "defineKpi": ({"proposalId", "name", "unit", "baseline", "target", "direction"}, {"kpi", "proposal"}),
    "recordMeasurement": ({"kpiId", "period", "value", "note"}, {"kpi", "proposal"}),
    "reportSpending": ({"proposalId", "amount", "period", "note"}, {"proposal"}),
}

ENUMS = {
    "PhaseStatus": {"PLANNED", "ACTIVE", "DONE"},
    "OrganizationKind": {"OPD", "UNIVERSITY", "COUNCIL", "TECHNICAL_TEAM", "MINISTRY"},
    "Role": {
        "OPD_OFFICER",
        "OPD_HEAD",
        "TECHNICAL_TEAM",
        "UNIVERSITY_REVIEWER",
        "COUNCIL_MEMBER",
        "COUNCIL_CHAIR",
        "ADMIN",
    },
    "Recommendation": {"APPROVE", "REVISE", "REJECT"},
    "KpiDirection": {"UP", "DOWN"},
    "VoteChoice": {"YES", "NO", "ABSTAIN"},
    "ErrorCode": {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "INVALID_INPUT",
        "INVALID_TRANSITION",
        "GUARD_FAILED",
        "CONFLICT",
        "VOTING_CLOSED",
        "CONFLICT_OF_INTEREST",
    },
}

OBJECTS = {
    "Organization": {"id", "code", "name", "kind"},
    "Member": {"id", "username", "displayName", "organization", "roles"},
    "Proposal": {
        "id",
        "title",
        "summary",
        "pillar",
        "programme",
        "budget",
        "state",
        "organization",
        "author",
        "createdAt",
        "updatedAt",
        "workflowName",
        "workflowVersion",
        "availableTransitions",
        "reviews",
        "ballot",
        "history",
        "progress",
        "kpis",
        "spending",
        "budgetApproved",
        "budgetRealised",
    },
    "Review": {"id", "reviewer", "recommendation", "scores", "comment", "createdAt"},
    "Scores": {"feasibility", "impact", "costEffectiveness", "alignment"},
    "Ballot": {"id", "opensAt", "closesAt", "eligibleCount", "quorum", "tally", "myVote", "closed", "result"},
    "Tally": {"yes", "no", "abstain"},
    "AuditEvent": {"id", "at", "actor", "action", "trigger", "fromState", "toState", "comment", "hash", "prevHash"},
    "PillarInfo": {"code", "label"},
    "Programme": {"id", "name", "year", "city", "phases", "currentPhase", "pillars", "progress", "pillarProgress"},
    "Kpi": {"id", "name", "unit", "baseline", "target", "direction", "measurements", "latest", "achievementPercent"},
    "KpiMeasurement": {"period", "value", "note", "recordedAt"},
    "SpendingReport": {"id", "amount", "period", "note", "createdAt"},
    "PillarProgress": {"pillar", "quickWins", "completed", "progressPercent", "budgetApproved", "budgetRealised"},
    "ProgrammePhase": {"code", "name", "startsOn", "endsOn", "status"},
    "ProposalConnection": {"edges", "pageInfo", "totalCount"},
    "ProposalEdge": {"cursor", "node"},
    "UserError": {"code", "field", "message"},
}

NODES = ("Organization", "Member", "Proposal", "Review", "Ballot", "AuditEvent")


@pytest.mark.parametrize(("name", "type_", "args"), QUERIES, ids=[q[0] for q in QUERIES])
def test_contract_queries(schema: GraphQLSchema, name: str, type_: str, args: dict[str, str]):
    field = schema.query_type.fields.get(name)
    assert field is not None, f"Query.{name} is missing"
    assert str(field.type) == type_
    for arg, arg_type in args.items():
        assert arg in field.args, f"Query.{name}({arg}) is missing"
        assert str(field.args[arg].type) == arg_type, (name, arg)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_contract_mutations(schema: GraphQLSchema, name: str):
    inputs, outputs = MUTATIONS[name]
    field = schema.mutation_type.fields.get(name)
    assert field is not None, f"Mutation.{name} is missing"
    assert list(field.args) == ["input"], f"Mutation.{name} takes one argument, input"
    input_type = field.args["input"].type.of_type
    assert isinstance(input_type, GraphQLInputObjectType)
    assert inputs <= set(input_type.fields), inputs - set(input_type.fields)
    payload = field.type.of_type
    assert isinstance(payload, GraphQLObjectType)
    assert outputs <= set(payload.fields), outputs - set(payload.fields)
    assert str(payload.fields["errors"].type) == "[UserError!]!"


@pytest.mark.parametrize("name", sorted(ENUMS))
def test_contract_enums(schema: GraphQLSchema, name: str):
    enum = schema.get_type(name)
    assert isinstance(enum, GraphQLEnumType), name
    assert ENUMS[name] <= set(enum.values), ENUMS[name] - set(enum.values)


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_contract_types(schema: GraphQLSchema, name: str):
    type_ = schema.get_type(name)
    assert isinstance(type_, GraphQLObjectType), name
    assert OBJECTS[name] <= set(type_.fields), OBJECTS[name] - set(type_.fields)


def test_contract_details(schema: GraphQLSchema):
    node = schema.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    for name in NODES:
        assert node in schema.get_type(name).interfaces, f"{name} does not implement Node"
    filter_type = schema.get_type("ProposalFilter")
    assert isinstance(filter_type, GraphQLInputObjectType)
    assert {"pillar", "state", "organizationId", "search"} <= set(filter_type.fields)
    proposal = schema.get_type("Proposal")
    assert str(proposal.fields["availableTransitions"].type) == "[String!]!"
    assert str(proposal.fields["state"].type) == "String!"
    assert str(schema.get_type("UserError").fields["code"].type) == "ErrorCode!"
    transition_input = schema.get_type("TransitionProposalInput")
    assert str(transition_input.fields["trigger"].type) == "String!"
    assert str(schema.get_type("PillarInfo").fields["label"].type) == "String!"
    assert str(schema.get_type("PillarInfo").fields["code"].type) == "String!"
    assert str(proposal.fields["pillar"].type) == "PillarInfo!"
    assert str(proposal.fields["programme"].type) == "Programme!"
    assert str(filter_type.fields["pillar"].type) == "String"
    assert str(schema.get_type("CreateProposalInput").fields["pillar"].type) == "String!"
    assert str(schema.get_type("UpdateProposalInput").fields["pillar"].type) == "String"
    assert schema.get_type("Pillar") is None, "the Pillar enum went with issue 12: pillars are data"
