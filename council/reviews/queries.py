"""Read side of reviews: batch queries the service and the DataLoaders share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from council.reviews.models import Review
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
