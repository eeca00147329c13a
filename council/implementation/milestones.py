"""Milestones of a quick win: the owning OPD plans and completes them, the technical team may reopen one.

Every write goes through the write recipe
(:func:`council.proposals.unit.proposal_work`) under the operation's rule
(:data:`council.auth.policy.OPERATIONS`: ``addMilestone``,
``updateMilestone``, ``completeMilestone``, ``reopenMilestone``) in a state
the workflow file marks ``progress``
(:data:`council.workflow.permissions.STATE_CONDITIONS`), appends one audit
event to the proposal's chain (``milestone_added``, ``milestone_updated``,
``milestone_completed``, ``milestone_reopened``; ``milestone_late`` by the
scheduler) and announces the same action on the proposal's channel.

An open milestone (not ``DONE``) has one pending
:attr:`~council.workflow.models.TimerKind.MILESTONE_LATE` timer, due at the
end of its ``due_on`` in the city's time zone (:func:`late_at`); the
scheduler fires it once (:func:`mark_late`). It is cancelled on completion
and re-armed when ``due_on`` changes or the milestone is reopened. ``LATE`` is
set by that timer only, or on reopening a milestone already past its due date.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from council.auth.policy import OPERATIONS, authorize
from council.auth.principal import Principal
from council.errors import DomainError, ErrorCode, invalid, not_found
from council.implementation.models import NOTE_MAX, TITLE_MAX, Milestone, MilestoneStatus
from council.implementation.queries import MILESTONE_FIELDS, proposal_of_milestone
from council.programmes.queries import city_zone
from council.proposals.unit import ProposalWork, proposal_work
from council.texts import optional_text, required_text
from council.uploads.service import attach
from council.workflow import timers
from council.workflow.models import TimerKind

WEIGHT_MAX = 100
"""Heaviest milestone weight; the lightest is 1."""
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(9998, 12, 31)
"""The range of ``dueOn`` and ``doneOn`` (a typo such as year 20255 is refused, not stored)."""
SETTABLE = (MilestoneStatus.PLANNED, MilestoneStatus.IN_PROGRESS)
"""The statuses ``updateMilestone`` may set: DONE is ``completeMilestone``'s, LATE the scheduler's."""


def late_at(due_on: date, zone: ZoneInfo) -> datetime:
    """When a milestone due on ``due_on`` turns late: the end of that day (next midnight) in ``zone``, as UTC."""
    return datetime.combine(due_on + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)


# --- input ---------------------------------------------------------------------------------------


def clean_weight(value: object) -> int:
    """A whole number from 1 to :data:`WEIGHT_MAX`. Raises DomainError INVALID_INPUT (field ``weight``)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= WEIGHT_MAX:
        raise invalid("weight_range", "weight", max=WEIGHT_MAX)
    return value


def clean_day(value: object, field: str) -> date:
    """A calendar date from :data:`FIRST_DAY` to :data:`LAST_DAY`. Raises DomainError INVALID_INPUT on ``field``."""
    if isinstance(value, datetime) or not isinstance(value, date) or not FIRST_DAY <= value <= LAST_DAY:
        raise invalid("date_range", field, min=FIRST_DAY.isoformat(), max=LAST_DAY.isoformat())
    return value


def clean_status(value: object) -> MilestoneStatus:
    """PLANNED or IN_PROGRESS (:data:`SETTABLE`). Raises DomainError INVALID_INPUT (field ``status``)."""
    for status in SETTABLE:
        if value == status:
            return status
    raise invalid("milestone_status", "status")


def _plain(value: Any) -> Any:
    """A value as the audit event's JSON keeps it: dates in ISO form, a status as its value."""
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if isinstance(value, MilestoneStatus) else value


def _not_done(row: dict[str, Any]) -> None:
    if row["status"] == MilestoneStatus.DONE:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "milestone_done", field="milestoneId")


# --- the recipe on one milestone -----------------------------------------------------------------


@asynccontextmanager
async def milestone_work(
    actor: Principal, milestone_id: int, operation: str
) -> AsyncIterator[tuple[ProposalWork, dict[str, Any]]]:
    """The write recipe on the proposal of milestone ``milestone_id``; the work and the milestone row.

    The operation's rule that needs no row first (UNAUTHENTICATED,
    FORBIDDEN), then the milestone's proposal under its lock. A milestone
    that does not exist, or whose proposal the actor may not read, is
    NOT_FOUND on ``milestoneId`` alike (existence is not revealed).
    """
    authorize(actor, OPERATIONS[operation])
    proposal_id = await proposal_of_milestone(milestone_id)
    if proposal_id is None:
        raise not_found("milestone", "milestoneId")
    entered = False
    try:
        async with proposal_work(actor, proposal_id, operation) as w:
            entered = True
            row = await Milestone.filter(id=milestone_id).first().values(*MILESTONE_FIELDS)
            yield w, row
    except DomainError as exc:
        if not entered and exc.code is ErrorCode.NOT_FOUND:
            raise not_found("milestone", "milestoneId") from None
        raise


async def _arm(w: ProposalWork, milestone_id: int, due_on: date, zone: ZoneInfo) -> None:
    """Schedule the milestone's LATE timer for :func:`late_at` (call after cancelling a pending one)."""
    await timers.schedule(
        w.id, TimerKind.MILESTONE_LATE, w.row["state"], late_at(due_on, zone), w.now, milestone_id=milestone_id
    )


# --- the operations ------------------------------------------------------------------------------


async def add_milestone(
    actor: Principal, proposal_id: int, *, title: object, due_on: object, description: object = "", weight: object = 1
) -> int:
    """Plan a milestone (status PLANNED) on a quick win and arm its LATE timer; its id.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (scope ``implementation:write``,
            OPD role, owner); NOT_FOUND; INVALID_TRANSITION (state not
            ``progress``); INVALID_INPUT (title blank or over 255 characters,
            description over 10,000, weight not 1-100, dueOn out of range).
    """
    async with proposal_work(actor, proposal_id, "addMilestone") as w:
        day = clean_day(due_on, "dueOn")
        values: dict[str, Any] = {
            "title": required_text(title, "title", TITLE_MAX),
            "description": optional_text(description, "description", NOTE_MAX),
            "weight": clean_weight(weight),
        }
        milestone = await Milestone.create(proposal_id=proposal_id, due_on=day, **values)
        await _arm(w, milestone.id, day, await city_zone())
        await w.record("milestone_added", data={"milestone": milestone.id, "due_on": day.isoformat()} | values)
        w.announce("milestone_added", milestone_id=milestone.id)
    return int(milestone.id)


async def update_milestone(
    actor: Principal,
    milestone_id: int,
    *,
    title: object = None,
    description: object = None,
    due_on: object = None,
    weight: object = None,
    status: object = None,
) -> int:
    """Change an open milestone's fields (None: unchanged); the proposal's id. No change, no event.

    A new ``due_on`` re-arms the LATE timer; a LATE milestone whose new due
    date is still ahead becomes ``status`` (default IN_PROGRESS), one still
    past due stays LATE. ``status`` may be PLANNED or IN_PROGRESS only, and
    not on a LATE milestone whose due date stays past.

    Raises:
        DomainError: as :func:`add_milestone`, NOT_FOUND on ``milestoneId``;
            INVALID_TRANSITION ``milestone_done`` (a DONE milestone is the
            technical team's to reopen); INVALID_INPUT ``milestone_status``,
            ``milestone_late_status`` (field ``status``).
    """
    async with milestone_work(actor, milestone_id, "updateMilestone") as (w, row):
        _not_done(row)
        wanted: dict[str, Any] = {}
        if title is not None:
            wanted["title"] = required_text(title, "title", TITLE_MAX)
        if description is not None:
            wanted["description"] = optional_text(description, "description", NOTE_MAX)
        if due_on is not None:
            wanted["due_on"] = clean_day(due_on, "dueOn")
        if weight is not None:
            wanted["weight"] = clean_weight(weight)
        new_status = clean_status(status) if status is not None else None
        changes = {k: v for k, v in wanted.items() if v != row[k]}
        zone = await city_zone()
        past_due = late_at(changes.get("due_on", row["due_on"]), zone) <= w.now
        if row["status"] == MilestoneStatus.LATE:
            if past_due and new_status is not None:
                raise invalid("milestone_late_status", "status")
            if not past_due:
                new_status = new_status or MilestoneStatus.IN_PROGRESS
        if new_status is not None and new_status != row["status"]:
            changes["status"] = new_status
        if not changes:
            return int(row["proposal_id"])
        await Milestone.filter(id=milestone_id).update(**changes, updated_at=w.now)
        if "due_on" in changes:
            await timers.cancel_milestone(milestone_id, w.now)
            if not (past_due and row["status"] == MilestoneStatus.LATE):
                await _arm(w, milestone_id, changes["due_on"], zone)
        shown = {k: _plain(v) for k, v in changes.items()}
        await w.record("milestone_updated", data={"milestone": milestone_id, "changes": shown})
        w.announce("milestone_updated", milestone_id=milestone_id)
    return int(row["proposal_id"])


async def complete_milestone(
    actor: Principal,
    milestone_id: int,
    *,
    done_on: object = None,
    note: object = "",
    evidence_ids: Sequence[int] = (),
) -> int:
    """Mark a milestone DONE on ``done_on`` (default today in the city) with a note and evidence; the proposal's id.

    The evidence files (uploads of this proposal by its OPD, not attached
    yet: :func:`council.uploads.service.attach`) are attached to the
    milestone and their SHA-256 go into the audit event. The LATE timer is cancelled.

    Raises:
        DomainError: as :func:`add_milestone`, NOT_FOUND on ``milestoneId``;
            INVALID_TRANSITION ``milestone_done``; INVALID_INPUT (doneOn out
            of range or after today, note too long, evidenceIds ``evidence_unknown``
            or ``too_many``).
    """
    async with milestone_work(actor, milestone_id, "completeMilestone") as (w, row):
        _not_done(row)
        today = w.now.astimezone(await city_zone()).date()
        day = today if done_on is None else clean_day(done_on, "doneOn")
        if day > today:
            raise invalid("date_in_future", "doneOn", today=today.isoformat())
        text = optional_text(note, "note", NOTE_MAX)
        await Milestone.filter(id=milestone_id).update(
            status=MilestoneStatus.DONE, done_on=day, note=text, updated_at=w.now
        )
        files = await attach(w.id, w.row["organization_id"], evidence_ids, milestone_id=milestone_id)
        await timers.cancel_milestone(milestone_id, w.now)
        await w.record(
            "milestone_completed",
            comment=text,
            data={"milestone": milestone_id, "done_on": day.isoformat(), "evidence": evidence_data(files)},
        )
        w.announce("milestone_completed", milestone_id=milestone_id)
    return int(row["proposal_id"])


async def reopen_milestone(actor: Principal, milestone_id: int, *, reason: object) -> int:
    """Reopen a DONE milestone (technical team) with a reason; the proposal's id.

    It goes back to IN_PROGRESS with its LATE timer re-armed, or straight to
    LATE when its due date has passed; ``done_on`` is cleared, the reason
    becomes its note. Evidence stays attached.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (scope ``reviews:write``,
            technical team); NOT_FOUND on ``milestoneId``; INVALID_TRANSITION
            (state not ``progress``; ``milestone_not_done``); INVALID_INPUT
            (reason blank or too long).
    """
    async with milestone_work(actor, milestone_id, "reopenMilestone") as (w, row):
        if row["status"] != MilestoneStatus.DONE:
            raise DomainError(ErrorCode.INVALID_TRANSITION, "milestone_not_done", field="milestoneId")
        text = optional_text(reason, "reason", NOTE_MAX)
        if not text:
            raise invalid("required", "reason")
        zone = await city_zone()
        late = late_at(row["due_on"], zone) <= w.now
        status = MilestoneStatus.LATE if late else MilestoneStatus.IN_PROGRESS
        await Milestone.filter(id=milestone_id).update(status=status, done_on=None, note=text, updated_at=w.now)
        if not late:
            await _arm(w, milestone_id, row["due_on"], zone)
        await w.record("milestone_reopened", comment=text, data={"milestone": milestone_id, "status": str(status)})
        w.announce("milestone_reopened", milestone_id=milestone_id)
    return int(row["proposal_id"])


def evidence_data(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What an audit event keeps of attached files: id, file name and SHA-256 (hex)."""
    return [{"upload": f["id"], "filename": f["filename"], "sha256": f["sha256"]} for f in files]


async def mark_late(w: ProposalWork, timer: dict[str, Any]) -> str:
    """Fire a MILESTONE_LATE timer (the scheduler, as the system, inside its claiming unit); what happened.

    Sets the milestone LATE and appends ``milestone_late`` once: a milestone
    done (or late) meanwhile is left alone ("stale").
    """
    row = await Milestone.filter(id=timer["milestone_id"], proposal_id=w.id).first().values("id", "status", "due_on")
    if row is None or row["status"] in (MilestoneStatus.DONE, MilestoneStatus.LATE):
        return "stale: the milestone is done or late already"
    await Milestone.filter(id=row["id"]).update(status=MilestoneStatus.LATE, updated_at=w.now)
    await w.record(
        "milestone_late",
        data={"milestone": row["id"], "due_on": row["due_on"].isoformat(), "timer": timer["id"]},
    )
    w.announce("milestone_late", milestone_id=row["id"])
    return f"late: milestone {row['id']}"
