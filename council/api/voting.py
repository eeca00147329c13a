"""Votes in GraphQL: ``castVote`` and ``declareConflict``."""

from __future__ import annotations

import strawberry

from council import enums as domain
from council.api.enums import VoteChoice
from council.api.errors import UserError
from council.api.mutations import mutation_recipe
from council.api.proposals import load_proposal, proposal_pk
from council.api.types import Ballot, Proposal, Recusal
from council.voting import recusals, service


@strawberry.input
class CastVoteInput:
    proposal_id: strawberry.ID
    choice: VoteChoice


async def _ballot(info: strawberry.Info, proposal_id: int | None) -> Ballot | None:
    row = None if proposal_id is None else await info.context.loaders.ballot.load(proposal_id)
    return None if row is None else Ballot.from_row(row)


@strawberry.type
class CastVotePayload:
    proposal_id: strawberry.Private[int | None] = None

    @strawberry.field
    async def ballot(self, info: strawberry.Info) -> Ballot | None:
        return await _ballot(info, self.proposal_id)

    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeclareConflictInput:
    proposal_id: strawberry.ID
    reason: str = strawberry.field(description="Why: shown on the ballot and kept in the audit chain.")


@strawberry.type
class DeclareConflictPayload:
    recusal_id: strawberry.Private[int | None] = None
    proposal_id: strawberry.Private[int | None] = None

    @strawberry.field
    async def recusal(self, info: strawberry.Info) -> Recusal | None:
        if self.proposal_id is None:
            return None
        rows = await info.context.loaders.recusals.load(self.proposal_id)
        return next((Recusal.from_row(r) for r in rows if r["id"] == self.recusal_id), None)

    @strawberry.field(description="The proposal's latest ballot, if any.")
    async def ballot(self, info: strawberry.Info) -> Ballot | None:
        return await _ballot(info, self.proposal_id)

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        return None if self.proposal_id is None else await load_proposal(info, self.proposal_id)

    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class VotingMutations:
    @strawberry.mutation(
        description="Cast or change the viewer's vote on the proposal's open ballot. Needs votes:write."
    )
    @mutation_recipe(CastVotePayload)
    async def cast_vote(self, info: strawberry.Info, input: CastVoteInput) -> CastVotePayload:
        pk = proposal_pk(input.proposal_id)
        await service.cast_vote(info.context.principal, pk, domain.VoteChoice(input.choice))
        return CastVotePayload(proposal_id=pk)

    @strawberry.mutation(
        description="Declare the viewer's conflict of interest on a proposal: out of its open "
        "ballot (a vote cast is withdrawn) and of later ones. Council members; "
        "needs votes:write."
    )
    @mutation_recipe(DeclareConflictPayload)
    async def declare_conflict(self, info: strawberry.Info, input: DeclareConflictInput) -> DeclareConflictPayload:
        pk = proposal_pk(input.proposal_id)
        recusal_id = await recusals.declare_conflict(info.context.principal, pk, input.reason)
        return DeclareConflictPayload(recusal_id=recusal_id, proposal_id=pk)
