"""Ballot lifecycle: opened on entering a voting state, closed with a stored result, extended once.

The rules of a ballot (eligible roles, quorum, threshold and its base,
window, hidden tally, what a deadline without quorum does) come from the
``vote`` of the state in the workflow file and are copied into the ballot
when it opens (:func:`open_ballot`), with its electorate: the active holders
of an eligible role outside the proposal's owning organisation (a member of
it has a conflict of interest), less those who declared a conflict
(:mod:`council.voting.recusals`). These functions run inside the write of a
transition (:mod:`council.decisions.service`), which holds the proposal's lock.

While a ballot hides its tally, the audit events of votes say that a member
voted, not how; the choices go into the audit event that closes the ballot
(``data.ballot.votes``), so the chain holds every choice once the vote is over.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from council.auth.principal import Principal
from council.enums import BallotResult
from council.organizations.models import Member
from council.voting.models import Ballot, Recusal, Vote
from council.voting.queries import live_tallies
from council.workflow.definition import TransitionSpec, VoteRule, exceeds


async def electorate(rule: VoteRule, owner_organization_id: int, proposal_id: int) -> list[int]:
    """Ids of the members who may vote: active, with an eligible role, not of the owning organisation, not recused."""
    members = (
        await Member.filter(is_active=True).exclude(organization_id=owner_organization_id).values_list("id", "roles")
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
        votes_public=rule.votes_public,
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


def result_of(spec: TransitionSpec, ballot: dict[str, Any], yes: int, no: int, abstain: int) -> BallotResult:
    """The result stored when ``spec`` closes the ballot: what the workflow decided, so the two never disagree.

    CANCELLED when ``spec`` does not decide the ballot (no guard of
    :data:`~council.workflow.definition.DECIDING_GUARDS`: e.g. a withdrawal);
    APPROVED when it is the approval (its ``majority_yes`` held); otherwise
    NO_QUORUM or REJECTED by the counts (:func:`outcome`, which never answers
    APPROVED here: a transition without ``majority_yes`` does not approve).
    """
    if not spec.decides_ballot:
        return BallotResult.CANCELLED
    if spec.approves:
        return BallotResult.APPROVED
    result = outcome(ballot, yes, no, abstain)
    return BallotResult.REJECTED if result == BallotResult.APPROVED else result


async def open_ballot_row(proposal_id: int) -> dict[str, Any] | None:
    """The proposal's open ballot (the highest round not closed), as a plain row, or None."""
    return await Ballot.filter(proposal_id=proposal_id, closed_at__isnull=True).order_by("-round").first().values()


async def close_ballot(
    actor: Principal, proposal: dict[str, Any], spec: TransitionSpec, now: datetime, *, by_deadline: bool = False
) -> dict[str, Any]:
    """Close the proposal's open ballot, storing counts and result; a summary for the audit event.

    The result is :func:`result_of` the transition that closes it.
    ``closed_by`` is
    the actor's member (null for the system); ``by_deadline`` marks a close by
    the ballot's deadline. A hidden ballot's choices join the summary when its
    votes are public (``votes_public``): its vote events could not carry them.
    """
    ballot = await open_ballot_row(proposal["id"])
    if ballot is None:
        return {}
    yes, no, abstain = (await live_tallies([ballot["id"]]))[ballot["id"]]
    result = result_of(spec, ballot, yes, no, abstain)
    await Ballot.filter(id=ballot["id"], closed_at__isnull=True).update(
        closed_at=now,
        closed_by_id=actor.member_id,
        closed_by_deadline=by_deadline,
        result=result,
        yes_count=yes,
        no_count=no,
        abstain_count=abstain,
    )
    summary = {
        "id": ballot["id"],
        "result": result.value,
        "yes": yes,
        "no": no,
        "abstain": abstain,
        "eligible": ballot["eligible_count"],
        "quorum_required": ballot["quorum_required"],
        "threshold": ballot["threshold"],
        "threshold_of": ballot["threshold_of"],
        "closed_by": "deadline" if by_deadline else (actor.username or "system"),
    }
    if ballot["hide_tally"] and ballot["votes_public"]:
        rows = (
            await Vote.filter(ballot_id=ballot["id"]).order_by("member__username").values("member__username", "choice")
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
