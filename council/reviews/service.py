"""Technical reviews: the technical team and university reviewers score proposals."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from council.audit.chains import proposal_chain
from council.audit.service import append_event
from council.auth.policy import OPERATIONS, authorize, authorize_operation
from council.auth.principal import Principal
from council.enums import Recommendation
from council.errors import invalid
from council.events import broadcaster, proposal_channel
from council.proposals.models import Proposal
from council.proposals.queries import lock
from council.reviews.models import COMMENT_MAX, SCORE_MAX, SCORE_MIN, Review
from council.workflow.registry import get_registry

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
    :func:`council.auth.policy.operation_denial`). Submitting again in the
    same round replaces the actor's earlier review.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (needs ``reviews:write`` and the
            technical-team or university-reviewer role); NOT_FOUND;
            INVALID_TRANSITION (state not reviewable); INVALID_INPUT (scores,
            recommendation, comment over 10,000 characters).
    """
    from council.proposals.service import get_readable

    authorize(actor, OPERATIONS["submitReview"])
    row = await get_readable(actor, proposal_id)
    try:
        rec = Recommendation(str(recommendation).lower())
    except ValueError:
        raise invalid("required", "recommendation") from None
    clean = clean_scores(scores)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise invalid("too_long", "comment", max=COMMENT_MAX)
    definition = get_registry().engine_for(row).definition
    async with in_transaction():
        await lock(proposal_id)
        locked = await Proposal.filter(id=proposal_id).first().values("state", "review_round")
        authorize_operation("submitReview", actor, row["organization_id"], definition, locked["state"])
        review = await Review.filter(
            proposal_id=proposal_id, reviewer_id=actor.member_id, round=locked["review_round"]
        ).first()
        fields = {"recommendation": rec, "comment": comment, **clean}
        if review is None:
            review = await Review.create(
                proposal_id=proposal_id, reviewer_id=actor.member_id, organization_id=actor.organization_id,
                round=locked["review_round"], **fields,
            )
        else:
            await Review.filter(id=review.id).update(**fields)
        await append_event(
            proposal_chain(proposal_id), actor, "reviewed", comment=comment,
            data={"review": review.id, "round": locked["review_round"], "recommendation": rec.value, **clean},
        )
    await broadcaster.publish(proposal_channel(proposal_id), {"action": "reviewed", "proposal_id": proposal_id})
    return review.id
