"""Council ballots: open on entering a voting state, votes, close with a stored result.

The rules of a ballot (eligible roles, quorum, threshold and its base,
window, hidden tally, what a deadline without quorum does) come from the
``vote`` of the state in the workflow file and are copied into the ballot
when it opens (:func:`open_ballot`), with its electorate: the active holders
of an eligible role outside the proposal's owning organisation (a member of
it has a conflict of interest), less those who declared a conflict
(:mod:`council.voting.recusals`).

The electorate and so ``eligible_count`` are fixed at opening: a member
deactivated or stripped of the council role while the ballot runs still
counts in ``eligible_count``, and a vote they cast before stays counted (it
was cast with the right to vote); they can no longer cast or change one. A
member who joins the council later does not vote on a ballot already open.

While a ballot hides its tally, the audit events of votes say that a member
voted, not how; the choices go into the audit event that closes the ballot
(``data.ballot.votes``), so the chain holds every choice once the vote is over.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council import clock
from council.audit.chains import proposal_chain
from council.audit.service import append_event
from council.auth.policy import denial, vote_rule
from council.auth.principal import Principal
from council.enums import BallotResult, VoteChoice
from council.errors import DomainError, ErrorCode, forbidden, invalid
from council.events import broadcaster, proposal_channel
from council.organizations.models import Member
from council.proposals.models import Proposal
from council.proposals.queries import lock
from council.voting.models import Ballot, Recusal, Vote
from council.voting.queries import live_tallies
from council.workflow.definition import TransitionSpec, VoteRule, exceeds
from council.workflow.registry import get_registry

DECIDING_GUARDS = frozenset({"quorum_met", "majority_yes", "deadline_passed"})


async def electorate(rule: VoteRule, owner_organization_id: int, proposal_id: int) -> list[int]:
    """Ids of the members who may vote: active, holding an eligible role, not of the owning organisation, not recused."""
    members = await Member.filter(is_active=True).exclude(organization_id=owner_organization_id).values_list(
        "id", "roles"
    )
    recused = set(await Recusal.filter(proposal_id=proposal_id).values_list("member_id", flat=True))
    return sorted(m for m, roles in members if rule.eligible_roles & set(roles or ()) and m not in recused)


async def open_ballot(proposal: dict[str, Any], rule: VoteRule, review_round: int, now: datetime) -> Ballot:
    """Open the ballot of ``review_round`` with ``rule`` copied in; call inside the transition's transaction.

    ``closes_at`` is ``now`` + the rule's window (None without one).
    """
    voters = await electorate(rule, proposal["organization_id"], proposal["id"])
    return await Ballot.create(
        proposal_id=proposal["id"],
        round=review_round,
        opens_at=now,
        closes_at=now + rule.window if rule.window else None,
        eligible_count=len(voters),
        quorum_required=rule.quorum_required(len(voters)),
        threshold=rule.threshold,
        threshold_of=rule.threshold_of,
        quorum_share=rule.quorum,
        quorum_count=rule.quorum_count,
        eligible_roles=sorted(rule.eligible_roles),
        electorate=voters,
        hide_tally=rule.hide_tally,
        window_seconds=int(rule.window.total_seconds()) if rule.window else None,
        on_no_quorum=rule.on_no_quorum,
    )


def outcome(ballot: dict[str, Any], yes: int, no: int, abstain: int) -> BallotResult:
    """APPROVED, REJECTED or NO_QUORUM from the counts and the ballot's stored rules.

    NO_QUORUM: fewer than ``quorum_required`` votes (abstentions count).
    APPROVED: yes exceeds ``threshold`` of the base (``yes_no``: yes + no;
    ``cast``: every vote), the base not empty. Otherwise REJECTED (ties and
    all-abstain included).
    """
    if yes + no + abstain < ballot["quorum_required"]:
        return BallotResult.NO_QUORUM
    base = yes + no + abstain if ballot["threshold_of"] == "cast" else yes + no
    if base > 0 and exceeds(yes, ballot["threshold"], base):
        return BallotResult.APPROVED
    return BallotResult.REJECTED


async def open_ballot_row(proposal_id: int) -> dict[str, Any] | None:
    """The proposal's open ballot (the highest round not closed), as a plain row, or None."""
    return await Ballot.filter(proposal_id=proposal_id, closed_at__isnull=True).order_by("-round").first().values()


async def close_ballot(
    actor: Principal, proposal: dict[str, Any], spec: TransitionSpec, now: datetime, *, by_deadline: bool = False
) -> dict[str, Any]:
    """Close the proposal's open ballot, storing counts and result; a summary for the audit event.

    The result is the vote's outcome when the transition is decided by the
    vote (it has a ``quorum_met``, ``majority_yes`` or ``deadline_passed``
    guard), else CANCELLED (e.g. the proposal was withdrawn). ``closed_by`` is
    the actor's member (null for the system); ``by_deadline`` marks a close by
    the ballot's deadline. A hidden ballot's choices join the summary.
    """
    ballot = await open_ballot_row(proposal["id"])
    if ballot is None:
        return {}
    yes, no, abstain = (await live_tallies([ballot["id"]]))[ballot["id"]]
    decided = any(g.name in DECIDING_GUARDS for g in spec.guards)
    result = outcome(ballot, yes, no, abstain) if decided else BallotResult.CANCELLED
    await Ballot.filter(id=ballot["id"], closed_at__isnull=True).update(
        closed_at=now, closed_by_id=actor.member_id, closed_by_deadline=by_deadline, result=result,
        yes_count=yes, no_count=no, abstain_count=abstain,
    )
    summary = {
        "id": ballot["id"], "result": result.value, "yes": yes, "no": no, "abstain": abstain,
        "eligible": ballot["eligible_count"], "quorum_required": ballot["quorum_required"],
        "threshold": ballot["threshold"], "threshold_of": ballot["threshold_of"],
        "closed_by": "deadline" if by_deadline else (actor.username or "system"),
    }
    if ballot["hide_tally"]:
        rows = await Vote.filter(ballot_id=ballot["id"]).order_by("member__username").values(
            "member__username", "choice"
        )
        summary["votes"] = {r["member__username"]: str(r["choice"]) for r in rows}
    return summary


async def extend_ballot(ballot: dict[str, Any]) -> datetime | None:
    """Move an open ballot's deadline on by its window, once; the new ``closes_at`` or None if it cannot.

    The new deadline counts from the old one (not from the moment the timer
    fired), so a deadline missed while no scheduler ran keeps its schedule.
    """
    if ballot["extended"] or not ballot["window_seconds"] or ballot["closes_at"] is None:
        return None
    closes_at = ballot["closes_at"] + timedelta(seconds=ballot["window_seconds"])
    n = await Ballot.filter(id=ballot["id"], closed_at__isnull=True, extended=False).update(
        closes_at=closes_at, extended=True
    )
    return closes_at if n == 1 else None


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
    actor: Principal, proposal: dict[str, Any], rule: VoteRule | None, ballot: dict[str, Any] | None,
    *, recused: bool, now: datetime,
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
    if (rule is None or ballot is None or ballot["closed_at"] is not None
            or ballot["round"] != proposal["review_round"]
            or (ballot["closes_at"] is not None and now >= ballot["closes_at"])):
        return DomainError(ErrorCode.VOTING_CLOSED, "voting_closed")
    if not may_vote(ballot, actor.member_id):
        return DomainError(ErrorCode.CONFLICT_OF_INTEREST, "recused") if recused else forbidden("not_in_electorate")
    return None


async def cast_vote(actor: Principal, proposal_id: int, choice: object) -> int:
    """Record or change ``actor``'s vote on the proposal's open ballot; return the ballot id.

    One vote per member per ballot (a UNIQUE constraint); voting again
    changes the vote until the ballot closes; the same choice again changes
    nothing. The proposal row is locked so the vote cannot slip past a close.
    A ballot takes no vote from its deadline on (``closes_at``), even before
    a scheduler has closed it. Who may vote: :func:`vote_denial`, checked
    without the lock first as far as it needs no ballot (:func:`seat_denial`),
    then in full on the rows read under the lock.

    Raises:
        DomainError: NOT_FOUND; then as :func:`vote_denial` (UNAUTHENTICATED;
            FORBIDDEN; CONFLICT_OF_INTEREST; VOTING_CLOSED), INVALID_INPUT
            (choice) coming after the checks that need no ballot; CONFLICT.
    """
    from council.proposals.service import get_readable

    row = await get_readable(actor, proposal_id)
    definition = get_registry().engine_for(row).definition
    rule = definition.state(row["state"]).vote
    error = seat_denial(actor, row["organization_id"], rule)
    if error is not None:
        raise error
    vote_choice = _clean_choice(choice)
    now = clock.now()
    async with in_transaction():
        await lock(proposal_id)
        locked = await Proposal.filter(id=proposal_id).first().values("state", "review_round", "organization_id")
        ballot = await Ballot.filter(
            proposal_id=proposal_id, round=locked["review_round"], closed_at__isnull=True
        ).first().values("id", "round", "closed_at", "electorate", "closes_at", "hide_tally")
        recused = (ballot is not None and not may_vote(ballot, actor.member_id)
                   and await Recusal.exists(proposal_id=proposal_id, member_id=actor.member_id))
        error = vote_denial(actor, locked, definition.state(locked["state"]).vote, ballot, recused=recused, now=now)
        if error is not None:
            raise error
        assert ballot is not None  # vote_denial refuses a missing ballot
        ballot_id = ballot["id"]
        existing = await Vote.filter(ballot_id=ballot_id, member_id=actor.member_id).first()
        if existing is not None and existing.choice == vote_choice:
            return ballot_id
        try:
            if existing is None:
                await Vote.create(ballot_id=ballot_id, member_id=actor.member_id, choice=vote_choice,
                                  cast_at=now, changed_at=now)
            else:
                await Vote.filter(id=existing.id).update(choice=vote_choice, changed_at=now)
        except IntegrityError:
            raise DomainError(ErrorCode.CONFLICT, "conflict") from None
        data: dict[str, Any] = {"ballot": ballot_id}
        if not ballot["hide_tally"]:
            data |= {"choice": vote_choice.value} | ({"previous": existing.choice.value} if existing else {})
        await append_event(proposal_chain(proposal_id), actor, "vote_changed" if existing else "vote_cast", at=now, data=data)
    await broadcaster.publish(proposal_channel(proposal_id), {"action": "vote", "proposal_id": proposal_id,
                                                              "ballot_id": ballot_id})
    return ballot_id
