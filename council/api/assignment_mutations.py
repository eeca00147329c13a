"""Reviewer assignment mutations: ``assignReviewers`` (technical team) and ``declineAssignment`` (the assignee)."""

from __future__ import annotations

from datetime import date

import strawberry

from council.api.assignments import ReviewAssignment
from council.api.errors import UserError
from council.api.ids import from_global_id
from council.api.mutations import mutation_recipe
from council.api.proposals import load_proposal, proposal_pk
from council.api.types import Proposal
from council.reviews import assignments as service


@strawberry.input
class AssignReviewersInput:
    proposal_id: strawberry.ID
    due_on: date = strawberry.field(description="The day the review is due (city time zone), today or later.")
    reviewer_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Members holding university_reviewer or technical_team."
    )
    organization_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Universities: any of their reviewers may take the assignment."
    )


@strawberry.type
class AssignReviewersPayload:
    proposal_id: strawberry.Private[int | None] = None
    assignment_ids: strawberry.Private[list[int] | None] = None
    errors: list[UserError] = strawberry.field(default_factory=list)

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        return None if self.proposal_id is None else await load_proposal(info, self.proposal_id)

    @strawberry.field(description="The assignments this call created.")
    async def assignments(self, info: strawberry.Info) -> list[ReviewAssignment] | None:
        if self.proposal_id is None or self.assignment_ids is None:
            return None
        rows = await info.context.loaders.assignments.load(self.proposal_id)
        return [ReviewAssignment.from_row(r) for r in rows if r["id"] in self.assignment_ids]


@strawberry.input
class DeclineAssignmentInput:
    assignment_id: strawberry.ID
    reason: str


@strawberry.type
class DeclineAssignmentPayload:
    proposal_id: strawberry.Private[int | None] = None
    assignment_id: strawberry.Private[int | None] = None
    errors: list[UserError] = strawberry.field(default_factory=list)

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        return None if self.proposal_id is None else await load_proposal(info, self.proposal_id)

    @strawberry.field
    async def assignment(self, info: strawberry.Info) -> ReviewAssignment | None:
        if self.proposal_id is None:
            return None
        rows = await info.context.loaders.assignments.load(self.proposal_id)
        return next((ReviewAssignment.from_row(r) for r in rows if r["id"] == self.assignment_id), None)


@strawberry.type
class AssignmentMutations:
    @strawberry.mutation(
        description="Assign the proposal's review round to members and universities, due on a date (technical "
        "team, in technical review). Assigning someone who already holds a pending or done assignment of the "
        "round is refused (INVALID_INPUT already_assigned)."
    )
    @mutation_recipe(AssignReviewersPayload)
    async def assign_reviewers(self, info: strawberry.Info, input: AssignReviewersInput) -> AssignReviewersPayload:
        pk = proposal_pk(input.proposal_id)
        members = [from_global_id(v, "Member", "reviewerIds")[1] for v in input.reviewer_ids]
        orgs = [from_global_id(v, "Organization", "organizationIds")[1] for v in input.organization_ids]
        ids = await service.assign_reviewers(
            info.context.principal, pk, reviewer_ids=members, organization_ids=orgs, due_on=input.due_on
        )
        return AssignReviewersPayload(proposal_id=pk, assignment_ids=ids)

    @strawberry.mutation(description="Decline a pending review assignment with a reason (the assignee).")
    @mutation_recipe(DeclineAssignmentPayload)
    async def decline_assignment(
        self, info: strawberry.Info, input: DeclineAssignmentInput
    ) -> DeclineAssignmentPayload:
        pk = from_global_id(input.assignment_id, "ReviewAssignment", "assignmentId")[1]
        proposal_id = await service.decline_assignment(info.context.principal, pk, input.reason)
        return DeclineAssignmentPayload(proposal_id=proposal_id, assignment_id=pk)
