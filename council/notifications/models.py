"""Per-member notification preferences and the mail queue."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from council.organizations.models import Member


class NotificationKind(StrEnum):
    """What a notification is about (the API's ``NotificationKind``; a preference is per kind)."""

    BALLOT_OPENED = "ballot_opened"
    """A ballot a member may vote in opened."""
    VOTE_REMINDER = "vote_reminder"
    """A ballot closes soon and the member has not voted (the workflow file's ``vote.remind_before``)."""
    REVIEW_ASSIGNED = "review_assigned"
    """A proposal was assigned to the member (or the member's university) for review."""
    REVIEW_REMINDER = "review_reminder"
    """An assigned review is due soon (the workflow file's review reminder)."""
    ESCALATION = "escalation"
    """A state's SLA ran out; the roles the workflow file names are told."""
    PROPOSAL_DECIDED = "proposal_decided"
    """A proposal of the member's organisation was approved or rejected (a ballot closed)."""
    REVISION_REQUESTED = "revision_requested"
    """The technical team sent a proposal of the member's organisation back to draft."""


class MailStatus(StrEnum):
    """Where a queued message is: ``pending`` (to send, or to put in a digest), ``sent``, ``failed`` (gave up)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class NotificationPreference(Model):
    """One member's choice for one kind: e-mail on or off. A kind without a row is on."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="notification_preferences", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(NotificationKind, max_length=32)
    email = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notification_preference"
        unique_together = (("member", "kind"),)


class MailMessage(Model):
    """One e-mail to one member, queued by the outbox's ``notify`` consumer and sent by the mailer.

    ``outbox_event_id`` with ``member`` and ``kind`` is unique, so an event
    handled twice (at least once delivery) queues one message. ``digest`` is
    true when the member takes a daily digest: the mailer folds such rows
    into one message a day (``sent_at`` set on each). Text in the member's
    language when queued. Times UTC.
    """

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="mail_messages", on_delete=fields.CASCADE
    )
    outbox_event_id = fields.BigIntField(null=True)
    kind = fields.CharEnumField(NotificationKind, max_length=32)
    to_address = fields.CharField(max_length=320)
    subject = fields.CharField(max_length=255)
    body = fields.TextField()
    link = fields.CharField(max_length=1024, default="")
    digest = fields.BooleanField(default=False)
    status = fields.CharEnumField(MailStatus, max_length=16, default=MailStatus.PENDING)
    attempts = fields.SmallIntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    last_error = fields.CharField(max_length=512, default="")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mail_message"
        unique_together = (("outbox_event_id", "member", "kind"),)
