"""A member's tasks, derived from the current state at each read: never stored, so never stale (issue 15).

:func:`tasks_of` answers every task of one principal with a fixed number of SQL
statements (at most :data:`MAX_STATEMENTS`), whatever the number of
proposals. Each kind and the rule it follows:

- ``VOTE``: an open ballot of the current round on which the member may vote now,
  by the one rule of ``castVote`` (:func:`council.voting.service.vote_denial`:
  the state's ``vote`` of the workflow file, the electorate fixed when the ballot
  opened, recusals, the owning organisation, the deadline), and has not voted.
  ``dueAt``: the ballot's ``closes_at``.
- ``CLOSE_VOTE``: an open ballot of the current round whose deadline has passed
  or whose whole electorate has voted, where the member may fire now a
  transition of the workflow file that decides the ballot (one with
  ``quorum_met``, ``majority_yes`` or ``deadline_passed``: the council chair's
  ``close_vote``), its guards judged by the engine
  (:meth:`council.workflow.engine.WorkflowEngine.choose`). ``dueAt``: ``closes_at``.
- ``REVIEW``: a proposal in a ``reviewable`` state of its workflow, not reviewed
  by the member in its current round, that the member may review (``submitReview``
  of :mod:`council.auth.policy`), and either (a) has a PENDING review
  assignment (:class:`council.reviews.models.ReviewAssignment`) of the current
  round for the member or the member's organisation (``dueAt``: the end of
  ``due_on`` in the city's time zone), or (b) the member is of the technical
  team, which reviews every reviewable proposal (``dueAt``: the pending SLA
  timer of the state, if any).
- ``REPORT_PROGRESS``: OPD officers and heads of the owning organisation; a
  proposal in a ``progress`` state with neither a progress report nor a
  milestone change in the current reporting period, the calendar month of the
  city's time zone (:mod:`council.implementation.periods` names months
  ``YYYY-MM``). ``dueAt``: the end of the month.
- ``MILESTONE_DUE``: OPD officers and heads of the owning organisation; a
  milestone not DONE of a proposal in a ``progress`` state, due within
  :data:`DUE_SOON_DAYS` days or LATE. ``dueAt``: the end of ``due_on``
  (:func:`council.implementation.milestones.late_at`).
- ``SIGN_COMMITMENT``: a commitment naming the member as a required signatory
  who has not signed (:mod:`council.commitments`). No ``dueAt``.

Rights are the member's, not the token's: tasks are computed with every scope
the member's roles allow (:func:`council.auth.scopes.scopes_for_roles`).
Order: ``dueAt`` (tasks without one last), then ``createdAt``, then kind and ids.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from tortoise.expressions import Q

from council import clock
from council.auth.policy import OPERATIONS, denial
from council.auth.principal import Principal
from council.auth.scopes import scopes_for_roles
from council.commitments.models import CommitmentSignatory
from council.enums import AssignmentStatus, Role
from council.implementation.milestones import late_at
from council.implementation.models import Milestone, MilestoneStatus, ProgressReport
from council.programmes.queries import city_zone
from council.proposals.models import Proposal
from council.reviews.models import Review, ReviewAssignment
from council.voting.models import Ballot, Vote
from council.voting.queries import ballot_expired, live_tallies
from council.voting.service import vote_denial
from council.workflow.definition import WorkflowDefinition
from council.workflow.engine import Fires, WorkflowEngine
from council.workflow.guards import BallotFact, ProposalFacts
from council.workflow.models import Timer, TimerKind
from council.workflow.permissions import transition_rule
from council.workflow.registry import get_registry

DUE_SOON_DAYS = 7
"""A milestone becomes a task this many days before it is due (and stays one while LATE)."""
MAX_STATEMENTS = 12
"""SQL statements :func:`tasks_of` runs at most, whatever the number of proposals (tests/test_tasks.py)."""


class TaskKind(StrEnum):
    """What a task asks of the member (see the module docstring for each rule)."""

    VOTE = "vote"
    REVIEW = "review"
    REPORT_PROGRESS = "report_progress"
    MILESTONE_DUE = "milestone_due"
    SIGN_COMMITMENT = "sign_commitment"
    CLOSE_VOTE = "close_vote"


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One task: its kind, what it is about (ids), a title, when it is due (UTC or None) and since when it exists."""

    kind: TaskKind
    title: str
    created_at: datetime
    due_at: datetime | None = None
    proposal_id: int | None = None
    commitment_id: int | None = None
    milestone_id: int | None = None

    def sort_key(self) -> tuple[Any, ...]:
        """``dueAt`` (None last), ``createdAt``, kind, then the ids: a total, stable order."""
        far = datetime.max.replace(tzinfo=UTC)
        return (
            self.due_at is None,
            self.due_at or far,
            self.created_at,
            self.kind.value,
            self.proposal_id or 0,
            self.commitment_id or 0,
            self.milestone_id or 0,
        )


_PROPOSAL = ("id", "title", "state", "organization_id", "review_round", "workflow_name", "workflow_version")


def _states(flag: str) -> tuple[dict[tuple[str, int], WorkflowDefinition], set[str]]:
    """Every workflow definition by (name, version), and the state names that have ``flag`` set in any of them."""
    definitions = {(d.name, d.version): d for d in get_registry().definitions()}
    names = {s.name for d in definitions.values() for s in d.states.values() if getattr(s, flag)}
    return definitions, names


def _end_of_day(day: Any, zone: Any) -> datetime:
    return late_at(day, zone)


async def _ballot_tasks(me: Principal, now: datetime) -> list[TaskRow]:
    """VOTE and CLOSE_VOTE (three statements at most: open ballots and their proposals, the member's votes, tallies)."""
    fields = ("id", "proposal_id", "round", "opens_at", "closes_at", "closed_at", "electorate", "eligible_count")
    more = ("quorum_required", "threshold", "threshold_of", "on_no_quorum", "extended")
    rows = await Ballot.filter(closed_at__isnull=True).values(
        *fields, *more, **{f"p_{f}": f"proposal__{f}" for f in _PROPOSAL}
    )
    registry = get_registry()
    current = []
    for row in rows:
        proposal = {f: row[f"p_{f}"] for f in _PROPOSAL}
        try:
            engine = registry.engine(proposal["workflow_name"], proposal["workflow_version"])
        except KeyError:
            continue
        state = engine.definition.states.get(proposal["state"])
        if state is not None and state.vote is not None and row["round"] == proposal["review_round"]:
            current.append((row, proposal, state, engine))
    if not current:
        return []
    ids = [row["id"] for row, *_ in current]
    voted = set(await Vote.filter(member_id=me.member_id, ballot_id__in=ids).values_list("ballot_id", flat=True))
    chair_like = any(
        t.decides_ballot and denial(me, transition_rule(t), None) is None
        for _, _, _, engine in current
        for t in engine.definition.transitions
    )
    tallies = await live_tallies(ids) if chair_like else {}
    tasks: list[TaskRow] = []
    for row, proposal, state, engine in current:
        common = {"title": proposal["title"], "created_at": row["opens_at"], "due_at": row["closes_at"]}
        if row["id"] not in voted and vote_denial(me, proposal, state.vote, row, recused=False, now=now) is None:
            tasks.append(TaskRow(TaskKind.VOTE, proposal_id=proposal["id"], **common))
        if row["id"] in tallies and _closable(me, row, proposal, engine, tallies[row["id"]], now):
            tasks.append(TaskRow(TaskKind.CLOSE_VOTE, proposal_id=proposal["id"], **common))
    return tasks


def _closable(
    me: Principal,
    ballot: dict[str, Any],
    proposal: dict[str, Any],
    engine: WorkflowEngine,
    counts: tuple[int, int, int],
    now: datetime,
) -> bool:
    """The deadline passed or everyone voted, and ``me`` may fire a ballot-deciding trigger now."""
    yes, no, abstain = counts
    deadline_passed = ballot["closes_at"] is not None and now >= ballot["closes_at"]
    if not deadline_passed and yes + no + abstain < ballot["eligible_count"]:
        return False
    facts = ProposalFacts(
        proposal_id=proposal["id"],
        state=proposal["state"],
        organization_id=proposal["organization_id"],
        ballot=BallotFact(
            eligible=ballot["eligible_count"],
            quorum_required=ballot["quorum_required"],
            threshold=ballot["threshold"],
            yes=yes,
            no=no,
            abstain=abstain,
            threshold_of=ballot["threshold_of"],
            expired=ballot_expired(ballot, now),
        ),
    )
    triggers = {t.trigger for t in engine.definition.transitions if proposal["state"] in t.sources and t.decides_ballot}
    return any(isinstance(engine.choose(facts, me, trigger), Fires) for trigger in sorted(triggers))


async def _review_tasks(me: Principal, zone: Any) -> list[TaskRow]:
    """REVIEW (four statements at most: assignments, reviewable proposals, the member's reviews, SLA timers)."""
    if denial(me, OPERATIONS["submitReview"]) is not None:
        return []
    definitions, reviewable = _states("reviewable")
    pf = {f"p_{f}": f"proposal__{f}" for f in _PROPOSAL}
    mine = Q(reviewer_id=me.member_id)
    if me.organization_id is not None:
        mine |= Q(organization_id=me.organization_id)
    assigned = await ReviewAssignment.filter(mine, status=AssignmentStatus.PENDING).values(
        "id", "round", "due_on", "created_at", **pf
    )
    candidates: dict[int, tuple[dict[str, Any], datetime | None, datetime]] = {}
    for a in assigned:
        proposal = {f: a[f"p_{f}"] for f in _PROPOSAL}
        if a["round"] != proposal["review_round"]:
            continue
        due = _end_of_day(a["due_on"], zone)
        held = candidates.get(proposal["id"])
        if held is None or (held[1] is not None and due < held[1]):
            candidates[proposal["id"]] = (proposal, due, a["created_at"])
    team = me.has_role(Role.TECHNICAL_TEAM)
    if team and reviewable:
        for proposal in await Proposal.filter(state__in=sorted(reviewable)).values(*_PROPOSAL, "updated_at"):
            if proposal["id"] not in candidates:
                candidates[proposal["id"]] = (proposal, None, proposal.pop("updated_at"))
    open_ = {
        pid: c
        for pid, c in candidates.items()
        if (d := definitions.get((c[0]["workflow_name"], c[0]["workflow_version"]))) is not None
        and (s := d.states.get(c[0]["state"])) is not None
        and s.reviewable
    }
    if not open_:
        return []
    done = set(
        await Review.filter(reviewer_id=me.member_id, proposal_id__in=list(open_)).values_list("proposal_id", "round")
    )
    slas: dict[int, datetime] = {}
    if team:
        for t in await Timer.filter(
            proposal_id__in=list(open_), kind=TimerKind.SLA, fired_at__isnull=True, cancelled_at__isnull=True
        ).values("proposal_id", "state", "due_at"):
            if t["state"] == open_[t["proposal_id"]][0]["state"]:
                slas[t["proposal_id"]] = min(t["due_at"], slas.get(t["proposal_id"], t["due_at"]))
    return [
        TaskRow(TaskKind.REVIEW, proposal["title"], created, due or slas.get(pid), proposal_id=pid)
        for pid, (proposal, due, created) in open_.items()
        if (pid, proposal["review_round"]) not in done
    ]


async def _implementation_tasks(me: Principal, zone: Any, now: datetime) -> list[TaskRow]:
    """REPORT_PROGRESS and MILESTONE_DUE (three statements at most: proposals, milestones, reports this month)."""
    if me.organization_id is None or denial(me, OPERATIONS["reportProgress"], me.organization_id) is not None:
        return []
    definitions, progress_states = _states("progress")
    if not progress_states:
        return []
    proposals = {
        p["id"]: p
        for p in await Proposal.filter(organization_id=me.organization_id, state__in=sorted(progress_states)).values(
            *_PROPOSAL
        )
        if (d := definitions.get((p["workflow_name"], p["workflow_version"]))) is not None
        and (s := d.states.get(p["state"])) is not None
        and s.progress
    }
    if not proposals:
        return []
    local = now.astimezone(zone)
    month_start = datetime.combine(local.date().replace(day=1), time(), tzinfo=zone)
    next_month = (month_start.replace(tzinfo=None) + timedelta(days=32)).replace(day=1)
    month_end = datetime.combine(next_month.date(), time(), tzinfo=zone).astimezone(UTC)
    since = month_start.astimezone(UTC)
    milestones = await Milestone.filter(proposal_id__in=list(proposals)).values(
        "id", "proposal_id", "title", "due_on", "status", "created_at", "updated_at"
    )
    reported = set(
        await ProgressReport.filter(proposal_id__in=list(proposals), created_at__gte=since).values_list(
            "proposal_id", flat=True
        )
    )
    reported |= {m["proposal_id"] for m in milestones if m["updated_at"] >= since}
    tasks = [
        TaskRow(TaskKind.REPORT_PROGRESS, p["title"], since, month_end, proposal_id=pid)
        for pid, p in proposals.items()
        if pid not in reported
    ]
    soon = local.date() + timedelta(days=DUE_SOON_DAYS)
    for m in milestones:
        status = MilestoneStatus(m["status"])
        if status is not MilestoneStatus.DONE and (status is MilestoneStatus.LATE or m["due_on"] <= soon):
            tasks.append(
                TaskRow(
                    TaskKind.MILESTONE_DUE,
                    m["title"],
                    m["created_at"],
                    _end_of_day(m["due_on"], zone),
                    proposal_id=m["proposal_id"],
                    milestone_id=m["id"],
                )
            )
    return tasks


async def _signature_tasks(me: Principal) -> list[TaskRow]:
    """SIGN_COMMITMENT (one statement)."""
    rows = await CommitmentSignatory.filter(member_id=me.member_id, signed_at__isnull=True).values(
        "commitment_id", title="commitment__title", created_at="commitment__created_at"
    )
    return [
        TaskRow(TaskKind.SIGN_COMMITMENT, r["title"], r["created_at"], commitment_id=r["commitment_id"]) for r in rows
    ]


async def tasks_of(principal: Principal, now: datetime | None = None) -> list[TaskRow]:
    """Every task of the principal's member at ``now`` (default the clock), ordered (:meth:`TaskRow.sort_key`).

    ``[]`` for an anonymous or system principal. At most :data:`MAX_STATEMENTS` SQL statements.
    """
    if principal.member_id is None or principal.system:
        return []
    me = dataclasses.replace(principal, scopes=scopes_for_roles(principal.roles))
    now = now or clock.now()
    zone = await city_zone()
    tasks = await _ballot_tasks(me, now)
    tasks += await _review_tasks(me, zone)
    tasks += await _implementation_tasks(me, zone, now)
    tasks += await _signature_tasks(me)
    return sorted(tasks, key=TaskRow.sort_key)


def counts_of(tasks: list[TaskRow]) -> dict[TaskKind, int]:
    """How many tasks of each kind (every kind present, 0 when none), in :class:`TaskKind` order."""
    counts = dict.fromkeys(TaskKind, 0)
    for task in tasks:
        counts[task.kind] += 1
    return counts
