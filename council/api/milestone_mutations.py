"""Milestone mutations: ``addMilestone``, ``updateMilestone``, ``completeMilestone``, ``reopenMilestone``.

Each reads its input, calls one service of :mod:`council.implementation.milestones`
and answers a :class:`MilestonePayload` (the recipe of :mod:`council.api.mutations`).
"""

from __future__ import annotations

from datetime import date

import strawberry

from council.api.errors import UserError
from council.api.evidence import evidence_pks
from council.api.ids import from_global_id
from council.api.milestones import Milestone, MilestoneStatus
from council.api.mutations import mutation_recipe
from council.api.proposals import load_proposal, proposal_pk
from council.api.types import Proposal, readable
from council.implementation import milestones as service


@strawberry.type
class MilestonePayload:
    milestone_id: strawberry.Private[int | None] = None
    proposal_id: strawberry.Private[int | None] = None

    @strawberry.field
    async def milestone(self, info: strawberry.Info) -> Milestone | None:
        if self.proposal_id is None or not readable(info, await info.context.loaders.proposal.load(self.proposal_id)):
            return None
        rows = await info.context.loaders.milestones.load(self.proposal_id)
        return next((Milestone.from_row(r) for r in rows if r["id"] == self.milestone_id), None)

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        return None if self.proposal_id is None else await load_proposal(info, self.proposal_id)

    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AddMilestoneInput:
    proposal_id: strawberry.ID
    title: str = strawberry.field(description="1-255 characters, not blank.")
    due_on: date = strawberry.field(description="The day it is due (city time zone).")
    description: str | None = None
    weight: int | None = strawberry.field(default=1, description="1-100: its share of the progress roll-up.")


@strawberry.input(description="Fields left null are unchanged.")
class UpdateMilestoneInput:
    milestone_id: strawberry.ID
    title: str | None = None
    description: str | None = None
    due_on: date | None = strawberry.field(default=None, description="A new due date re-arms its LATE timer.")
    weight: int | None = None
    status: MilestoneStatus | None = strawberry.field(
        default=None, description="Only PLANNED or IN_PROGRESS may be set here."
    )


@strawberry.input
class CompleteMilestoneInput:
    milestone_id: strawberry.ID
    done_on: date | None = strawberry.field(default=None, description="Default: today in the city's time zone.")
    note: str | None = None
    evidence_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="EvidenceFile ids from POST /uploads, not attached yet (at most 20)."
    )


@strawberry.input
class ReopenMilestoneInput:
    milestone_id: strawberry.ID
    reason: str = strawberry.field(description="Why it is not done after all (required).")


def milestone_pk(value: str) -> int:
    """The primary key of a Milestone global ID (INVALID_INPUT on field milestoneId otherwise)."""
    return from_global_id(value, "Milestone", "milestoneId")[1]


@strawberry.type
class MilestoneMutations:
    @strawberry.mutation(description="Plan a milestone of a quick win (owning OPD). Needs implementation:write.")
    @mutation_recipe(MilestonePayload)
    async def add_milestone(self, info: strawberry.Info, input: AddMilestoneInput) -> MilestonePayload:
        pk = proposal_pk(input.proposal_id)
        mid = await service.add_milestone(
            info.context.principal,
            pk,
            title=input.title,
            description=input.description or "",
            due_on=input.due_on,
            weight=1 if input.weight is None else input.weight,
        )
        return MilestonePayload(milestone_id=mid, proposal_id=pk)

    @strawberry.mutation(description="Change an open milestone (owning OPD). Needs implementation:write.")
    @mutation_recipe(MilestonePayload)
    async def update_milestone(self, info: strawberry.Info, input: UpdateMilestoneInput) -> MilestonePayload:
        mid = milestone_pk(input.milestone_id)
        pk = await service.update_milestone(
            info.context.principal,
            mid,
            title=input.title,
            description=input.description,
            due_on=input.due_on,
            weight=input.weight,
            status=input.status,
        )
        return MilestonePayload(milestone_id=mid, proposal_id=pk)

    @strawberry.mutation(
        description="Mark a milestone done, with a note and evidence files (owning OPD). Needs implementation:write."
    )
    @mutation_recipe(MilestonePayload)
    async def complete_milestone(self, info: strawberry.Info, input: CompleteMilestoneInput) -> MilestonePayload:
        mid = milestone_pk(input.milestone_id)
        pk = await service.complete_milestone(
            info.context.principal,
            mid,
            done_on=input.done_on,
            note=input.note or "",
            evidence_ids=evidence_pks(input.evidence_ids),
        )
        return MilestonePayload(milestone_id=mid, proposal_id=pk)

    @strawberry.mutation(description="Reopen a done milestone, with a reason (technical team). Needs reviews:write.")
    @mutation_recipe(MilestonePayload)
    async def reopen_milestone(self, info: strawberry.Info, input: ReopenMilestoneInput) -> MilestonePayload:
        mid = milestone_pk(input.milestone_id)
        pk = await service.reopen_milestone(info.context.principal, mid, reason=input.reason)
        return MilestonePayload(milestone_id=mid, proposal_id=pk)
