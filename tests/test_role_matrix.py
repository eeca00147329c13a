"""Roles × operations × scopes over GraphQL, generated from the contract, the policy and the workflow file.

Issue 3, item 5: every GraphQL operation checks scopes and roles in one place
(``council.auth.policy.denial`` against a ``Rule``), and this module walks the
whole matrix without writing it out by hand:

1. *Contract coverage*: every ``Mutation`` field of ``graphql/schema.graphql``
   is governed by a rule source (a key of ``policy.OPERATIONS``, the workflow
   transitions for ``transitionProposal``, the workflow vote rule for
   ``castVote``) or is listed in :data:`NOT_ABOUT_PROPOSALS` with a reason; every
   ``Query`` field either reads proposals through the visibility rule or is
   listed in :data:`PUBLIC_QUERIES` with a reason.
2. *The matrix*: the operations are the ``OPERATIONS`` entries, ``castVote``
   and every trigger of the default workflow; the callers are a seeded member
   per :class:`~council.enums.Role` (taken from the seed file, of the owner OPD
   when it has one), an OPD officer of another OPD (for ``owner_only``) and an
   anonymous caller; the tokens carry every scope the member's roles allow, or
   the same minus the operation's rule scope (``no_scope``; left out when the
   member's roles do not allow that scope anyway, as it would be the same
   token). The expected answer is computed twice, from first principles (seed
   file, workflow file, ``ROLE_SCOPES``) at collection and from the policy
   (``denial``, ``can_read_proposal`` on the principal the server derives from
   the token and the proposal row) in the test, and the two must agree; then
   the API must answer exactly that. Refusals change nothing (state, version,
   history, reviews, progress, ballot).
3. *Reads*: for every caller, with and without ``proposals:read``, which
   proposals ``proposals``, ``proposal(id)`` and ``node(id)`` show, for a
   proposal in every state of the workflow (the initial state twice: never
   submitted, and sent back for revision).

Order of the checks (as the services do it): an operation whose rule does not
depend on the proposal (``OPERATIONS``) checks the rule first without the
owner, then whether the caller may read the proposal (NOT_FOUND hides that it
exists), then the owner; ``transitionProposal`` and ``castVote`` take their
rule from the proposal's workflow and state, so they read the proposal first.

Refusals share one proposal per state (the database is seeded once for the
module); an allowed call gets a fresh proposal driven there by
``tests/paths.py``.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import reseed
from paths import (
    CAST_VOTE,
    CREATE_PROPOSAL,
    ORG_KINDS,
    OTHER_OPD_OFFICER,
    OWNER_ORG,
    PEOPLE,
    REPORT_PROGRESS,
    SCORES,
    SUBMIT_REVIEW,
    TECH_REVIEWER,
    TRANSITION_PROPOSAL,
    Paths,
    members_with,
    person,
    representative,
)

from council.api.ids import from_global_id
from council.api.schema import schema_sdl
from council.auth import policy
from council.auth.principal import ANONYMOUS as ANONYMOUS_PRINCIPAL
from council.auth.principal import Principal
from council.auth.scopes import PROPOSALS_READ, ROLE_SCOPES
from council.enums import OrganizationKind, Role
from council.errors import ErrorCode
from council.oauth2.backend import principal_from_authorization
from council.organizations.models import Organization
from council.proposals.models import Proposal
from council.settings import PROJECT_ROOT
from council.workflow import permissions
from council.workflow.registry import get_registry
from graphql import build_schema

DEFINITION = get_registry().default()
INITIAL = DEFINITION.initial
REVIEW_STATE = next(s.name for s in DEFINITION.states.values() if s.reviewable)
PUBLIC_STATES = frozenset(s.name for s in DEFINITION.states.values() if s.public)

CONTRACT = build_schema((PROJECT_ROOT / "graphql" / "schema.graphql").read_text(encoding="utf-8"))

# --- rule sources of the contract ------------------------------------------------------------

WORKFLOW_MUTATIONS = {
    "transitionProposal": "each transition's roles, scope and owner_only in workflows/*.yaml (policy.transition_rule)",
    "castVote": "the vote of the voting state in workflows/*.yaml (policy.vote_rule)",
}
NOT_ABOUT_PROPOSALS: dict[str, str] = {
    # "mutationName": "why it needs no proposal rule (and where it is checked instead)",
    # Sign-in, tokens, clients and keys (issue 3) are HTTP endpoints and CLI commands, not GraphQL.
    "signCommitment": "the commitment's required signatories and a recent password, tested in tests/test_commitment.py",
    "updateNotificationPreferences": "the signed-in member's own preferences, nobody else's (issue 15): "
    "tests/test_mail.py (anonymous refused, privacy)",
}
OTHER_SUBJECTS: dict[str, str] = {
    # "operationName": "its subject (not a proposal) and the test that walks its OPERATIONS rule role by role",
    "addMasterPlanVersion": "the master plan (issue 12): tests/test_master_plan.py",
    "commentOnMasterPlan": "the master plan (issue 12): tests/test_master_plan.py",
    "finalizeMasterPlan": "the master plan (issue 12): tests/test_master_plan.py",
    "createCommitment": "the joint commitment (issue 12): tests/test_commitment.py",
    "recordMeasurement": "a KPI of a proposal (issue 13): tests/test_kpis.py (owner, other OPD, team, no scope)",
    "createWebhookEndpoint": "an organisation's webhook endpoint (issue 15): tests/test_webhooks.py",
    "disableWebhookEndpoint": "an organisation's webhook endpoint (issue 15): tests/test_webhooks.py",
    "assignReviewers": "a proposal's review assignments (issue 15): tests/test_assignments.py (team, reviewer, "
    "council, OPD, anonymous); a repeated assignment is refused, which the matrix's repeated calls would hit",
    "declineAssignment": "a review assignment (issue 15): tests/test_assignments.py (the assignee, another reviewer)",
}
"""Operations of ``policy.OPERATIONS`` whose subject is not a proposal: governed by their rule, left out of the
proposal matrix below (which drives a proposal to the state each operation needs)."""
HTTP_OPERATIONS: dict[str, str] = {
    # "operationName": "its HTTP endpoint and the test that walks its OPERATIONS rule role by role",
    "uploadEvidence": "POST /uploads (issue 13): tests/test_uploads.py::test_only_the_owning_opd_uploads",
}
"""Operations of ``policy.OPERATIONS`` served over plain HTTP, not GraphQL: no mutation in the contract."""
PROPOSAL_QUERIES = {
    "proposals": "policy.proposal_visibility",
    "proposal": "policy.can_read_proposal",
    "node": "policy.can_read_proposal for a proposal and for what hangs off one",
}
PUBLIC_QUERIES = {
    "viewer": "the caller's own member record, null when anonymous",
    "organizations": "the programme's organisations are public",
    "reviewers": "whom a review may be assigned to: only for those who may assignReviewers, empty for anyone else "
    "(tests/test_assignments.py)",
    "pillars": "a programme's pillars are public",
    "programmes": "the city's programmes, their phases and pillars are public",
    "programme": "one programme, as programmes: public",
    "masterPlan": "the master plan, its versions and programmes are public (comments: signed-in members only)",
    "workflow": "workflow definitions are public (they are the rules themselves)",
    "commitment": "a programme's commitment, its hash and who signed when are public (tests/test_commitment.py)",
}

# Who may read a submitted proposal that is not public: DESIGN.md "The people" (first principles).
STAFF = frozenset({"technical_team", "university_reviewer", "council_member", "council_chair", "admin"})

ANONYMOUS = "anonymous"
OTHER_OPD = "other_opd_officer"
ALL_SCOPES, NO_SCOPE, NO_TOKEN, NO_READ = "all_scopes", "no_scope", "no_token", "no_read"
ACTORS = [*(r.value for r in Role), OTHER_OPD]


def role_actor(role: str) -> str:
    """A seeded member holding ``role`` (and no other role when the seed has one), of the owner OPD if it has one."""
    if any(role in p.roles and p.organization == OWNER_ORG for p in PEOPLE):
        return representative(role, org=OWNER_ORG)
    return representative(role)


def username_of(actor: str) -> str | None:
    if actor == ANONYMOUS:
        return None
    return OTHER_OPD_OFFICER if actor == OTHER_OPD else role_actor(actor)


def role_scopes(roles: frozenset[str]) -> frozenset[str]:
    """What a holder of ``roles`` may be granted, straight from ``ROLE_SCOPES``."""
    return frozenset().union(*(ROLE_SCOPES[Role(r)] for r in roles))


# --- how this module calls each operation (not who may: that comes from the rules) -----------

UPDATE_PROPOSAL = """
mutation Update($input: UpdateProposalInput!) {
  updateProposal(input: $input) { proposal { id version } errors { code field message } }
}"""
DEFINE_KPI = """
mutation DefineKpi($input: DefineKpiInput!) {
  defineKpi(input: $input) { kpi { id } errors { code field message } }
}"""
REPORT_SPENDING = """
mutation Spend($input: ReportSpendingInput!) {
  reportSpending(input: $input) { proposal { id } errors { code field message } }
}"""
MILESTONE_PAYLOAD = "{ milestone { id status } errors { code field message } }"
ADD_MILESTONE = "mutation($input: AddMilestoneInput!) { addMilestone(input: $input) %s }" % MILESTONE_PAYLOAD
UPDATE_MILESTONE = "mutation($input: UpdateMilestoneInput!) { updateMilestone(input: $input) %s }" % MILESTONE_PAYLOAD
COMPLETE_MILESTONE = (
    "mutation($input: CompleteMilestoneInput!) { completeMilestone(input: $input) %s }" % MILESTONE_PAYLOAD
)
REOPEN_MILESTONE = "mutation($input: ReopenMilestoneInput!) { reopenMilestone(input: $input) %s }" % MILESTONE_PAYLOAD


ASSIGNED = "query($id: ID!) { proposal(id: $id) { assignments { reviewer { username } } } }"


async def every_reviewer_assigned(p: Paths, pid: str) -> dict[str, Any]:
    """Under an assigned-only review (quick-win version 2), every seeded reviewer assigned to ``pid``: no input."""
    if p.assigned_only():
        assigned = (await p.call(ASSIGNED, {"id": pid}, TECH_REVIEWER))["proposal"]["assignments"]
        done = {a["reviewer"]["username"] for a in assigned if a["reviewer"]}
        reviewers = members_with(Role.UNIVERSITY_REVIEWER.value) + members_with(Role.TECHNICAL_TEAM.value)
        todo = [r.username for r in reviewers if r.username not in done]
        if todo:
            await p.assign(pid, todo)
    return {}


async def a_milestone(p: Paths, pid: str, *, done: bool = False) -> dict[str, Any]:
    """A milestone on ``pid`` planned (and completed if ``done``) by the owner OPD: ``{"milestoneId": id}``."""
    added = p.ok(
        await p.mutate(
            ADD_MILESTONE, "addMilestone", {"proposalId": pid, "title": "Tahap", "dueOn": "2030-01-31"}, p.officer
        )
    )
    mid = added["milestone"]["id"]
    if done:
        p.ok(await p.mutate(COMPLETE_MILESTONE, "completeMilestone", {"milestoneId": mid}, p.officer))
    return {"milestoneId": mid}


async def a_done_milestone(p: Paths, pid: str) -> dict[str, Any]:
    return await a_milestone(p, pid, done=True)


def last_action(name: str) -> Callable[[dict[str, Any], dict[str, Any]], bool]:
    return lambda before, after: after["history"][-1]["action"] == name


DECLARE_CONFLICT = """
mutation Declare($input: DeclareConflictInput!) {
  declareConflict(input: $input) { recusal { __typename } errors { code field message } }
}"""


@dataclass(frozen=True)
class Call:
    """How to call an operation.

    ``state_flag``: the workflow state flag that makes it possible (None: it
    acts on no existing proposal); ``variables(pid, n)``: valid input;
    ``changed(before, after)``: what an allowed call did to the proposal's
    snapshot (:data:`paths.SNAPSHOT`), besides one more audit event;
    ``setup(p, pid)``: what must exist first (a milestone), done as the owner
    OPD before the snapshot, and the input it adds.
    """

    state_flag: str | None
    document: str
    variables: Callable[[str | None, int], dict[str, Any]]
    changed: Callable[[dict[str, Any], dict[str, Any]], bool]
    setup: Callable[[Paths, str], Awaitable[dict[str, Any]]] | None = None


def _ballot(snap: dict[str, Any], key: str) -> Any:
    return snap["ballot"][key] if key != "yes" else snap["ballot"]["tally"]["yes"]


CALLS: dict[str, Call] = {
    "createProposal": Call(
        None,
        CREATE_PROPOSAL,
        lambda pid, n: {
            "title": f"Usulan matriks peran {n}",
            "summary": "Ringkasan uji peran.",
            "pillar": "smart_living",
            "budget": "250000000",
        },
        lambda before, after: True,
    ),
    "updateProposal": Call(
        "editable",
        UPDATE_PROPOSAL,
        lambda pid, n: {"proposalId": pid, "summary": f"Ringkasan diperbarui {n}."},
        lambda before, after: after["version"] == before["version"] + 1,
    ),
    "submitReview": Call(
        "reviewable",
        SUBMIT_REVIEW,
        lambda pid, n: {"proposalId": pid, "recommendation": "APPROVE", "scores": SCORES, "comment": "Layak."},
        lambda before, after: len(after["reviews"]) == len(before["reviews"]) + 1,
        setup=every_reviewer_assigned,
    ),
    "reportProgress": Call(
        "progress",
        REPORT_PROGRESS,
        lambda pid, n: {"proposalId": pid, "percent": 50, "note": "Separuh jalan."},
        lambda before, after: after["progressPercent"] == 50,
    ),
    # issue 13: what an approved quick win achieves and costs
    "defineKpi": Call(
        "progress",
        DEFINE_KPI,
        lambda pid, n: {
            "proposalId": pid,
            "name": f"KPI matriks {n}",
            "unit": "persen",
            "baseline": 0.0,
            "target": 100.0,
            "direction": "UP",
        },
        lambda before, after: after["history"][-1]["action"] == "kpi_defined",
    ),
    "reportSpending": Call(
        "progress",
        REPORT_SPENDING,
        lambda pid, n: {"proposalId": pid, "amount": "1000000", "period": "2019", "note": "Belanja."},
        lambda before, after: after["history"][-1]["action"] == "spending",
    ),
    "castVote": Call(
        "vote",
        CAST_VOTE,
        lambda pid, n: {"proposalId": pid, "choice": "YES"},
        lambda before, after: _ballot(after, "yes") == _ballot(before, "yes") + 1,
    ),
    # issue 13: milestones of a quick win (planned, updated, completed by the owner OPD; reopened by the technical team)
    "addMilestone": Call(
        "progress",
        ADD_MILESTONE,
        lambda pid, n: {"proposalId": pid, "title": f"Tahap {n}", "dueOn": "2030-06-30", "weight": 2},
        lambda before, after: after["progressPercent"] == 0 and last_action("milestone_added")(before, after),
    ),
    "updateMilestone": Call(
        "progress",
        UPDATE_MILESTONE,
        lambda pid, n: {"title": f"Tahap diubah {n}", "status": "IN_PROGRESS"},
        last_action("milestone_updated"),
        setup=a_milestone,
    ),
    "completeMilestone": Call(
        "progress",
        COMPLETE_MILESTONE,
        lambda pid, n: {"note": f"Selesai {n}."},
        lambda before, after: after["progressPercent"] == 100 and last_action("milestone_completed")(before, after),
        setup=a_milestone,
    ),
    "reopenMilestone": Call(
        "progress",
        REOPEN_MILESTONE,
        lambda pid, n: {"reason": f"Belum tuntas {n}."},
        lambda before, after: after["progressPercent"] == 0 and last_action("milestone_reopened")(before, after),
        setup=a_done_milestone,
    ),
    # issue 4 (a council member's declared conflict of interest), when policy.OPERATIONS has it
    "declareConflict": Call(
        "vote",
        DECLARE_CONFLICT,
        lambda pid, n: {"proposalId": pid, "reason": "Kerabat saya bekerja di OPD pengusul."},
        lambda before, after: _ballot(after, "eligibleCount") == _ballot(before, "eligibleCount") - 1,
    ),
}
TRANSITION = Call(
    None,
    TRANSITION_PROPOSAL,
    lambda pid, n: {"proposalId": pid, "comment": "Alasan pengujian."},
    lambda before, after: after["version"] == before["version"] + 1,
)


# --- operations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """A write operation: a mutation (and for transitions a trigger) in the state where it is possible."""

    name: str
    mutation: str
    state: str | None
    trigger: str | None = None

    @property
    def rules(self) -> tuple[policy.Rule, ...]:
        """The rules that may allow it (several transitions may share a trigger and source)."""
        if self.name in policy.OPERATIONS:
            return (policy.OPERATIONS[self.name],)
        if self.mutation == "castVote":
            return (permissions.vote_rule(DEFINITION.state(self.state).vote),)
        return tuple(permissions.transition_rule(t) for t in self.specs)

    @property
    def specs(self) -> list[Any]:
        return [t for t in DEFINITION.transitions if t.trigger == self.trigger and self.state in t.sources]

    @property
    def scope(self) -> str:
        scopes = {r.scope for r in self.rules}
        assert len(scopes) == 1, f"{self.name}: rules with different scopes are not covered here"
        return scopes.pop()

    @property
    def call(self) -> Call:
        return TRANSITION if self.trigger else CALLS[self.name]

    @property
    def reads_first(self) -> bool:
        """Whether the service reads the proposal before checking the rule (the rule comes from it)."""
        return self.name not in policy.OPERATIONS


def state_with(flag: str | None) -> str | None:
    """The first state of the workflow whose ``flag`` is set (None for None)."""
    return None if flag is None else next(s.name for s in DEFINITION.states.values() if getattr(s, flag))


def operations() -> list[Op]:
    """The OPERATIONS entries this module knows how to call, castVote, and every trigger of the workflow."""
    ops = [Op(name, name, state_with(CALLS[name].state_flag)) for name in policy.OPERATIONS if name in CALLS]
    ops.append(Op("castVote", "castVote", state_with(CALLS["castVote"].state_flag)))
    for trigger in DEFINITION.triggers:
        first = next(t for t in DEFINITION.transitions if t.trigger == trigger)
        ops.append(Op(f"transitionProposal.{trigger}", "transitionProposal", first.sources[0], trigger))
    return ops


OPS = operations()


def route_states(state: str, *, revised: bool = False) -> list[str]:
    """The states a proposal driven to ``state`` by ``Paths`` has been in (``revised``: sent back to draft)."""
    p = Paths(None, None)
    if revised:
        back = next(t for t in DEFINITION.transitions if t.dest == INITIAL)
        chain = p.route(INITIAL, back.sources[0]) + [back]
    else:
        chain = p.route(INITIAL, state)
    return [INITIAL, *(t.dest for t in chain)]


# --- the expected answer from first principles (seed file, workflow file, ROLE_SCOPES) ---------


def token_scopes(actor: str, variant: str, scope: str | None) -> list[str] | None:
    """The scopes asked for in the token (None: no token)."""
    username = username_of(actor)
    if username is None:
        return None
    granted = role_scopes(person(username).roles)
    if variant == NO_SCOPE:
        granted -= {scope}
    elif variant == NO_READ:
        granted -= {PROPOSALS_READ}
    return sorted(granted)


def sees(actor: str, scopes: list[str] | None, visited: list[str]) -> bool:
    """Whether the caller may read a proposal of the owner OPD that has been in ``visited`` states."""
    if PUBLIC_STATES & set(visited):
        return True
    if scopes is None or PROPOSALS_READ not in scopes:
        return False
    member = person(username_of(actor))
    return member.organization == OWNER_ORG or (REVIEW_STATE in visited and bool(member.roles & STAFF))


def first_principles(op: Op, actor: str, variant: str) -> str | None:
    """The error code the API should answer, or None when the call is allowed."""
    scopes = token_scopes(actor, variant, op.scope)
    member = None if scopes is None else person(username_of(actor))

    def refused(rule: policy.Rule, with_owner: bool) -> str | None:
        if member is None:
            return ErrorCode.UNAUTHENTICATED.value
        if rule.scope not in scopes or not member.roles & rule.roles:
            return ErrorCode.FORBIDDEN.value
        if with_owner and rule.owner_only and member.organization != OWNER_ORG:
            return ErrorCode.FORBIDDEN.value
        return None

    def by_rules(with_owner: bool) -> str | None:
        codes = [refused(rule, with_owner) for rule in op.rules]
        return None if None in codes else codes[0]

    if not op.reads_first and (code := by_rules(False)):
        return code
    if op.state is not None and not sees(actor, scopes, route_states(op.state)):
        return ErrorCode.NOT_FOUND.value
    if code := by_rules(True):
        return code
    assert member is not None
    if op.name == "createProposal" and ORG_KINDS[member.organization] != OrganizationKind.OPD.value:
        return ErrorCode.FORBIDDEN.value
    if op.mutation == "castVote" and member.organization == OWNER_ORG:
        return ErrorCode.CONFLICT_OF_INTEREST.value
    return None


# --- the expected answer from the policy, on the principal the server derives from the token -----


async def principal_for(bearer: str | None) -> Principal:
    return ANONYMOUS_PRINCIPAL if bearer is None else await principal_from_authorization(f"Bearer {bearer}")


def facts(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "organization_id": row["organization_id"],
        "review_round": row["review_round"],
        "published": row["published_at"] is not None,
    }


async def by_policy(op: Op, principal: Principal, row: dict[str, Any] | None) -> str | None:
    """The error code from ``policy.denial`` and ``policy.can_read_proposal``, in the services' order."""

    def denied(owner: int | None) -> str | None:
        errors = [policy.denial(principal, rule, owner) for rule in op.rules]
        return None if None in errors else errors[0].code.value

    if not op.reads_first and (code := denied(None)):
        return code
    if row is not None and not policy.can_read_proposal(principal, **facts(row)):
        return ErrorCode.NOT_FOUND.value
    owner = row["organization_id"] if row is not None else None
    if code := denied(owner):
        return code
    if op.name == "createProposal":
        kind = await Organization.filter(id=principal.organization_id).first().values_list("kind", flat=True)
        if str(kind) != OrganizationKind.OPD.value:
            return ErrorCode.FORBIDDEN.value
    if op.mutation == "castVote" and principal.organization_id == owner:
        return ErrorCode.CONFLICT_OF_INTEREST.value
    return None


# --- the generated cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    op: Op
    actor: str
    variant: str

    @property
    def id(self) -> str:
        return f"{self.op.name}-{self.actor}-{self.variant}"

    @property
    def expected(self) -> str | None:
        return first_principles(self.op, self.actor, self.variant)


def matrix_cases() -> list[Case]:
    cases = []
    for op in OPS:
        cases.append(Case(op, ANONYMOUS, NO_TOKEN))
        for actor in ACTORS:
            cases.append(Case(op, actor, ALL_SCOPES))
            if op.scope in role_scopes(person(username_of(actor)).roles):
                cases.append(Case(op, actor, NO_SCOPE))
    return cases


CASES = matrix_cases()
ALLOWED = [pytest.param(c, id=c.id) for c in CASES if c.expected is None]
REFUSED = [pytest.param(c, id=c.id) for c in CASES if c.expected is not None]


@dataclass(frozen=True)
class Instance:
    """A proposal of the owner OPD in ``state``; ``revised``: sent back to the initial state for revision."""

    state: str
    revised: bool = False

    @property
    def label(self) -> str:
        if self.state != INITIAL:
            return self.state
        return f"{self.state}(revised)" if self.revised else f"{self.state}(new)"

    @property
    def visited(self) -> list[str]:
        return route_states(self.state, revised=self.revised)

    async def make(self, p: Paths) -> str:
        return await p.revised_draft() if self.revised else await p.at(self.state)


READ_INSTANCES = [
    Instance(INITIAL),
    Instance(INITIAL, revised=True),
    *(Instance(s) for s in DEFINITION.states if s != INITIAL),
]
READERS = [
    pytest.param(actor, variant, id=f"{actor}-{variant}")
    for actor, variant in [(ANONYMOUS, NO_TOKEN), *((a, v) for a in ACTORS for v in (ALL_SCOPES, NO_READ))]
]


# --- 1. contract coverage --------------------------------------------------------------------


def test_every_mutation_of_the_contract_is_governed_by_a_rule() -> None:
    mutations = set(CONTRACT.mutation_type.fields)
    assert set(HTTP_OPERATIONS) <= set(policy.OPERATIONS), "stale entries in HTTP_OPERATIONS"
    governed = (set(policy.OPERATIONS) - set(HTTP_OPERATIONS)) | set(WORKFLOW_MUTATIONS)
    ungoverned = mutations - governed - set(NOT_ABOUT_PROPOSALS)
    assert not ungoverned, (
        f"mutations without a rule in council.auth.policy (or a reason in NOT_ABOUT_PROPOSALS): {ungoverned}"
    )
    assert governed <= mutations, f"rules for mutations the contract does not have: {governed - mutations}"
    assert set(NOT_ABOUT_PROPOSALS) <= mutations, "stale entries in NOT_ABOUT_PROPOSALS"
    assert not governed & set(NOT_ABOUT_PROPOSALS)
    # the schema the code serves has the same mutations as the checked-in contract
    assert set(build_schema(schema_sdl()).mutation_type.fields) == mutations


def test_every_query_field_is_public_or_reads_through_the_visibility_rule() -> None:
    queries = set(CONTRACT.query_type.fields)
    assert queries == set(PROPOSAL_QUERIES) | set(PUBLIC_QUERIES), (
        "a new Query field: say in PROPOSAL_QUERIES (and test it below) or PUBLIC_QUERIES why it may be read"
    )
    assert not set(PROPOSAL_QUERIES) & set(PUBLIC_QUERIES)


def test_the_matrix_covers_every_operation_role_and_scope() -> None:
    """A guard against an empty or lopsided generation."""
    governed = {m for m in CONTRACT.mutation_type.fields if m not in NOT_ABOUT_PROPOSALS and m not in OTHER_SUBJECTS}
    assert {c.op.mutation for c in CASES} == governed
    assert set(OTHER_SUBJECTS) <= set(policy.OPERATIONS), "stale entries in OTHER_SUBJECTS"
    missing = set(policy.OPERATIONS) - set(CALLS) - set(OTHER_SUBJECTS) - set(HTTP_OPERATIONS)
    assert not missing, f"say in CALLS how to call {missing} (where it is possible, valid input, what it changes)"
    assert {c.op.name for c in CASES} >= set(policy.OPERATIONS) - set(OTHER_SUBJECTS) - set(HTTP_OPERATIONS)
    assert {c.op.trigger for c in CASES if c.op.trigger} == set(DEFINITION.triggers)
    assert {c.actor for c in CASES} == {*(r.value for r in Role), OTHER_OPD, ANONYMOUS}
    for op in OPS:
        assert op.rules, op
        assert op.state is None or op.state in DEFINITION.states, op
        assert any(c.op == op for c in [p.values[0] for p in ALLOWED]), f"{op.name}: nobody may do it?"
        for role in Role:
            actor_cases = {c.variant for c in CASES if c.op == op and c.actor == role.value}
            assert ALL_SCOPES in actor_cases, (op.name, role)
            assert (NO_SCOPE in actor_cases) == (op.scope in ROLE_SCOPES[role]), (op.name, role)
    for role in Role:
        assert role.value in person(role_actor(role.value)).roles
    assert len({c.id for c in CASES}) == len(CASES)
    assert {i.state for i in READ_INSTANCES} == set(DEFINITION.states)


# --- fixtures: seed once, share refusal proposals --------------------------------------------

_pool: dict[Instance, str] = {}
_titles = itertools.count(1)


@pytest.fixture(scope="module", autouse=True)
async def matrix_world(app: Any) -> AsyncIterator[None]:
    """Wipe and seed once for the module (the same as conftest's per-test ``pekanbaru``)."""
    await reseed()
    _pool.clear()
    yield
    _pool.clear()


@pytest.fixture(autouse=True)
def pekanbaru() -> None:
    """Overrides conftest's per-test reseed: this module seeds once (``matrix_world``)."""


async def shared(p: Paths, inst: Instance) -> str:
    """A pooled proposal in ``inst`` (guards not prepared: a refusal must come before them anyway)."""
    if inst not in _pool:
        _pool[inst] = await inst.make(p)
    return _pool[inst]


def pk(global_id: str) -> int:
    return from_global_id(global_id, "Proposal")[1]


async def proposal_row(pid: str | None) -> dict[str, Any] | None:
    if pid is None:
        return None
    return await Proposal.filter(id=pk(pid)).first().values("organization_id", "review_round", "published_at")


async def perform(
    p: Paths, op: Op, pid: str | None, bearer: str | None, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Call the operation's mutation with valid input (and ``extra``, from the call's setup); its payload."""
    call = op.call
    variables = call.variables(pid, next(_titles)) | (extra or {})
    if op.trigger:
        variables["trigger"] = op.trigger
    body = await p.gql(call.document, {"input": variables}, token=bearer)
    assert "errors" not in body, body
    return body["data"][op.mutation]


async def bearer_for(p: Paths, case: Case) -> str | None:
    scopes = token_scopes(case.actor, case.variant, case.op.scope)
    return None if scopes is None else await p.token(username_of(case.actor), scopes=scopes)


async def check_expectation(case: Case, bearer: str | None, pid: str | None) -> Principal:
    """The policy's answer equals the first-principles answer; the principal the server will see."""
    principal = await principal_for(bearer)
    if case.actor != ANONYMOUS:
        assert principal.roles == person(username_of(case.actor)).roles
    assert await by_policy(case.op, principal, await proposal_row(pid)) == case.expected
    return principal


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


# --- 2. the matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", REFUSED)
async def test_refused(p: Paths, case: Case) -> None:
    op = case.op
    pid = None if op.state is None else await shared(p, Instance(op.state))
    bearer = await bearer_for(p, case)
    await check_expectation(case, bearer, pid)
    extra = await op.call.setup(p, pid) if op.call.setup and pid else None
    before = await p.snapshot(pid) if pid else await Proposal.all().count()

    payload = await perform(p, op, pid, bearer, extra)

    after = await p.snapshot(pid) if pid else await Proposal.all().count()
    if pid and p.fingerprint(after) != p.fingerprint(before):
        _pool.pop(Instance(op.state), None)
    assert codes(payload) == [case.expected], payload["errors"]
    assert all(v is None for k, v in payload.items() if k != "errors"), payload
    if pid:
        assert (after["version"], len(after["history"])) == (before["version"], len(before["history"]))
        assert p.fingerprint(after) == p.fingerprint(before)
    else:
        assert after == before


@pytest.mark.parametrize("case", ALLOWED)
async def test_allowed(p: Paths, case: Case) -> None:
    op = case.op
    pid = None
    if op.state is not None:
        pid = await Instance(op.state).make(p)
        if op.specs:
            await p.prepare(pid, op.specs[0])
    bearer = await bearer_for(p, case)
    principal = await check_expectation(case, bearer, pid)
    extra = await op.call.setup(p, pid) if op.call.setup and pid else None
    before = await p.snapshot(pid) if pid else None

    payload = await perform(p, op, pid, bearer, extra)

    assert payload["errors"] == []
    if pid is None:
        created = payload["proposal"]
        assert created["state"] == INITIAL
        row = await Proposal.get(id=pk(created["id"])).values("organization_id", "author_id")
        assert (row["organization_id"], row["author_id"]) == (principal.organization_id, principal.member_id)
        return
    after = await p.snapshot(pid)
    assert len(after["history"]) == len(before["history"]) + 1
    last = after["history"][-1]
    assert op.call.changed(before, after), (before, after)
    if op.trigger:
        assert after["state"] == op.specs[0].dest
        assert (last["action"], last["trigger"]) == ("transition", op.trigger)


# --- 3. reads --------------------------------------------------------------------------------

READS = """
query Reads(%s) { %s }
"""
LIST = """
query List($after: String) {
  proposals(first: 100, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } }
}"""


async def listed(p: Paths, bearer: str | None) -> set[int]:
    """Every proposal id ``proposals`` shows, page by page."""
    seen: list[int] = []
    after = None
    while True:
        body = await p.gql(LIST, {"after": after}, token=bearer)
        assert "errors" not in body, body
        conn = body["data"]["proposals"]
        seen += [pk(e["node"]["id"]) for e in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert conn["totalCount"] == len(seen) == len(set(seen))
    return set(seen)


@pytest.mark.parametrize(("actor", "variant"), READERS)
async def test_reads(p: Paths, actor: str, variant: str) -> None:
    pids = {inst: await shared(p, inst) for inst in READ_INSTANCES}
    scopes = token_scopes(actor, variant, None)
    bearer = None if scopes is None else await p.token(username_of(actor), scopes=scopes)
    principal = await principal_for(bearer)

    expected = {inst: sees(actor, scopes, inst.visited) for inst in READ_INSTANCES}
    for inst, pid in pids.items():
        row = await proposal_row(pid)
        assert policy.can_read_proposal(principal, **facts(row)) == expected[inst], inst.label
        is_published = row["published_at"] is not None
        assert is_published == bool(PUBLIC_STATES & set(inst.visited)), inst.label

    # proposal(id) and node(id), one request with aliases
    names = {inst: f"i{n}" for n, inst in enumerate(READ_INSTANCES)}
    params = ", ".join(f"${v}: ID!" for v in names.values())
    fields = " ".join(f"p{v}: proposal(id: ${v}) {{ id }} n{v}: node(id: ${v}) {{ id }}" for v in names.values())
    body = await p.gql(READS % (params, fields), {v: pids[inst] for inst, v in names.items()}, token=bearer)
    assert "errors" not in body, body
    got = {inst: (body["data"][f"p{v}"] is not None, body["data"][f"n{v}"] is not None) for inst, v in names.items()}
    assert got == {inst: (seen, seen) for inst, seen in expected.items()}

    # the list: exactly what proposal_visibility selects, among every proposal of the database
    shown = await listed(p, bearer)
    assert shown == set(await Proposal.filter(policy.proposal_visibility(principal)).values_list("id", flat=True))
    assert {inst for inst in READ_INSTANCES if pk(pids[inst]) in shown} == {i for i, s in expected.items() if s}
    if scopes is None or PROPOSALS_READ not in scopes:
        published = await Proposal.filter(published_at__isnull=False).values_list("id", flat=True)
        assert shown == set(published)
        assert expected == {inst: bool(PUBLIC_STATES & set(inst.visited)) for inst in READ_INSTANCES}
