"""Reviews in GraphQL: ``submitReview``."""

from __future__ import annotations

import strawberry

from council import enums as domain
from council.api.enums import Recommendation
from council.api.errors import UserError
from council.api.mutations import mutation_recipe
from council.api.proposals import load_proposal, proposal_pk
from council.api.types import Proposal, Review
from council.reviews import service


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
    review_id: strawberry.Private[int | None] = None
    proposal_id: strawberry.Private[int | None] = None

    @strawberry.field
    async def review(self, info: strawberry.Info) -> Review | None:
        if self.proposal_id is None:
            return None
        rows = await info.context.loaders.reviews.load(self.proposal_id)
        return next((Review.from_row(r) for r in rows if r["id"] == self.review_id), None)

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        return None if self.proposal_id is None else await load_proposal(info, self.proposal_id)

    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReviewMutations:
    @strawberry.mutation(description="Review a proposal in technical review (technical team, university reviewers).")
    @mutation_recipe(SubmitReviewPayload)
    async def submit_review(self, info: strawberry.Info, input: SubmitReviewInput) -> SubmitReviewPayload:
        pk = proposal_pk(input.proposal_id)
        s = input.scores
        review_id = await service.submit_review(
            info.context.principal,
            pk,
            recommendation=domain.Recommendation(input.recommendation),
            scores={
                "feasibility": s.feasibility,
                "impact": s.impact,
                "cost_effectiveness": s.cost_effectiveness,
                "alignment": s.alignment,
            },
            comment=input.comment or "",
        )
        return SubmitReviewPayload(review_id=review_id, proposal_id=pk)
