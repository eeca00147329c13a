"""Votes in GraphQL: ``castVote`` and ``declareConflict``."""

from __future__ import annotations

from contextlib import suppress

import strawberry

from council import enums as domain
from council.api.enums import VoteChoice
from council.api.errors import UserError, with_errors
from council.api.proposals import fresh_proposal, proposal_pk
from council.api.types import Ballot, Proposal, Recusal
from council.voting import recusals, service


@strawberry.input
class CastVoteInput:
    proposal_id: strawberry.ID
    choice: VoteChoice


@strawberry.type
class CastVotePayload:
    ballot: Ballot | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeclareConflictInput:
    proposal_id: strawberry.ID
    reason: str = strawberry.field(description="Why: shown on the ballot and kept in the audit chain.")


@strawberry.type
class DeclareConflictPayload:
    recusal: Recusal | None = None
    ballot: Ballot | None = strawberry.field(default=None, description="The proposal's latest ballot, if any.")
    proposal: Proposal | None = None
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

    @strawberry.mutation(description="Declare the viewer's conflict of interest on a proposal: out of its open "
                                     "ballot (a vote cast is withdrawn) and of later ones. Council members; "
                                     "needs votes:write.")
    @with_errors(DeclareConflictPayload)
    async def declare_conflict(self, info: strawberry.Info, input: DeclareConflictInput) -> DeclareConflictPayload:  # noqa: A002
        pk = proposal_pk(input.proposal_id)
        recusal_id = await recusals.declare_conflict(info.context.principal, pk, input.reason)
        proposal = await fresh_proposal(info, pk)
        with suppress(KeyError):  # strawberry's DataLoader.clear raises KeyError for a key never loaded
            info.context.loaders.recusals.clear(pk)
        info.context.loaders.my_vote.clear_all()
        row = next(r for r in await info.context.loaders.recusals.load(pk) if r["id"] == recusal_id)
        ballot = await info.context.loaders.ballot.load(pk)
        return DeclareConflictPayload(recusal=Recusal.from_row(row), ballot=Ballot.from_row(ballot) if ballot else None,
                                      proposal=proposal)
