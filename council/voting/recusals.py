"""Declared conflicts of interest (recusals) of council members on proposals.

Besides the automatic conflict (a member of the owning organisation is never
in a ballot's electorate), a council member may declare one on a proposal
(``declareConflict``): it takes them out of the open ballot's electorate,
lowers its ``eligible_count`` and recomputes ``quorum_required`` from the
ballot's stored rule (the workflow file's ``quorum``), withdraws a vote they
had cast, keeps them out of ballots opened later on the proposal, and
appends a ``recusal`` event (the reason as its comment) to the audit chain.
"""

from __future__ import annotations

from typing import Any

from council.auth.principal import Principal
from council.errors import invalid
from council.proposals.unit import proposal_work
from council.voting.ballots import open_ballot_row
from council.voting.models import Ballot, Recusal, Vote
from council.workflow.definition import quorum_required

REASON_MAX = 2000


def clean_reason(reason: object) -> str:
    """The reason, stripped. Raises DomainError INVALID_INPUT (field ``reason``) when blank or too long."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise invalid("blank", "reason")
    if len(text) > REASON_MAX:
        raise invalid("too_long", "reason", max=REASON_MAX)
    return text


def _counted(ballot: dict[str, Any], actor: Principal, owner_organization_id: int) -> bool:
    """Whether the actor is in the ballot's electorate now."""
    if ballot["electorate"] is not None:
        return actor.member_id in ballot["electorate"]
    # a ballot opened before electorates were kept: holders of an eligible role outside the owner
    return actor.organization_id != owner_organization_id and actor.has_role(*ballot["eligible_roles"])


async def declare_conflict(actor: Principal, proposal_id: int, reason: object) -> int:
    """Record ``actor``'s conflict of interest on the proposal; the recusal's id.

    Declaring again changes nothing (the first reason stays). Allowed while a
    vote lies ahead: in a state from which a state holding a ``vote`` can be
    reached, itself included (``WorkflowDefinition.vote_ahead``,
    :func:`council.workflow.permissions.operation_denial`); after the last vote it
    would change nothing and is refused. Runs in the write recipe
    (:func:`~council.proposals.unit.proposal_work`).
    Effects: see the module docstring.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (needs ``votes:write`` and a
            council seat); NOT_FOUND (no such proposal, or not readable);
            VOTING_CLOSED (no vote lies ahead: the proposal is past its last
            ballot, e.g. in implementation, or in a final state); INVALID_INPUT (reason).
    """
    async with proposal_work(actor, proposal_id, "declareConflict") as w:
        text = clean_reason(reason)
        existing = await Recusal.filter(proposal_id=proposal_id, member_id=actor.member_id).first()
        if existing is not None:
            return int(existing.id)
        ballot = await open_ballot_row(proposal_id)
        data: dict[str, Any] = {"ballot": None}
        if ballot is not None:
            data["ballot"] = ballot["id"]
            if _counted(ballot, actor, w.row["organization_id"]):
                data |= await _leave_electorate(ballot, actor.member_id)  # type: ignore[arg-type]  # members only
        recusal = await Recusal.create(
            proposal_id=proposal_id, member_id=actor.member_id, ballot_id=data["ballot"], reason=text, at=w.now
        )
        await w.record("recusal", comment=text, data=data)
        w.announce("recusal")
    return int(recusal.id)


async def _leave_electorate(ballot: dict[str, Any], member_id: int) -> dict[str, Any]:
    """Take the member out of the open ballot: count, quorum, and their vote if any. What changed."""
    eligible = ballot["eligible_count"] - 1
    updates: dict[str, Any] = {
        "eligible_count": eligible,
        "quorum_required": quorum_required(eligible, ballot["quorum_share"], ballot["quorum_count"]),
    }
    if ballot["electorate"] is not None:
        updates["electorate"] = [m for m in ballot["electorate"] if m != member_id]
    await Ballot.filter(id=ballot["id"], closed_at__isnull=True).update(**updates)
    withdrawn = await Vote.filter(ballot_id=ballot["id"], member_id=member_id).delete()
    return {"eligible": eligible, "quorum_required": updates["quorum_required"], "vote_withdrawn": withdrawn > 0}
