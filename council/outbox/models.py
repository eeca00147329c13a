"""Outbox rows: every announcement of a unit of work, written inside its transaction, relayed after commit."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OutboxEvent(Model):
    """One domain event, inserted by the write recipe in the transaction of the change it reports.

    ``id`` orders the events (in order per proposal, and overall); ``channel``
    is the broadcaster channel (``proposal:42``, ``commitment:3``);
    ``subject_kind``/``subject_id`` name the chain's subject (``proposal``, 42);
    ``action`` the announcement (``transition``, ``vote``, ``reviewed``,
    ``assigned``, ``reminder`` ...); ``payload`` the message as subscribers
    receive it (JSON object). Consumers (:class:`OutboxCursor`) read past
    their cursor; rows are pruned once every consumer is past them and they
    are older than the retention. ``created_at`` is UTC.
    """

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=64)
    subject_kind = fields.CharField(max_length=32)
    subject_id = fields.IntField()
    action = fields.CharField(max_length=64)
    payload: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()

    class Meta:
        table = "outbox_event"


class OutboxCursor(Model):
    """How far one consumer of the outbox got: the id of the last event it handled.

    Consumers: ``live`` (the broadcaster, for subscriptions), ``mail`` and
    ``webhooks`` (:mod:`council.outbox.relay`). A consumer locks its row while
    it handles a batch, so one node at a time handles it, in id order.
    """

    name = fields.CharField(max_length=32, primary_key=True)
    last_id = fields.BigIntField(default=0)
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_cursor"
