"""Reminders the workflow file declares, fired by the scheduler (:mod:`council.decisions.scheduler`).

A ``vote_reminder`` timer (``vote: {remind_before: PT24H}``) is armed when a
ballot opens and again when its deadline extends it
(:func:`council.decisions.service.schedule_vote_reminder`); a
``review_reminder`` timer (``review: {remind_before: P2D}``) when a reviewer
is assigned (:mod:`council.reviews.assignments`), cancelled when the
assignment is done or declined. The scheduler claims each once and calls
:func:`vote_reminder` or :func:`review_reminder` in the claiming unit of work:
one ``reminder`` audit event and one ``reminder`` announcement (an outbox row)
with ``kind``, ``ballot_id`` or ``assignment_id``, ``member_ids`` (who is
reminded), ``organization_ids`` and ``due_at`` (ISO 8601, UTC).
"""

from __future__ import annotations

from typing import Any

from council.enums import AssignmentStatus
from council.organizations.models import Member
from council.programmes.queries import city_zone
from council.proposals.unit import ProposalWork
from council.reviews.assignments import ASSIGNABLE_ROLES, due_at
from council.reviews.models import ReviewAssignment
from council.voting.ballots import electorate, open_ballot_row
from council.voting.models import Recusal, Vote
from council.workflow.definition import VoteRule
from council.workflow.models import TimerKind


async def _remind(w: ProposalWork, timer: dict[str, Any], kind: TimerKind, subject: dict[str, int], **rest: Any) -> str:
    """Record and announce one ``reminder``; the timer's outcome."""
    details = {"kind": kind.value, **subject, **rest}
    await w.record("reminder", data={"timer": timer["id"], **details})
    w.announce("reminder", **details)
    return f"reminded {len(rest['member_ids'])}"


async def vote_reminder(w: ProposalWork, timer: dict[str, Any]) -> str:
    """Remind the eligible members of the open ballot who have neither voted nor declared a conflict.

    The electorate fixed when the ballot opened (or, for a ballot without
    one, the active holders of its eligible roles outside the owning
    organisation); stale when the timer's ballot is no longer open.
    """
    ballot = await open_ballot_row(w.id)
    if ballot is None or ballot["id"] != timer["ballot_id"]:
        return "stale: the ballot is closed"
    voters = ballot["electorate"]
    if voters is None:
        voters = await electorate(VoteRule(frozenset(ballot["eligible_roles"] or ())), w.row["organization_id"], w.id)
    voted = set(await Vote.filter(ballot_id=ballot["id"]).values_list("member_id", flat=True))
    recused = set(await Recusal.filter(proposal_id=w.id).values_list("member_id", flat=True))
    undecided = sorted(m for m in voters if m not in voted and m not in recused)
    return await _remind(
        w,
        timer,
        TimerKind.VOTE_REMINDER,
        {"ballot_id": ballot["id"]},
        member_ids=undecided,
        organization_ids=[],
        due_at=ballot["closes_at"].isoformat(),
    )


async def review_reminder(w: ProposalWork, timer: dict[str, Any]) -> str:
    """Remind the assignee of a pending assignment: the member, or the reviewers of the assigned university.

    A university's reviewers are its active members holding a reviewing role
    (:data:`~council.reviews.assignments.ASSIGNABLE_ROLES`). Stale when the
    assignment is no longer pending.
    """
    row = (
        await ReviewAssignment.filter(id=timer["assignment_id"])
        .first()
        .values("id", "reviewer_id", "organization_id", "status", "due_on")
    )
    if row is None or str(row["status"]) != AssignmentStatus.PENDING.value:
        return "stale: the assignment is done or declined"
    if row["reviewer_id"] is not None:
        members, orgs = [row["reviewer_id"]], []
    else:
        candidates = await Member.filter(organization_id=row["organization_id"], is_active=True).values_list(
            "id", "roles"
        )
        members = sorted(m for m, roles in candidates if ASSIGNABLE_ROLES & set(roles or ()))
        orgs = [row["organization_id"]]
    return await _remind(
        w,
        timer,
        TimerKind.REVIEW_REMINDER,
        {"assignment_id": row["id"]},
        member_ids=members,
        organization_ids=orgs,
        due_at=due_at(row["due_on"], await city_zone()).isoformat(),
    )
