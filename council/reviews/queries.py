"""Read side of reviews: batch queries the service and the DataLoaders share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from council.enums import AssignmentStatus
from council.reviews.models import Review, ReviewAssignment
from council.rows import group_rows

REVIEW_FIELDS = (
    "id",
    "proposal_id",
    "reviewer_id",
    "organization_id",
    "round",
    "recommendation",
    "feasibility",
    "impact",
    "cost_effectiveness",
    "alignment",
    "comment",
    "created_at",
)


async def reviews_for(proposal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every review of each proposal (all rounds), oldest first, as plain rows.

    Each row has :data:`REVIEW_FIELDS` plus ``from_university`` (bool): the
    reviewer's organisation was a university when the review was given.
    One SQL statement.
    """
    ids = list(set(proposal_ids))
    if not ids:
        return group_rows([])
    rows = await (
        Review.filter(proposal_id__in=ids)
        .order_by("created_at", "id")
        .values(*REVIEW_FIELDS, org_kind="organization__kind")
    )
    for row in rows:
        row["from_university"] = str(row.pop("org_kind")) == "university"
    return group_rows(rows)


async def proposal_of_review(review_id: int) -> int | None:
    """The id of the proposal a review is of, or None when there is no such review. One SQL statement."""
    proposal_id = await Review.filter(id=review_id).first().values_list("proposal_id", flat=True)
    return cast("int | None", proposal_id)  # tortoise types a flat values_list of one row as a tuple


ASSIGNMENT_FIELDS = (
    "id",
    "proposal_id",
    "reviewer_id",
    "organization_id",
    "round",
    "due_on",
    "status",
    "decline_reason",
    "review_id",
    "created_at",
)


async def assignments_for(proposal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every review assignment of each proposal (all rounds), oldest first, as plain rows. One SQL statement."""
    ids = list(set(proposal_ids))
    if not ids:
        return group_rows([])
    rows = await ReviewAssignment.filter(proposal_id__in=ids).order_by("id").values(*ASSIGNMENT_FIELDS)
    return group_rows(rows)


async def done_review_ids(proposal_id: int, review_round: int) -> frozenset[int]:
    """Ids of the reviews that completed an assignment of the proposal's round. One SQL statement."""
    ids = await ReviewAssignment.filter(
        proposal_id=proposal_id, round=review_round, status=AssignmentStatus.DONE, review_id__isnull=False
    ).values_list("review_id", flat=True)
    return frozenset(int(i) for i in ids)  # type: ignore[call-overload]
