"""Review assignments in GraphQL: the ``ReviewAssignment`` type and ``Proposal.assignments``.

The mutations (``assignReviewers``, ``declineAssignment``) are in
:mod:`council.api.assignment_mutations`; the rules in :mod:`council.reviews.assignments`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from council import enums
from council.api.ids import to_global_id
from council.api.members import Member, Node, Organization

AssignmentStatus = strawberry.enum(
    enums.AssignmentStatus, description="A review assignment: pending, done (reviewed) or declined with a reason."
)


@strawberry.type(
    description="A request of the technical team to a member, or to a university (any of its reviewers), to "
    "review a proposal by a date."
)
class ReviewAssignment(Node):
    due_on: date = strawberry.field(description="The day the review is due, in the city's time zone.")
    status: AssignmentStatus  # type: ignore[valid-type]
    decline_reason: str | None = strawberry.field(description="Why the assignee declined, or null.")
    round: int = strawberry.field(description="The proposal's review round the assignment is for.")
    created_at: datetime
    reviewer_id: strawberry.Private[int | None]
    organization_id: strawberry.Private[int | None]

    @strawberry.field(description="The member assigned, or null for an organisation's assignment.")
    async def reviewer(self, info: strawberry.Info) -> Member | None:
        if self.reviewer_id is None:
            return None
        return Member.from_row(await info.context.loaders.member.load(self.reviewer_id))

    @strawberry.field(description="The university assigned (any of its reviewers may take it), or null.")
    async def organization(self, info: strawberry.Info) -> Organization | None:
        if self.organization_id is None:
            return None
        return Organization.from_row(await info.context.loaders.organization.load(self.organization_id))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ReviewAssignment:
        return cls(
            id=strawberry.ID(to_global_id("ReviewAssignment", row["id"])),
            due_on=row["due_on"],
            status=enums.AssignmentStatus(row["status"]),
            decline_reason=row["decline_reason"] or None,
            round=row["round"],
            created_at=row["created_at"],
            reviewer_id=row["reviewer_id"],
            organization_id=row["organization_id"],
        )


async def assignments_of(root: Any, info: strawberry.Info) -> list[ReviewAssignment]:
    """``Proposal.assignments``: every round's, oldest first (``root`` is a ``Proposal`` with its ``row``).

    Who may read the proposal (and so its reviews) may read them.
    """
    return [ReviewAssignment.from_row(r) for r in await info.context.loaders.assignments.load(root.row["id"])]


async def viewer_assigned(info: strawberry.Info, row: dict[str, Any]) -> bool:
    """Whether the viewer (or the viewer's organisation) holds a pending or done assignment of the row's round."""
    actor = info.context.principal
    if actor.member_id is None:
        return False
    return any(
        r["round"] == row["review_round"]
        and str(r["status"]) != enums.AssignmentStatus.DECLINED.value
        and (
            r["reviewer_id"] == actor.member_id
            or (r["organization_id"] is not None and r["organization_id"] == actor.organization_id)
        )
        for r in await info.context.loaders.assignments.load(row["id"])
    )


async def assigned_reviews(info: strawberry.Info, row: dict[str, Any]) -> frozenset[int]:
    """Ids of the reviews that completed an assignment of the row's round (for ``min_reviews`` under assigned_only)."""
    return frozenset(
        r["review_id"]
        for r in await info.context.loaders.assignments.load(row["id"])
        if r["round"] == row["review_round"]
        and str(r["status"]) == enums.AssignmentStatus.DONE.value
        and r["review_id"]
    )
