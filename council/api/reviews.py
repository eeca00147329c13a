"""Reviews in GraphQL: ``submitReview``."""

from __future__ import annotations

import strawberry

from council import enums as domain
from council.api.enums import Recommendation
from council.api.errors import UserError, with_errors
from council.api.proposals import fresh_proposal, proposal_pk
from council.api.types import Proposal, Review
from council.reviews import service
from council.reviews.queries import reviews_for


@strawberry.input(description="Rubric scores, each 1 to 5.")
class ScoresInput:
    feasibility: int
    impact: int
    cost_effectiveness: int
    alignment: int


@strawberry.input
class SubmitReviewInput:
    proposal_id: strawberry.ID
    recommendation: Recommendation
    scores: ScoresInput
    comment: str | None = None


@strawberry.type
class SubmitReviewPayload:
    review: Review | None = None
    proposal: Proposal | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReviewMutations:
    @strawberry.mutation(description="Review a proposal in technical review (technical team, university reviewers).")
    @with_errors(SubmitReviewPayload)
    async def submit_review(self, info: strawberry.Info, input: SubmitReviewInput) -> SubmitReviewPayload:  # noqa: A002
        pk = proposal_pk(input.proposal_id)
        s = input.scores
        review_id = await service.submit_review(
            info.context.principal, pk, recommendation=domain.Recommendation(input.recommendation),
            scores={"feasibility": s.feasibility, "impact": s.impact,
                    "cost_effectiveness": s.cost_effectiveness, "alignment": s.alignment},
            comment=input.comment or "",
        )
        proposal = await fresh_proposal(info, pk)
        row = next(r for r in (await reviews_for([pk]))[pk] if r["id"] == review_id)
        return SubmitReviewPayload(review=Review.from_row(row), proposal=proposal)
