"""Technical reviews: the technical team and university reviewers score proposals."""

from __future__ import annotations

from typing import Any, cast

from council.auth.principal import Principal
from council.enums import Recommendation
from council.errors import invalid
from council.proposals.unit import proposal_work
from council.reviews.assignments import complete_assignment
from council.reviews.models import COMMENT_MAX, SCORE_MAX, SCORE_MIN, Review

CRITERIA = ("feasibility", "impact", "cost_effectiveness", "alignment")
_API_NAMES = {"cost_effectiveness": "costEffectiveness"}


def clean_scores(scores: dict[str, object]) -> dict[str, int]:
    """The four rubric scores as integers 1 to 5.

    Raises:
        DomainError: INVALID_INPUT naming the first missing or out-of-range score.
    """
    result = {}
    for key in CRITERIA:
        value = scores.get(key)
        field = f"scores.{_API_NAMES.get(key, key)}"
        if isinstance(value, bool) or not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
            raise invalid("score_range", field)
        result[key] = value
    return result


async def submit_review(
    actor: Principal, proposal_id: int, *, recommendation: object, scores: dict[str, object], comment: str = ""
) -> int:
    """Record the actor's review for the proposal's current review round; return the review id.

    Allowed in states the workflow marks ``reviewable`` (``technical_review``;
    :func:`council.workflow.permissions.operation_denial`). Submitting again in the
    same round replaces the actor's earlier review. The actor's pending
    assignment of the round turns done with it; under a state's
    ``review: {assigned_only: true}`` only assignees and the technical team
    may review (:mod:`council.reviews.assignments`). Runs in the write recipe
    (:func:`~council.proposals.unit.proposal_work`).

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (needs ``reviews:write`` and the
            technical-team or university-reviewer role; ``not_assigned`` under
            ``assigned_only``); NOT_FOUND;
            INVALID_TRANSITION (state not reviewable); INVALID_INPUT (scores,
            recommendation, comment over 10,000 characters).
    """
    async with proposal_work(actor, proposal_id, "submitReview") as w:
        try:
            rec = Recommendation(str(recommendation).lower())
        except ValueError:
            raise invalid("required", "recommendation") from None
        clean = clean_scores(scores)
        comment = (comment or "").strip()
        if len(comment) > COMMENT_MAX:
            raise invalid("too_long", "comment", max=COMMENT_MAX)
        review_round = w.row["review_round"]
        fields: dict[str, Any] = {"recommendation": rec, "comment": comment, **clean}
        # tortoise types a flat values_list of one row as a tuple
        review_id = cast(
            "int | None",
            await Review.filter(proposal_id=proposal_id, reviewer_id=actor.member_id, round=review_round)
            .first()
            .values_list("id", flat=True),
        )
        if review_id is None:
            review_id = (
                await Review.create(
                    proposal_id=proposal_id,
                    reviewer_id=actor.member_id,
                    organization_id=actor.organization_id,
                    round=review_round,
                    **fields,
                )
            ).id
        else:
            await Review.filter(id=review_id).update(**fields)
        done = await complete_assignment(w, int(review_id))
        await w.record(
            "reviewed",
            comment=comment,
            data={
                "review": review_id,
                "round": review_round,
                "recommendation": rec.value,
                **clean,
                **({"assignment": done[0]} if done else {}),
            },
        )
        w.announce("reviewed")
    return int(review_id)
