"""The suite's GraphQL helpers: one driver, :class:`Paths`, and what it is built on.

Every step drives the real API through the ``gql`` fixture with a token made
by the ``token`` fixture, and fails the test (AssertionError) when it is
refused. ``pid`` is a Relay global ID of a Proposal. The route comes from the
workflow definition and the people from the seed file::

    p = Paths(gql, token)                              # the ``p`` fixture
    pid = await p.new_proposal()                       # a draft of the owner OPD (dishub)
    await p.drive(pid, "quick_win_approval")           # submit, assign, 2 reviews, recommend
    await p.drive(pid, "rejected", via="close_vote")   # NO votes to quorum, the chair closes
    snap = await p.snapshot(pid)                       # state, version, history, ballot, ...

The seeded Diskominfotik proposal "Aplikasi layanan publik daring"::

    kominfo = Paths(gql, token, owner_org=SEEDED_ORG)
    pid = await kominfo.find(SEEDED_TITLE)
    await kominfo.drive(pid, "quick_win_approval")

:func:`operation` loads a named operation of ``graphql/operations/*.graphql``
(the web client's documents), for tests that send what the client sends.
:func:`ok` and :func:`data` check a payload and a response body; the browser
tests' ``e2e.harness`` uses them too.

``OWNER_ORG`` is an OPD whose officer and head hold no other role and none of whose members
sits on the council, so nobody has a conflict of interest on its proposals.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from council.enums import Role
from council.seeds.loader import BUILTIN_DIR
from council.workflow.definition import TransitionSpec, WorkflowDefinition
from council.workflow.registry import get_registry
from graphql import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast

SEEDED_ORG = "diskominfotik"
SEEDED_TITLE = "Aplikasi layanan publik daring"
"""A draft of Diskominfotik in the seed, by :data:`OFFICER`."""
OFFICER = "opd.kominfo"
"""The Diskominfotik OPD officer, author of :data:`SEEDED_TITLE`."""
TECH_REVIEWER = "tim.teknis1"
CHAIR = "walikota"
COUNCIL_VOTERS = ("walikota", "sekda", "kepala.bappeda", "kepala.pupr", "kepala.dlhk", "rektor.unri")
"""Council seats without a conflict on a Diskominfotik proposal (kepala.kominfo has one)."""
CONFLICTED = "kepala.kominfo"

SCORES = {"feasibility": 4, "impact": 5, "costEffectiveness": 3, "alignment": 5}

OPERATIONS_DIR = Path(__file__).resolve().parents[1] / "graphql" / "operations"


class StepFailed(AssertionError):
    """A step of a path answered with errors."""


def ok(payload: dict[str, Any], what: str | None = None) -> dict[str, Any]:
    """The payload of a mutation, asserting it has no user errors (``StepFailed``, naming ``what`` if given)."""
    if payload["errors"]:
        raise StepFailed(f"{what}: {payload['errors']}" if what else payload["errors"])
    return payload


def data(body: dict[str, Any]) -> dict[str, Any]:
    """``body["data"]``, asserting there are no GraphQL errors."""
    assert "errors" not in body, body.get("errors")
    result: dict[str, Any] = body["data"]
    return result


@functools.cache
def _operations_document() -> DocumentNode:
    text = "\n".join(f.read_text(encoding="utf-8") for f in sorted(OPERATIONS_DIR.glob("*.graphql")))
    return parse(text)


def operation(name: str) -> str:
    """The text of operation ``name`` of ``graphql/operations/*.graphql`` with the fragments it spreads.

    Raises:
        KeyError: no operation of that name.
    """
    document = _operations_document()
    operations = {
        d.name.value: d for d in document.definitions if isinstance(d, OperationDefinitionNode) and d.name is not None
    }
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    needed: dict[str, FragmentDefinitionNode] = {}

    def spreads(node: Any) -> None:
        for selection in getattr(getattr(node, "selection_set", None), "selections", None) or ():
            if selection.kind == "fragment_spread" and selection.name.value not in needed:
                needed[selection.name.value] = fragments[selection.name.value]
                spreads(fragments[selection.name.value])
            spreads(selection)

    spreads(operations[name])
    return "\n\n".join(print_ast(d) for d in [operations[name], *needed.values()])


SEED_FILE = BUILTIN_DIR / "pekanbaru-2018.yaml"
ROLE_ORDER = [r.value for r in Role]
COUNCIL_ROLES = frozenset({Role.COUNCIL_MEMBER.value, Role.COUNCIL_CHAIR.value})


@dataclass(frozen=True)
class Person:
    """A member of the seed file."""

    username: str
    organization: str
    roles: frozenset[str]


def _load_seed(path: Path = SEED_FILE) -> tuple[dict[str, str], list[Person]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = {o["code"]: o["kind"] for o in raw["organizations"]}
    people = [Person(m["username"], m["organization"], frozenset(m["roles"])) for m in raw["members"]]
    return kinds, people


ORG_KINDS, PEOPLE = _load_seed()
_BY_USERNAME = {p.username: p for p in PEOPLE}


def person(username: str) -> Person:
    """The seeded member ``username``."""
    return _BY_USERNAME[username]


def members_with(role: str, *, org: str | None = None, exclude_org: str | None = None) -> list[Person]:
    """Seeded members holding ``role``: single-role members first, then in seed order."""
    found = [
        p
        for p in PEOPLE
        if role in p.roles
        and (org is None or p.organization == org)
        and (exclude_org is None or p.organization != exclude_org)
    ]
    return sorted(found, key=lambda p: len(p.roles) > 1)


def representative(role: str, *, org: str | None = None, exclude_org: str | None = None) -> str:
    """The username of a member holding ``role`` (and no other role when the seed has one)."""
    found = members_with(role, org=org, exclude_org=exclude_org)
    if not found:
        raise LookupError(f"the seed has no {role} (org={org}, exclude_org={exclude_org})")
    return found[0].username


def _pick_owner_org() -> str:
    council_orgs = {p.organization for p in PEOPLE if p.roles & COUNCIL_ROLES}
    for code, kind in ORG_KINDS.items():
        if kind != "opd" or code in council_orgs:
            continue
        staff = [p.roles for p in PEOPLE if p.organization == code]
        if {Role.OPD_OFFICER.value} in staff and {Role.OPD_HEAD.value} in staff:
            return code
    raise LookupError("the seed has no OPD with a plain officer, a plain head and no council seat")


OWNER_ORG = _pick_owner_org()
OWNER_OFFICER = representative(Role.OPD_OFFICER.value, org=OWNER_ORG)
OWNER_HEAD = representative(Role.OPD_HEAD.value, org=OWNER_ORG)
OTHER_OPD_OFFICER = representative(Role.OPD_OFFICER.value, exclude_org=OWNER_ORG)


def actor_for(spec: TransitionSpec, owner_org: str = OWNER_ORG, role: str | None = None) -> str:
    """A member who may fire ``spec``: holding ``role`` (default its first role), of the owner if owner_only."""
    role = role or min(spec.roles, key=ROLE_ORDER.index)
    return representative(role, org=owner_org if spec.owner_only else None)


def voters(owner_org: str = OWNER_ORG) -> list[str]:
    """Council seats outside the owning organisation (no conflict of interest): plain members first, chair last."""
    seats = [p for p in PEOPLE if p.roles & COUNCIL_ROLES and p.organization != owner_org]
    return [p.username for p in sorted(seats, key=lambda p: (Role.COUNCIL_CHAIR.value in p.roles, len(p.roles)))]


_ERRORS = "errors { code field message }"
SNAPSHOT = """
query Snapshot($id: ID!) {
  proposal(id: $id) {
    id state version availableTransitions progressPercent
    reviews { id round }
    history { action trigger fromState toState }
    ballot { id closed result eligibleCount quorum tally { yes no abstain } myVote }
  }
}"""
CREATE_PROPOSAL = f"""
mutation Create($input: CreateProposalInput!) {{
  createProposal(input: $input) {{ proposal {{ id state version budget }} {_ERRORS} }}
}}"""
TRANSITION_PROPOSAL = f"""
mutation Transition($input: TransitionProposalInput!) {{
  transitionProposal(input: $input) {{ proposal {{ id state version }} {_ERRORS} }}
}}"""
SUBMIT_REVIEW = f"""
mutation Review($input: SubmitReviewInput!) {{
  submitReview(input: $input) {{ review {{ id round }} {_ERRORS} }}
}}"""
CAST_VOTE = f"""
mutation Vote($input: CastVoteInput!) {{
  castVote(input: $input) {{
    ballot {{ id closed eligibleCount quorum tally {{ yes no abstain }} myVote }} {_ERRORS}
  }}
}}"""
ASSIGN_REVIEWERS = f"""
mutation Assign($input: AssignReviewersInput!) {{
  assignReviewers(input: $input) {{ assignments {{ id status dueOn }} {_ERRORS} }}
}}"""
VIEWER_ID = "query { viewer { id organization { id } } }"
ORGANIZATIONS = "query { organizations { id code } }"
REPORT_PROGRESS = f"""
mutation Progress($input: ReportProgressInput!) {{
  reportProgress(input: $input) {{ proposal {{ id state version progressPercent }} {_ERRORS} }}
}}"""

FIND = """
query Find($search: String!) {
  proposals(first: 5, filter: {search: $search}) { edges { node { id title state } } }
}"""

_titles = itertools.count(1)


def _today() -> Any:
    """Today on ``council.clock`` (UTC date; a due date 30 days ahead is safe in any time zone)."""
    from council import clock

    return clock.now().date()


def _current(token: str) -> bool:
    """Whether ``token`` is good for another minute on ``council.clock``, which a deadline test moves."""
    from council import clock

    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return bool(claims["iat"] <= clock.epoch_seconds() + 1 < claims["exp"] - 60)


class Paths:
    """Drive proposals of ``owner_org`` through ``definition`` (default: the default workflow).

    Every step asserts success (``StepFailed``); ``transition`` and ``mutate``
    return the payload unchecked, for tests of refusals.
    """

    def __init__(
        self, gql: Any, token: Any, *, owner_org: str = OWNER_ORG, definition: WorkflowDefinition | None = None
    ) -> None:
        self.gql = gql
        self.token = token
        self.owner_org = owner_org
        self.officer = representative(Role.OPD_OFFICER.value, org=owner_org)
        self.definition = definition or get_registry().default()
        self._tokens: dict[str, str] = {}

    # -- requests ------------------------------------------------------------------------------

    async def bearer(self, username: str | None) -> str | None:
        if username is None:
            return None
        cached = self._tokens.get(username)
        if cached is None or not _current(cached):
            cached = self._tokens[username] = await self.token(username)
        return cached

    async def call(self, query: str, variables: dict[str, Any], as_: str | None, **kw: Any) -> dict[str, Any]:
        """POST ``query`` as member ``as_`` (None: anonymous); ``data``, asserting no GraphQL errors."""
        return data(await self.gql(query, variables, token=await self.bearer(as_), **kw))

    async def mutate(
        self,
        query: str,
        name: str,
        input: dict[str, Any],
        as_: str | None,
        **kw: Any,
    ) -> dict[str, Any]:
        """The payload of mutation ``name`` (errors not checked)."""
        return (await self.call(query, {"input": input}, as_, **kw))[name]

    ok = staticmethod(ok)

    # -- reads ---------------------------------------------------------------------------------

    async def snapshot(self, pid: str, as_: str | None = None) -> dict[str, Any]:
        """The proposal (:data:`SNAPSHOT` fields) as the owner officer, or ``as_``; asserts it is readable."""
        found = (await self.call(SNAPSHOT, {"id": pid}, as_ or self.officer))["proposal"]
        assert found is not None, f"proposal {pid} not readable"
        return found

    async def find(self, title: str = SEEDED_TITLE, as_: str | None = None) -> str:
        """The global ID of the one proposal titled ``title`` that ``as_`` (default: the owner officer) can see."""
        found = await self.call(FIND, {"search": title}, as_ or self.officer)
        ids = [e["node"]["id"] for e in found["proposals"]["edges"] if e["node"]["title"] == title]
        assert len(ids) == 1, (title, found)
        return str(ids[0])

    async def read(self, pid: str, fields: str, as_: str | None) -> dict[str, Any] | None:
        """``proposal(id)`` with the selection ``fields`` as ``as_`` (None: anonymous); None when not readable."""
        found: dict[str, Any] | None = (
            await self.call(f"query($id: ID!) {{ proposal(id: $id) {{ {fields} }} }}", {"id": pid}, as_)
        )["proposal"]
        return found

    @staticmethod
    def fingerprint(snap: dict[str, Any]) -> tuple[Any, ...]:
        """What a refused request must leave unchanged: state, version, history, reviews, progress, ballot."""
        b = snap["ballot"]
        return (
            snap["state"],
            snap["version"],
            len(snap["history"]),
            len(snap["reviews"]),
            snap["progressPercent"],
            None if b is None else (b["id"], b["closed"], b["tally"]["yes"], b["tally"]["no"], b["tally"]["abstain"]),
        )

    # -- actions -------------------------------------------------------------------------------

    async def new_proposal(
        self,
        *,
        author: str | None = None,
        title: str | None = None,
        budget: int | str = 1_500_000_000,
        pillar: str = "smart_mobility",
    ) -> str:
        """Create a draft as ``author`` (default: the owner OPD's officer); its global ID."""
        payload = await self.mutate(
            CREATE_PROPOSAL,
            "createProposal",
            {
                "title": title or f"Usulan uji {next(_titles)}",
                "summary": "Ringkasan usulan untuk pengujian.",
                "pillar": pillar,
                "budget": str(budget),
            },
            author or self.officer,
        )
        return self.ok(payload, "createProposal")["proposal"]["id"]

    async def transition(
        self, pid: str, trigger: str, as_: str | None, comment: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        """The ``transitionProposal`` payload (errors not checked)."""
        return await self.mutate(
            TRANSITION_PROPOSAL,
            "transitionProposal",
            {"proposalId": pid, "trigger": trigger, "comment": comment},
            as_,
            **kw,
        )

    def assigned_only(self) -> bool:
        """Whether the workflow's reviewable states take reviews from assignees only (quick-win version 2 on)."""
        return any(s.review is not None and s.review.assigned_only for s in self.definition.states.values())

    async def member_id(self, username: str) -> str:
        """The global ID of member ``username`` (their ``viewer``)."""
        return str((await self.call(VIEWER_ID, {}, username))["viewer"]["id"])

    async def assign(
        self,
        pid: str,
        reviewers: list[str],
        *,
        organizations: list[str] = [],  # noqa: B006  (read only)
        due_in_days: int = 30,
        as_: str = TECH_REVIEWER,
    ) -> dict[str, Any]:
        """Assign the proposal's review round to ``reviewers`` (usernames) and ``organizations`` (codes of
        universities), due in ``due_in_days``; asserts success."""
        due = (_today() + timedelta(days=due_in_days)).isoformat()
        ids = [await self.member_id(r) for r in reviewers]
        orgs = {o["code"]: o["id"] for o in (await self.call(ORGANIZATIONS, {}, as_))["organizations"]}
        return self.ok(
            await self.mutate(
                ASSIGN_REVIEWERS,
                "assignReviewers",
                {
                    "proposalId": pid,
                    "reviewerIds": ids,
                    "organizationIds": [orgs[code] for code in organizations],
                    "dueOn": due,
                },
                as_,
            ),
            f"assignReviewers {reviewers} {organizations}",
        )

    async def review(
        self,
        pid: str,
        reviewer: str,
        recommendation: str = "APPROVE",
        scores: dict[str, int] | None = None,
        comment: str | None = "Layak.",
        *,
        assign: bool = True,
    ) -> dict[str, Any]:
        """Submit a review; asserts success; the payload.

        Under a workflow whose reviewable state says ``assigned_only`` (the
        default, quick-win version 2), a reviewer outside the technical team is
        first assigned by :data:`TECH_REVIEWER` (the technical team too: only
        assigned reviews count for ``min_reviews``) unless ``assign`` is false or
        they already hold an assignment of the round.
        """
        if assign and self.assigned_only():
            payload = await self.mutate(
                ASSIGN_REVIEWERS,
                "assignReviewers",
                {
                    "proposalId": pid,
                    "reviewerIds": [await self.member_id(reviewer)],
                    "dueOn": (_today() + timedelta(days=30)).isoformat(),
                },
                TECH_REVIEWER,
            )
            codes = [e["code"] for e in payload["errors"]]
            assert codes in ([], ["INVALID_INPUT"]), payload  # INVALID_INPUT: already assigned this round
        return self.ok(
            await self.mutate(
                SUBMIT_REVIEW,
                "submitReview",
                {
                    "proposalId": pid,
                    "recommendation": recommendation,
                    "scores": scores or SCORES,
                    "comment": comment,
                },
                reviewer,
            ),
            f"submitReview by {reviewer}",
        )

    async def vote(self, pid: str, voter: str, choice: str = "YES") -> dict[str, Any]:
        """Cast a vote; asserts success; the ballot."""
        return self.ok(
            await self.mutate(CAST_VOTE, "castVote", {"proposalId": pid, "choice": choice}, voter),
            f"castVote by {voter}",
        )["ballot"]

    async def report(self, pid: str, percent: int, as_: str | None = None) -> dict[str, Any]:
        """Report progress as the owner officer (or ``as_``); asserts success; the payload."""
        return self.ok(
            await self.mutate(
                REPORT_PROGRESS, "reportProgress", {"proposalId": pid, "percent": percent}, as_ or self.officer
            ),
            f"reportProgress {percent}",
        )

    # -- guards --------------------------------------------------------------------------------

    async def reviews_for_min(self, pid: str, count: int, university: int) -> None:
        """``count`` APPROVE reviews, ``university`` of them by university reviewers, the rest by Tim Teknis."""
        uni = [p.username for p in members_with(Role.UNIVERSITY_REVIEWER.value)][:university]
        tech = [p.username for p in members_with(Role.TECHNICAL_TEAM.value)][: max(0, count - len(uni))]
        assert len(uni) == university and len(uni) + len(tech) >= count, "not enough reviewers in the seed"
        for reviewer in tech + uni:
            await self.review(pid, reviewer)

    async def votes_to_quorum(self, pid: str, choice: str) -> None:
        """``choice`` votes by as many members as the open ballot's quorum needs."""
        ballot = (await self.snapshot(pid))["ballot"]
        assert ballot is not None and not ballot["closed"], "no open ballot"
        for voter in voters(self.owner_org)[: ballot["quorum"]]:
            await self.vote(pid, voter, choice)

    async def prepare(self, pid: str, spec: TransitionSpec) -> None:
        """Make ``spec``'s guards pass, and an earlier sibling's fail, from its source state.

        ``min_reviews``: the reviews it asks for; ``quorum_met``: votes to the
        quorum, YES when the spec also needs ``majority_yes``, else NO (so a
        sibling needing a majority does not fire first); ``progress_complete``:
        a 100% progress report; ``deadline_passed``: the open ballot's last
        deadline moved into the past (:meth:`expire_ballot`), no vote cast.
        """
        names = {g.name for g in spec.guards}
        for g in spec.guards:
            if g.name == "min_reviews":
                await self.reviews_for_min(pid, g.params["count"], g.params["university"])
            elif g.name == "progress_complete":
                await self.report(pid, 100)
        if names & {"quorum_met", "majority_yes"}:
            await self.votes_to_quorum(pid, "YES" if "majority_yes" in names else "NO")
        if "deadline_passed" in names:
            await self.expire_ballot(pid)

    @staticmethod
    async def expire_ballot(pid: str) -> None:
        """Move the open ballot's deadline into the past, as if its window and its one extension had run out.

        Straight through the ORM (the deadline tests move the clock instead); its timers stay pending.
        """
        from council import clock
        from council.api.ids import from_global_id
        from council.voting.models import Ballot

        _, pk = from_global_id(pid, "Proposal")
        n = await Ballot.filter(proposal_id=pk, closed_at__isnull=True).update(
            closes_at=clock.now() - timedelta(seconds=1), extended=True
        )
        assert n == 1, "no open ballot"

    # -- routes --------------------------------------------------------------------------------

    def route(self, source: str, target: str, via: str | None = None) -> list[TransitionSpec]:
        """The shortest chain of transitions from ``source`` to ``target`` (the last by trigger ``via``)."""
        if source == target:
            return []
        queue: deque[tuple[str, list[TransitionSpec]]] = deque([(source, [])])
        seen = {source}
        while queue:
            state, chain = queue.popleft()
            for spec in self.definition.transitions:
                if state not in spec.sources:
                    continue
                if spec.dest == target and (via is None or spec.trigger == via):
                    return [*chain, spec]
                if spec.dest not in seen and spec.dest != target:
                    seen.add(spec.dest)
                    queue.append((spec.dest, [*chain, spec]))
        raise LookupError(f"no route from {source} to {target}" + (f" ending with {via}" if via else ""))

    async def fire(self, pid: str, spec: TransitionSpec, as_: str | None = None, comment: str | None = None) -> str:
        """Prepare and fire ``spec`` (as its first role's representative); asserts success; the new state."""
        await self.prepare(pid, spec)
        if comment is None and spec.comment_required:
            comment = f"Alasan untuk {spec.trigger}."
        payload = self.ok(
            await self.transition(pid, spec.trigger, as_ or actor_for(spec, self.owner_org), comment),
            f"{spec.trigger} from {spec.sources}",
        )
        state = payload["proposal"]["state"]
        assert state == spec.dest, (spec.trigger, state, spec.dest)
        return state

    async def drive(self, pid: str, target: str, *, via: str | None = None) -> dict[str, Any]:
        """Move the proposal to ``target`` by the shortest route (last trigger ``via``); its snapshot."""
        snap = await self.snapshot(pid)
        for spec in self.route(snap["state"], target, via):
            await self.fire(pid, spec)
        snap = await self.snapshot(pid)
        assert snap["state"] == target, (snap["state"], target)
        return snap

    async def at(self, target: str, *, via: str | None = None, **create: Any) -> str:
        """A new proposal of the owner OPD driven to ``target``; its global ID."""
        pid = await self.new_proposal(**create)
        await self.drive(pid, target, via=via)
        return pid

    async def revised_draft(self, **create: Any) -> str:
        """A proposal sent back to the initial state (``draft``, by ``request_revision``): staff may read it."""
        spec = next(t for t in self.definition.transitions if t.dest == self.definition.initial)
        pid = await self.new_proposal(**create)
        await self.drive(pid, spec.sources[0])
        await self.fire(pid, spec)
        return pid
