"""Council ballots: open on entering a voting state, votes, close with a stored result.

The rules of a ballot (eligible roles, quorum share, threshold share) come
from the ``vote`` of the state in the workflow file and are copied into the
ballot when it opens. A council member of the proposal's owning organisation
has a conflict of interest: not counted as eligible and may not vote.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council.audit.service import append_event
from council.auth.policy import authorize, vote_rule
from council.auth.principal import Principal
from council.enums import BallotResult, VoteChoice
from council.errors import DomainError, ErrorCode, invalid
from council.events import broadcaster, proposal_channel
from council.organizations.models import Member
from council.proposals.models import Proposal
from council.proposals.queries import lock
from council.voting.models import Ballot, Vote
from council.voting.queries import live_tallies
from council.workflow.definition import TransitionSpec, VoteRule
from council.workflow.registry import get_registry

DECIDING_GUARDS = frozenset({"quorum_met", "majority_yes"})


async def eligible_voters(rule: VoteRule, owner_organization_id: int) -> int:
    """Active members holding an eligible role, minus those of the owning organisation."""
    members = await Member.filter(is_active=True).exclude(organization_id=owner_organization_id).values_list(
        "roles", flat=True
    )
    return sum(1 for roles in members if rule.eligible_roles & set(roles or ()))


async def open_ballot(proposal: dict[str, Any], rule: VoteRule, review_round: int, now: datetime) -> int:
    """Open the ballot of ``review_round``; return its id. Call inside the transition's transaction."""
    eligible = await eligible_voters(rule, proposal["organization_id"])
    ballot = await Ballot.create(
        proposal_id=proposal["id"],
        round=review_round,
        opens_at=now,
        eligible_count=eligible,
        quorum_required=rule.quorum_required(eligible),
        threshold=rule.threshold,
    )
    return ballot.id


def outcome(ballot: Ballot, yes: int, no: int, abstain: int) -> BallotResult:
    """APPROVED, REJECTED or NO_QUORUM from the counts and the ballot's stored rules."""
    if yes + no + abstain < ballot.quorum_required:
        return BallotResult.NO_QUORUM
    if yes + no > 0 and yes > ballot.threshold * (yes + no):
        return BallotResult.APPROVED
    return BallotResult.REJECTED


async def close_ballot(actor: Principal, proposal: dict[str, Any], spec: TransitionSpec, now: datetime) -> dict[str, Any]:
    """Close the proposal's open ballot, storing counts and result; return a summary for the audit event.

    The result is the vote's outcome when the transition is decided by the
    vote (it has a ``quorum_met`` or ``majority_yes`` guard), else CANCELLED
    (e.g. the proposal was withdrawn).
    """
    ballot = await Ballot.filter(proposal_id=proposal["id"], closed_at__isnull=True).order_by("-round").first()
    if ballot is None:
        return {}
    yes, no, abstain = (await live_tallies([ballot.id]))[ballot.id]
    decided = any(g.name in DECIDING_GUARDS for g in spec.guards)
    result = outcome(ballot, yes, no, abstain) if decided else BallotResult.CANCELLED
    await Ballot.filter(id=ballot.id).update(
        closed_at=now, closed_by_id=actor.member_id, result=result,
        yes_count=yes, no_count=no, abstain_count=abstain,
    )
    return {"id": ballot.id, "result": result.value, "yes": yes, "no": no, "abstain": abstain,
            "eligible": ballot.eligible_count, "quorum_required": ballot.quorum_required}


def _clean_choice(choice: object) -> VoteChoice:
    try:
        return VoteChoice(str(choice).lower())
    except ValueError:
        raise invalid("required", "choice") from None


async def cast_vote(actor: Principal, proposal_id: int, choice: object) -> int:
    """Record or change ``actor``'s vote on the proposal's open ballot; return the ballot id.

    One vote per member per ballot (a UNIQUE constraint); voting again
    changes the vote until the ballot closes; the same choice again changes
    nothing. The proposal row is locked so the vote cannot slip past a close.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (needs ``votes:write`` and an
            eligible council role); NOT_FOUND; CONFLICT_OF_INTEREST (member of
            the owning organisation); VOTING_CLOSED (no open ballot);
            INVALID_INPUT (choice).
    """
    from council.proposals.service import get_readable

    row = await get_readable(actor, proposal_id)
    definition = get_registry().engine(row["workflow_name"], row["workflow_version"]).definition
    rule = definition.state(row["state"]).vote
    authorize(actor, vote_rule(rule))
    if actor.organization_id == row["organization_id"]:
        raise DomainError(ErrorCode.CONFLICT_OF_INTEREST, "conflict_of_interest")
    if rule is None:
        raise DomainError(ErrorCode.VOTING_CLOSED, "voting_closed")
    vote_choice = _clean_choice(choice)
    now = datetime.now(UTC)
    async with in_transaction():
        await lock(proposal_id)
        locked = await Proposal.filter(id=proposal_id).first().values("state", "review_round")
        ballot = await Ballot.filter(
            proposal_id=proposal_id, round=locked["review_round"], closed_at__isnull=True
        ).first().values("id")
        if locked["state"] != row["state"] or ballot is None:
            raise DomainError(ErrorCode.VOTING_CLOSED, "voting_closed")
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
        await append_event(
            proposal_id, actor, "vote_changed" if existing else "vote_cast", at=now,
            data={"ballot": ballot_id, "choice": vote_choice.value}
            | ({"previous": existing.choice.value} if existing else {}),
        )
    await broadcaster.publish(proposal_channel(proposal_id), {"action": "vote", "proposal_id": proposal_id,
                                                              "ballot_id": ballot_id})
    return ballot_id
