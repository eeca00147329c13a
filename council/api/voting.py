"""Votes in GraphQL: ``castVote``."""

from __future__ import annotations

import strawberry

from council import enums as domain
from council.api.enums import VoteChoice
from council.api.errors import UserError, with_errors
from council.api.proposals import fresh_proposal, proposal_pk
from council.api.types import Ballot
from council.voting import service


@strawberry.input
class CastVoteInput:
    proposal_id: strawberry.ID
    choice: VoteChoice


@strawberry.type
class CastVotePayload:
    ballot: Ballot | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class VotingMutations:
    @strawberry.mutation(description="Cast or change the viewer's vote on the proposal's open ballot. Needs votes:write.")
    @with_errors(CastVotePayload)
    async def cast_vote(self, info: strawberry.Info, input: CastVoteInput) -> CastVotePayload:  # noqa: A002
        pk = proposal_pk(input.proposal_id)
        await service.cast_vote(info.context.principal, pk, domain.VoteChoice(input.choice))
        await fresh_proposal(info, pk)
        info.context.loaders.my_vote.clear_all()
        row = await info.context.loaders.ballot.load(pk)
        return CastVotePayload(ballot=Ballot.from_row(row))
