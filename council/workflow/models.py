"""Timers: deadlines of workflow states, kept as rows so that they survive restarts."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class TimerKind(StrEnum):
    """What a timer is for."""

    BALLOT_DEADLINE = "ballot_deadline"
    """The ballot's window ends: close it and move the proposal (or extend it once)."""
    SLA = "sla"
    """A state's SLA ran out: escalate, or fire a trigger."""
    MILESTONE_LATE = "milestone_late"
    """A milestone's due date passed before it was done: mark it LATE (``Timer.milestone``)."""
    VOTE_REMINDER = "vote_reminder"
    """Remind the undecided voters of ``Timer.ballot`` (the workflow file's ``vote.remind_before``)."""
    REVIEW_REMINDER = "review_reminder"
    """Remind the assignee of ``Timer.assignment`` that the review is due (the workflow file's reminder)."""


class Timer(Model):
    """A deadline of one proposal in one state (the workflow file's ``vote.window`` or ``sla``).

    Created when the proposal enters ``state``; ``cancelled_at`` is set when
    it leaves the state first. A scheduler fires it once ``due_at`` has
    passed: in one transaction it sets ``fired_at`` and ``claimed_by`` (the
    scheduler's name) by compare-and-set and does what ``kind`` says, so a
    timer fires exactly once however many schedulers run, and one that fell
    due while none ran fires at the next start. ``trigger`` is the trigger it
    fires (None for an escalation); ``outcome`` says what happened. Times are UTC.
    """

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "council.Proposal", related_name="timers", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(TimerKind, max_length=16)
    state = fields.CharField(max_length=64)
    trigger = fields.CharField(max_length=64, null=True)
    ballot: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "council.Ballot", related_name="timers", null=True, on_delete=fields.CASCADE
    )
    milestone: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "council.Milestone", related_name="timers", null=True, on_delete=fields.CASCADE
    )
    assignment: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "council.ReviewAssignment", related_name="timers", null=True, on_delete=fields.CASCADE
    )
    due_at = fields.DatetimeField(db_index=True)
    created_at = fields.DatetimeField()
    cancelled_at = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=128, null=True)
    fired_at = fields.DatetimeField(null=True)
    outcome = fields.CharField(max_length=255, default="")

    class Meta:
        table = "timer"
