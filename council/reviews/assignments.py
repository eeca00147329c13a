"""Reviewer assignment: the technical team asks members or universities to review a proposal by a date.

``assignReviewers`` and ``declineAssignment`` run in the write recipe
(:func:`council.proposals.unit.proposal_work`): each appends an audit event
and announces ``assigned`` (``assignment_ids``, ``due_on``) or
``assignment_declined`` (``assignment_id``). A review by an assignee marks
the assignment of its round done in the review's own transaction
(:func:`complete_assignment`, called by :func:`council.reviews.service.submit_review`).

Under a workflow whose reviewable state says ``review: {assigned_only: true}``
(:class:`~council.workflow.definition.ReviewRule`) only assignees and the
technical team may review (:func:`assignment_denial`), and ``min_reviews``
counts only reviews that completed an assignment
(:func:`council.decisions.queries.load_facts`). With ``remind_before`` each
assignment arms a ``review_reminder`` timer at the end of its due date (the
city's time zone) minus that period, cancelled when it is done or declined.

Duplicates: assigning a reviewer (or a university) that already holds a
pending or done assignment of the round is refused (INVALID_INPUT
``already_assigned`` naming the field), nothing is created; an id repeated
within one request counts once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.expressions import Q

from council.auth.principal import Principal
from council.enums import AssignmentStatus, OrganizationKind, Role
from council.errors import DomainError, forbidden, invalid, not_found
from council.organizations.models import Member, Organization
from council.programmes.queries import city_zone
from council.proposals.unit import ProposalWork, proposal_work
from council.reviews.models import COMMENT_MAX, ReviewAssignment
from council.workflow import timers
from council.workflow.definition import ReviewRule
from council.workflow.models import TimerKind

ASSIGNABLE_ROLES = frozenset({Role.UNIVERSITY_REVIEWER.value, Role.TECHNICAL_TEAM.value})
"""A member may be assigned when active and holding one of these roles."""
OPEN_STATUSES = (AssignmentStatus.PENDING, AssignmentStatus.DONE)
"""Statuses that make assigning the same reviewer again in the round a duplicate."""


def due_at(due_on: date, zone: Any) -> datetime:
    """When an assignment due on ``due_on`` is due: the end of that day (next midnight) in ``zone``, as UTC."""
    return datetime.combine(due_on + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)


def review_rule(w: ProposalWork) -> ReviewRule | None:
    """The ``review`` rule of the state the proposal is in, or None (today's rule: any reviewer)."""
    return w.definition.state(w.row["state"]).review


def _ids(values: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(int(v) for v in values))


async def assign_reviewers(
    actor: Principal,
    proposal_id: int,
    *,
    reviewer_ids: Iterable[int] = (),
    organization_ids: Iterable[int] = (),
    due_on: date,
) -> list[int]:
    """Assign the proposal's current review round to members and universities; the new assignments' ids.

    The technical team (``reviews:write``), in a state the workflow marks
    ``reviewable``. Reviewers must be active members holding
    ``university_reviewer`` or ``technical_team``; organisations must be
    universities; ``due_on`` not before today in the city's time zone.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN; NOT_FOUND (proposal);
            INVALID_TRANSITION (not reviewable); INVALID_INPUT: ``required``
            (nobody named), ``not_found`` (reviewerIds / organizationIds),
            ``not_a_reviewer``, ``not_a_university``, ``date_past`` (dueOn),
            ``already_assigned``. Nothing is created on error.
    """
    members, orgs = _ids(reviewer_ids), _ids(organization_ids)
    async with proposal_work(actor, proposal_id, "assignReviewers") as w:
        if not members and not orgs:
            raise invalid("required", "reviewerIds")
        zone = await city_zone()
        if due_on < w.now.astimezone(zone).date():
            raise invalid("date_past", "dueOn")
        await _check_people(members, orgs)
        review_round = w.row["review_round"]
        taken = await ReviewAssignment.filter(
            Q(reviewer_id__in=members) | Q(organization_id__in=orgs),
            proposal_id=proposal_id,
            round=review_round,
            status__in=OPEN_STATUSES,
        ).values("reviewer_id", "organization_id")
        if taken:
            field = "reviewerIds" if taken[0]["reviewer_id"] is not None else "organizationIds"
            raise invalid("already_assigned", field)
        common = {
            "proposal_id": proposal_id,
            "round": review_round,
            "due_on": due_on,
            "assigned_by_id": actor.member_id,
            "created_at": w.now,
            "updated_at": w.now,
        }
        created = [await ReviewAssignment.create(reviewer_id=m, **common) for m in members]
        created += [await ReviewAssignment.create(organization_id=o, **common) for o in orgs]
        ids = [a.id for a in created]
        rule = review_rule(w)
        if rule is not None and rule.remind_before is not None:
            remind_at = due_at(due_on, zone) - rule.remind_before
            if remind_at > w.now:
                for assignment_id in ids:
                    await timers.schedule(
                        proposal_id,
                        TimerKind.REVIEW_REMINDER,
                        w.row["state"],
                        remind_at,
                        w.now,
                        assignment_id=assignment_id,
                    )
        await w.record(
            "assigned",
            data={
                "assignments": ids,
                "reviewers": members,
                "organizations": orgs,
                "round": review_round,
                "due_on": due_on.isoformat(),
            },
        )
        w.announce("assigned", assignment_ids=ids, due_on=due_on.isoformat())
    return ids


async def _check_people(members: list[int], orgs: list[int]) -> None:
    """Refuse unknown or inactive members, members without a reviewing role, and non-universities."""
    if members:
        rows = {m["id"]: m for m in await Member.filter(id__in=members).values("id", "roles", "is_active")}
        for m in members:
            if m not in rows or not rows[m]["is_active"]:
                raise invalid("not_found", "reviewerIds", kind="Member")
            if not ASSIGNABLE_ROLES & set(rows[m]["roles"] or ()):
                raise invalid("not_a_reviewer", "reviewerIds")
    if orgs:
        kinds = dict(await Organization.filter(id__in=orgs).values_list("id", "kind"))
        for o in orgs:
            if o not in kinds:
                raise invalid("not_found", "organizationIds", kind="Organization")
            if str(kinds[o]) != OrganizationKind.UNIVERSITY.value:
                raise invalid("not_a_university", "organizationIds")


def _assignee_filter(actor: Principal) -> Q:
    """Assignments taken by ``actor``: to the member, or to the member's organisation."""
    q = Q(reviewer_id=actor.member_id)
    if actor.organization_id is not None:
        q |= Q(organization_id=actor.organization_id)
    return q


async def decline_assignment(actor: Principal, assignment_id: int, reason: object) -> int:
    """The assignee (or a member of the assigned organisation) declines with a reason; the proposal's id.

    Cancels the assignment's reminder.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (needs ``reviews:write`` and a
            reviewer role); NOT_FOUND (no such assignment, not readable, or
            not the actor's); INVALID_INPUT (``required`` / ``too_long`` reason,
            ``not_pending`` when already done or declined).
    """
    proposal_id = await ReviewAssignment.filter(id=assignment_id).first().values_list("proposal_id", flat=True)
    if proposal_id is None:
        raise not_found("review_assignment", "assignmentId")
    async with proposal_work(actor, int(proposal_id), "declineAssignment") as w:  # type: ignore[call-overload]
        text = reason.strip() if isinstance(reason, str) else ""
        if not text:
            raise invalid("required", "reason")
        if len(text) > COMMENT_MAX:
            raise invalid("too_long", "reason", max=COMMENT_MAX)
        row = await ReviewAssignment.filter(_assignee_filter(actor), id=assignment_id).first().values("status")
        if row is None:
            raise not_found("review_assignment", "assignmentId")
        if str(row["status"]) != AssignmentStatus.PENDING.value:
            raise invalid("not_pending", "assignmentId")
        await ReviewAssignment.filter(id=assignment_id).update(
            status=AssignmentStatus.DECLINED, decline_reason=text, updated_at=w.now
        )
        await timers.cancel_assignments([assignment_id], w.now)
        await w.record("assignment_declined", comment=text, data={"assignment": assignment_id})
        w.announce("assignment_declined", assignment_id=assignment_id)
    return w.id


def assignment_denial(w: ProposalWork, assigned: bool) -> DomainError | None:
    """Why the actor may not review under the state's rule: FORBIDDEN ``not_assigned``, or None.

    Only with ``review: {assigned_only: true}``: the technical team always may;
    others need an assignment of the round (``assigned``), pending or done.
    """
    rule = review_rule(w)
    if rule is None or not rule.assigned_only or w.actor.has_role(Role.TECHNICAL_TEAM.value):
        return None
    return None if assigned else forbidden("not_assigned")


async def complete_assignment(w: ProposalWork, review_id: int) -> list[int]:
    """Mark the actor's pending assignment of the round done with ``review_id``; the ids marked (0 or 1).

    Called inside the review's unit of work, before the reviewer check of
    :func:`assignment_denial`: under ``assigned_only`` a reviewer without a
    pending or done assignment is refused (FORBIDDEN ``not_assigned``).
    Its reminder is cancelled. A personal assignment comes before one of the
    actor's organisation.
    """
    rows = (
        await ReviewAssignment.filter(_assignee_filter(w.actor), proposal_id=w.id, round=w.row["review_round"])
        .order_by("id")
        .values("id", "reviewer_id", "status", "review_id")
    )
    rows.sort(key=lambda r: r["reviewer_id"] is None)
    done = [r for r in rows if str(r["status"]) == AssignmentStatus.DONE.value and r["review_id"] == review_id]
    pending = [r for r in rows if str(r["status"]) == AssignmentStatus.PENDING.value]
    error = assignment_denial(w, bool(done or pending))
    if error is not None:
        raise error
    if done or not pending:
        return []
    first = pending[0]["id"]
    await ReviewAssignment.filter(id=first).update(status=AssignmentStatus.DONE, review_id=review_id, updated_at=w.now)
    await timers.cancel_assignments([first], w.now)
    return [first]
