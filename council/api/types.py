"""GraphQL object types. Thin: built from plain rows, relations resolved through the loaders."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from council import clock
from council import enums as domain
from council.api.assignments import ReviewAssignment, assigned_reviews, assignments_of, viewer_assigned
from council.api.enums import BallotResult, Recommendation, ThresholdBase, VoteChoice
from council.api.errors import UserError, user_error
from council.api.evidence import EvidenceFile
from council.api.ids import to_global_id
from council.api.masterplans import PlanProgramme, plan_programme_of
from council.api.members import Member, Node, Organization
from council.api.milestones import Milestone, evidence_of_report, milestones_of
from council.api.outcomes import Kpi, SpendingReport, proposal_budget_realised, proposal_kpis, proposal_spending
from council.api.pillars import PillarInfo
from council.api.programmes import Programme
from council.api.scalars import Rupiah
from council.auth.policy import can_read_proposal
from council.decisions.queries import assigned_only, build_facts
from council.errors import DomainError
from council.i18n import render
from council.implementation.queries import progress_of
from council.voting.queries import tally_visible
from council.voting.service import vote_denial
from council.workflow.engine import Assessment
from council.workflow.permissions import available_operations
from council.workflow.registry import get_registry


@strawberry.type(description="Rubric scores, each 1 (poor) to 5 (excellent).")
class Scores:
    feasibility: int
    impact: int
    cost_effectiveness: int
    alignment: int


@strawberry.type
class Review(Node):
    recommendation: Recommendation
    scores: Scores
    comment: str
    round: int = strawberry.field(description="The review round: 1 for the first submission, +1 per resubmission.")
    created_at: datetime
    reviewer_id: strawberry.Private[int]

    @strawberry.field
    async def reviewer(self, info: strawberry.Info) -> Member:
        return Member.from_row(await info.context.loaders.member.load(self.reviewer_id))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Review:
        return cls(
            id=strawberry.ID(to_global_id("Review", row["id"])),
            recommendation=domain.Recommendation(row["recommendation"]),
            scores=Scores(
                feasibility=row["feasibility"],
                impact=row["impact"],
                cost_effectiveness=row["cost_effectiveness"],
                alignment=row["alignment"],
            ),
            comment=row["comment"],
            round=row["round"],
            created_at=row["created_at"],
            reviewer_id=row["reviewer_id"],
        )


@strawberry.type(description="Vote counts.")
class Tally:
    yes: int
    no: int
    abstain: int


@strawberry.type(description="A council member's declared conflict of interest on a proposal (declareConflict).")
class Recusal:
    reason: str
    at: datetime
    member_id: strawberry.Private[int]

    @strawberry.field
    async def member(self, info: strawberry.Info) -> Member:
        return Member.from_row(await info.context.loaders.member.load(self.member_id))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Recusal:
        return cls(reason=row["reason"], at=row["at"], member_id=row["member_id"])


@strawberry.type(
    description="A council vote on a proposal; its rules were copied from the workflow file when it opened."
)
class Ballot(Node):
    opens_at: datetime
    closes_at: datetime | None = strawberry.field(
        description="The deadline: the ballot closes by itself then (null: only the chair closes it)."
    )
    eligible_count: int = strawberry.field(
        description="Council members who may vote: fixed when the ballot opened (members of the owning "
        "organisation left out), less those who declared a conflict since."
    )
    quorum: int = strawberry.field(description="Votes needed (abstentions count) for the ballot to decide.")
    threshold: float = strawberry.field(
        description="Share of yes that must be exceeded (0.5 = majority), of yes + no or of all votes (thresholdOf)."
    )
    threshold_of: ThresholdBase
    hide_tally: bool = strawberry.field(description="The tally and the choices stay hidden until the ballot closes.")
    votes_public: bool = strawberry.field(
        description="Who chose what is published (audit events, open data); otherwise only the counts are."
    )
    extended: bool = strawberry.field(description="The deadline was moved on once for want of a quorum.")
    votes_cast: int = strawberry.field(
        description="How many members have voted (shown even while the tally is hidden)."
    )
    tally: Tally | None = strawberry.field(description="Vote counts; null while a ballot that hides its tally is open.")
    closed: bool
    closed_at: datetime | None
    closed_by_deadline: bool = strawberry.field(description="The ballot's deadline closed it (no member did).")
    result: BallotResult | None
    round: int
    pk: strawberry.Private[int]
    proposal_id: strawberry.Private[int]
    closed_by_id: strawberry.Private[int | None]

    @strawberry.field(description="The viewer's vote on this ballot, if any.")
    async def my_vote(self, info: strawberry.Info) -> VoteChoice | None:
        choice = await info.context.loaders.my_vote.load(self.pk)
        return domain.VoteChoice(choice) if choice else None

    @strawberry.field(description="The member who closed the ballot; null while open or when closed by its deadline.")
    async def closed_by(self, info: strawberry.Info) -> Member | None:
        if self.closed_by_id is None:
            return None
        return Member.from_row(await info.context.loaders.member.load(self.closed_by_id))

    @strawberry.field(
        description="Conflicts of interest declared on the proposal before the ballot closed, oldest first."
    )
    async def recusals(self, info: strawberry.Info) -> list[Recusal]:
        rows = await info.context.loaders.recusals.load(self.proposal_id)
        return [Recusal.from_row(r) for r in rows if self.closed_at is None or r["at"] <= self.closed_at]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Ballot:
        closed = row["closed_at"] is not None
        counts = (row["yes_count"], row["no_count"], row["abstain_count"])
        return cls(
            id=strawberry.ID(to_global_id("Ballot", row["id"])),
            pk=row["id"],
            proposal_id=row["proposal_id"],
            opens_at=row["opens_at"],
            closes_at=row["closes_at"],
            eligible_count=row["eligible_count"],
            quorum=row["quorum_required"],
            threshold=row["threshold"],
            threshold_of=domain.ThresholdBase(row["threshold_of"]),
            hide_tally=row["hide_tally"],
            votes_public=row["votes_public"],
            extended=row["extended"],
            votes_cast=sum(counts),
            tally=Tally(yes=counts[0], no=counts[1], abstain=counts[2]) if tally_visible(row) else None,
            closed=closed,
            closed_at=row["closed_at"],
            closed_by_deadline=row["closed_by_deadline"],
            closed_by_id=row["closed_by_id"],
            result=domain.BallotResult(row["result"]) if row["result"] else None,
            round=row["round"],
        )


@strawberry.type(description="An event of a proposal's append-only audit hash chain.")
class AuditEvent(Node):
    seq: int
    at: datetime
    actor: str = strawberry.field(description="Username of the actor, or 'system'.")
    action: str
    trigger: str | None
    from_state: str | None
    to_state: str | None
    comment: str
    data: JSON
    hash: str = strawberry.field(description="SHA-256 (hex) over this event's canonical JSON and prevHash.")
    prev_hash: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AuditEvent:
        return cls(
            id=strawberry.ID(to_global_id("AuditEvent", row["id"])),
            seq=row["seq"],
            at=row["at"],
            actor=row["actor_name"],
            action=row["action"],
            trigger=row["trigger"],
            from_state=row["from_state"],
            to_state=row["to_state"],
            comment=row["comment"],
            data=row["data"],
            hash=row["hash"],
            prev_hash=row["prev_hash"],
        )


@strawberry.type(description="An implementation progress report.")
class ProgressReport(Node):
    percent: int
    note: str
    created_at: datetime
    author_id: strawberry.Private[int]
    pk: strawberry.Private[int]
    evidence: list[EvidenceFile] = strawberry.field(
        resolver=evidence_of_report, description="Files attached to the report, in upload order."
    )

    @strawberry.field
    async def author(self, info: strawberry.Info) -> Member:
        return Member.from_row(await info.context.loaders.member.load(self.author_id))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ProgressReport:
        return cls(
            id=strawberry.ID(to_global_id("ProgressReport", row["id"])),
            percent=row["percent"],
            note=row["note"],
            created_at=row["created_at"],
            author_id=row["author_id"],
            pk=row["id"],
        )


@strawberry.type(description="An OPD's proposal moving through a workflow.")
class Proposal(Node):
    title: str
    summary: str
    budget: Rupiah = strawberry.field(description="Whole rupiah (IDR).")
    state: str
    workflow_name: str
    workflow_version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    version: int = strawberry.field(description="Bumped by every change.")
    review_round: int = strawberry.field(
        description="The current review round: 0 before the first submission, +1 each time the proposal enters "
        "a reviewable state (workflow file)."
    )
    budget_approved: Rupiah | None = strawberry.field(
        description="The budget as a vote approved it (frozen when the proposal entered implementation); null before."
    )
    kpis: list[Kpi] = strawberry.field(resolver=proposal_kpis, description="Its KPIs, in the order defined.")
    spending: list[SpendingReport] = strawberry.field(resolver=proposal_spending, description="Oldest first.")
    budget_realised: Rupiah = strawberry.field(
        resolver=proposal_budget_realised, description="Sum of its spending reports, whole rupiah; 0 without."
    )
    row: strawberry.Private[dict[str, Any]]
    memo: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Proposal:
        return cls(
            id=strawberry.ID(to_global_id("Proposal", row["id"])),
            title=row["title"],
            summary=row["summary"],
            budget=row["budget"],
            budget_approved=row["budget_approved"],
            state=row["state"],
            workflow_name=row["workflow_name"],
            workflow_version=row["workflow_version"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            published_at=row["published_at"],
            version=row["version"],
            review_round=row["review_round"],
            row=row,
        )

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> Organization:
        return Organization.from_row(await info.context.loaders.organization.load(self.row["organization_id"]))

    @strawberry.field
    async def author(self, info: strawberry.Info) -> Member:
        return Member.from_row(await info.context.loaders.member.load(self.row["author_id"]))

    @strawberry.field(description="The programme the proposal belongs to.")
    async def programme(self, info: strawberry.Info) -> Programme:
        return Programme.from_row(await info.context.loaders.programme.load(self.row["programme_id"]))

    @strawberry.field(description="Its pillar, one of its programme's, labelled in the request's language.")
    async def pillar(self, info: strawberry.Info) -> PillarInfo:
        code = self.row["pillar"]
        pillars = await info.context.loaders.pillars.load(self.row["programme_id"])
        row = next((p for p in pillars if p["code"] == code), {"code": code, "labels": {}})
        return PillarInfo.from_row(row, info.context.lang)

    @strawberry.field(description="The master plan's acceleration programme it belongs to, or null.")
    async def plan_programme(self, info: strawberry.Info) -> PlanProgramme | None:
        return await plan_programme_of(info, self.row["plan_programme_id"])

    assignments: list[ReviewAssignment] = strawberry.field(
        resolver=assignments_of,
        description="Review assignments of every round, oldest first (assignReviewers); readable by whoever "
        "may read the proposal.",
    )

    @strawberry.field(description="Reviews of every round, oldest first.")
    async def reviews(self, info: strawberry.Info) -> list[Review]:
        return [Review.from_row(r) for r in await info.context.loaders.reviews.load(self.row["id"])]

    @strawberry.field(description="The ballot of the latest round, open or closed.")
    async def ballot(self, info: strawberry.Info) -> Ballot | None:
        row = await info.context.loaders.ballot.load(self.row["id"])
        return Ballot.from_row(row) if row else None

    @strawberry.field(description="The audit hash chain, oldest first.")
    async def history(self, info: strawberry.Info) -> list[AuditEvent]:
        return [AuditEvent.from_row(r) for r in await info.context.loaders.events.load(self.row["id"])]

    @strawberry.field(description="Implementation progress reports, oldest first.")
    async def progress(self, info: strawberry.Info) -> list[ProgressReport]:
        return [ProgressReport.from_row(r) for r in await info.context.loaders.progress.load(self.row["id"])]

    milestones: list[Milestone] = strawberry.field(
        resolver=milestones_of, description="Its milestones (implementation plan), by due date then id."
    )

    @strawberry.field(
        description="Implementation progress, percent (0-100), or null: with milestones their weighted roll-up "
        "(the weights of the DONE ones over all), else the latest progress report's percent."
    )
    async def progress_percent(self, info: strawberry.Info) -> int | None:
        return await self._progress(info)

    async def _progress(self, info: strawberry.Info) -> int | None:
        """The progress roll-up (:func:`council.implementation.queries.progress_of`) through the loaders."""
        loaders, pid = info.context.loaders, self.row["id"]
        return progress_of(await loaders.milestones.load(pid), await loaders.progress.load(pid))

    @strawberry.field(
        description="Triggers the viewer may fire now: the engine's own rules (role, scope, owner, guards)."
    )
    async def available_transitions(self, info: strawberry.Info) -> list[str]:
        return [t.trigger for t in (await self._assessment(info)).options]

    @strawberry.field(
        description="Transitions from the current state that the viewer's role, scope and ownership "
        "allow but whose guards do not hold now, in file order, with why. Computed with "
        "availableTransitions from the same facts: a trigger is in exactly one of the two "
        "lists, or in neither when the viewer may not fire it at all (or it does not "
        "leave this state)."
    )
    async def blocked_transitions(self, info: strawberry.Info) -> list[BlockedTransition]:
        lang = info.context.lang
        return [
            BlockedTransition(
                trigger=b.trigger,
                label=b.spec.label.get(lang) or b.trigger,
                reasons=["; ".join(render(f.key, lang, **f.params) for f in way) for way in b.ways],
            )
            for b in (await self._assessment(info)).blocked
        ]

    @strawberry.field(
        description="The triggers of availableTransitions, in the same order, with their label in "
        "the request's language and whether the transition needs a comment."
    )
    async def transition_options(self, info: strawberry.Info) -> list[TransitionOption]:
        lang = info.context.lang
        return [
            TransitionOption(
                trigger=o.trigger, label=o.spec.label.get(lang) or o.trigger, comment_required=o.comment_required
            )
            for o in (await self._assessment(info)).options
        ]

    async def _assessment(self, info: strawberry.Info) -> Assessment:
        """The engine's one pass over the triggers for the viewer (available and blocked), once per object."""
        assessment: Assessment | None = self.memo.get("assessment")
        if assessment is None:
            loaders = info.context.loaders
            pid = self.row["id"]
            facts = build_facts(
                self.row,
                await loaders.reviews.load(pid),
                await loaders.ballot.load(pid),
                await self._progress(info),
                assigned_reviews=await assigned_reviews(info, self.row) if assigned_only(self.row) else None,
            )
            engine = get_registry().engine_for(self.row)
            assessment = self.memo["assessment"] = engine.assess(facts, info.context.principal)
        return assessment

    @strawberry.field(
        description="Operations outside the workflow the viewer may perform on this proposal now, by "
        "the mutations' own checks: any of updateProposal, submitReview, castVote, "
        "declareConflict (left out once declared), reportProgress (left out once it has milestones), "
        "addMilestone, defineKpi, reportSpending."
    )
    async def available_actions(self, info: strawberry.Info) -> list[str]:
        actor = info.context.principal
        recused = await self._recused(info)
        definition = get_registry().engine_for(self.row).definition
        return available_operations(
            actor,
            self.row["organization_id"],
            definition,
            self.row["state"],
            vote_denial=await self._vote_denial(info, recused),
            recused=recused,
            has_milestones=bool(await info.context.loaders.milestones.load(self.row["id"])),
            assigned=await viewer_assigned(info, self.row),
        )

    @strawberry.field(
        description="Why castVote would be refused for the viewer now (UNAUTHENTICATED, FORBIDDEN, "
        "CONFLICT_OF_INTEREST, VOTING_CLOSED), in the request's language; null exactly "
        "when castVote would be accepted."
    )
    async def vote_denial(self, info: strawberry.Info) -> UserError | None:
        error = await self._vote_denial(info, await self._recused(info))
        return user_error(error, info.context.lang) if error is not None else None

    async def _recused(self, info: strawberry.Info) -> bool:
        """Whether the viewer declared a conflict on this proposal (no statement for an anonymous viewer)."""
        member_id = info.context.principal.member_id
        if member_id is None:
            return False
        return any(r["member_id"] == member_id for r in await info.context.loaders.recusals.load(self.row["id"]))

    async def _vote_denial(self, info: strawberry.Info, recused: bool) -> DomainError | None:
        ballot = await info.context.loaders.ballot.load(self.row["id"])
        rule = get_registry().engine_for(self.row).definition.state(self.row["state"]).vote
        return vote_denial(info.context.principal, self.row, rule, ballot, recused=recused, now=clock.now())


@strawberry.type(description="A trigger the viewer may fire now, for a button: see Proposal.availableTransitions.")
class TransitionOption:
    trigger: str
    label: str = strawberry.field(
        description="The transition's label in the request's language (the workflow file's label, else the trigger)."
    )
    comment_required: bool = strawberry.field(description="transitionProposal needs a comment (a reason).")


@strawberry.type(
    description="A transition the viewer may not fire yet because its guards do not hold: see "
    "Proposal.blockedTransitions."
)
class BlockedTransition:
    trigger: str
    label: str = strawberry.field(
        description="The transition's label in the request's language (the workflow file's label, else the trigger)."
    )
    reasons: list[str] = strawberry.field(
        description="Alternatives: one reason per way the trigger could fire (close_vote: with a quorum, or at "
        "the deadline), any one of which clearing makes the trigger available. A reason names every "
        "guard of that way that does not hold (joined by '; ': all must come to hold), in the "
        "request's language with its parameters from the workflow file and the proposal's numbers "
        'now (e.g. "Needs at least 2 reviews this round, including 1 from a university (so far 1, 0 '
        'from a university)").'
    )


def readable(info: strawberry.Info, row: dict[str, Any] | None) -> bool:
    """True when the viewer may read the proposal row (see :mod:`council.auth.policy`)."""
    return row is not None and can_read_proposal(
        info.context.principal,
        organization_id=row["organization_id"],
        review_round=row["review_round"],
        published=row["published_at"] is not None,
    )
