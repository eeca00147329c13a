"""Votes: a council member casts or changes a vote on the proposal's open ballot.

The electorate and so ``eligible_count`` are fixed when the ballot opens
(:mod:`council.voting.ballots`): a member deactivated or stripped of the
council role while the ballot runs still counts in ``eligible_count``, and a
vote they cast before stays counted (it was cast with the right to vote);
they can no longer cast or change one. A member who joins the council later
does not vote on a ballot already open.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from council import metrics
from council.auth.policy import denial
from council.auth.principal import Principal
from council.enums import VoteChoice
from council.errors import DomainError, ErrorCode, forbidden, invalid
from council.proposals.unit import proposal_work
from council.voting.models import Recusal, Vote
from council.voting.queries import open_ballot_with_vote
from council.workflow.definition import VoteRule
from council.workflow.permissions import vote_rule


def _clean_choice(choice: object) -> VoteChoice:
    try:
        return VoteChoice(str(choice).lower())
    except ValueError:
        raise invalid("required", "choice") from None


def may_vote(ballot: dict[str, Any], member_id: int | None) -> bool:
    """Whether the member is in the ballot's electorate (any holder of the role, for ballots without one)."""
    return ballot["electorate"] is None or member_id in ballot["electorate"]


def seat_denial(actor: Principal, owner_organization_id: int, rule: VoteRule | None) -> DomainError | None:
    """The checks of :func:`vote_denial` that need no ballot: the vote rule, then the owning organisation.

    UNAUTHENTICATED; FORBIDDEN (``votes:write``, an eligible role of
    ``rule``, from the workflow file); CONFLICT_OF_INTEREST (``actor`` is a
    member of the owning organisation).
    """
    error = denial(actor, vote_rule(rule))
    if error is not None:
        return error
    if actor.organization_id == owner_organization_id:
        return DomainError(ErrorCode.CONFLICT_OF_INTEREST, "conflict_of_interest")
    return None


def vote_denial(
    actor: Principal,
    proposal: dict[str, Any],
    rule: VoteRule | None,
    ballot: dict[str, Any] | None,
    *,
    recused: bool,
    now: datetime,
) -> DomainError | None:
    """Why ``castVote`` by ``actor`` on the proposal is refused at ``now`` (UTC), or None: the one rule.

    A pure function over rows already read, shared by :func:`cast_vote`
    (rows read under the proposal's lock) and ``Proposal.voteDenial`` (rows
    from the request's loaders).

    Args:
        proposal: the proposal row (``organization_id``, ``review_round``).
        rule: the vote of the proposal's current state (workflow file), None when it holds none.
        ballot: the proposal's latest ballot row (needs ``round``, ``closed_at``,
            ``closes_at``, ``electorate``), or None.
        recused: whether ``actor`` declared a conflict on the proposal; read
            only when they are not in the ballot's electorate.

    Returns, in this order: :func:`seat_denial`'s error; VOTING_CLOSED (the
    state holds no vote, no open ballot of the current review round, or its
    deadline ``closes_at`` has come); CONFLICT_OF_INTEREST (``recused``:
    declared a conflict); FORBIDDEN (not in the electorate fixed when the
    ballot opened); else None.
    """
    error = seat_denial(actor, proposal["organization_id"], rule)
    if error is not None:
        return error
    if (
        rule is None
        or ballot is None
        or ballot["closed_at"] is not None
        or ballot["round"] != proposal["review_round"]
        or (ballot["closes_at"] is not None and now >= ballot["closes_at"])
    ):
        return DomainError(ErrorCode.VOTING_CLOSED, "voting_closed")
    if not may_vote(ballot, actor.member_id):
        return DomainError(ErrorCode.CONFLICT_OF_INTEREST, "recused") if recused else forbidden("not_in_electorate")
    return None


async def cast_vote(actor: Principal, proposal_id: int, choice: object) -> int:
    """Record or change ``actor``'s vote on the proposal's open ballot; return the ballot id.

    One vote per member per ballot (a UNIQUE constraint); voting again
    changes the vote until the ballot closes; the same choice again changes
    nothing. The write recipe (:func:`~council.proposals.unit.proposal_work`)
    locks the proposal, so the vote cannot slip past a close. A ballot takes no
    vote from its deadline on (``closes_at``), even before a scheduler has
    closed it. Who may vote: :func:`seat_denial` on the locked row (the
    recipe's ``permit``), then :func:`vote_denial` with the ballot.
    In the transaction: the proposal locked and read, the ballot with the
    member's vote, the vote written, the audit event (two statements).

    Raises:
        DomainError: NOT_FOUND; then as :func:`vote_denial` (UNAUTHENTICATED;
            FORBIDDEN; CONFLICT_OF_INTEREST; VOTING_CLOSED), INVALID_INPUT
            (choice) coming after the checks that need no ballot; CONFLICT.
    """

    def permit(row: dict[str, Any], definition: Any) -> DomainError | None:
        return seat_denial(actor, row["organization_id"], definition.state(row["state"]).vote)

    async with proposal_work(actor, proposal_id, permit=permit) as w:
        vote_choice = _clean_choice(choice)
        ballot = await open_ballot_with_vote(proposal_id, w.row["review_round"], actor.member_id)
        recused = (
            ballot is not None
            and not may_vote(ballot, actor.member_id)
            and await Recusal.exists(proposal_id=proposal_id, member_id=actor.member_id)
        )
        error = vote_denial(actor, w.row, w.definition.state(w.row["state"]).vote, ballot, recused=recused, now=w.now)
        if error is not None:
            raise error
        assert ballot is not None  # vote_denial refuses a missing ballot
        ballot_id, previous = ballot["id"], ballot["my_choice"]
        if previous == vote_choice.value:
            return int(ballot_id)
        try:
            if previous is None:
                await Vote.create(
                    ballot_id=ballot_id, member_id=actor.member_id, choice=vote_choice, cast_at=w.now, changed_at=w.now
                )
            else:
                await Vote.filter(id=ballot["my_vote_id"]).update(choice=vote_choice, changed_at=w.now)
        except IntegrityError:
            raise DomainError(ErrorCode.CONFLICT, "conflict") from None
        data: dict[str, Any] = {"ballot": ballot_id}
        if ballot["votes_public"] and not ballot["hide_tally"]:  # who chose what: only on a public-votes ballot
            data |= {"choice": vote_choice.value} | ({"previous": previous} if previous else {})
        await w.record("vote_changed" if previous else "vote_cast", data=data)
        w.announce("vote", ballot_id=ballot_id)
    metrics.VOTES_CAST.labels(kind="changed" if previous else "new").inc()  # committed
    return int(ballot_id)
