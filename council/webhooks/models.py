"""Webhook endpoints of organisations and the log of their deliveries."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from council.organizations.models import Member, Organization


class DeliveryStatus(StrEnum):
    """A delivery is ``pending`` (first try or a retry due at ``next_attempt_at``), ``delivered`` (2xx) or
    ``failed`` (gave up after the retry window, or the endpoint was disabled)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookEndpoint(Model):
    """A partner system's URL receiving the events it subscribed to, on behalf of an organisation.

    ``events`` lists event types (``proposal.submitted``, ``proposal.assigned``,
    ``review.due``, ``ballot.opened``, ``ballot.closed``, ``proposal.transitioned``).
    ``secret_sealed`` is the Standard Webhooks secret (``whsec_`` + base64), sealed
    with the keys secret (:mod:`council.auth.sealing`); shown once, at creation.
    ``disabled_at`` is set after sustained failure (or by an administrator).
    """

    id = fields.IntField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "council.Organization", related_name="webhook_endpoints", on_delete=fields.CASCADE
    )
    url = fields.CharField(max_length=2048)
    events: fields.JSONField[list[str]] = fields.JSONField(default=list)
    secret_sealed = fields.TextField()
    description = fields.CharField(max_length=255, default="")
    created_by: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="webhook_endpoints", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()
    failing_since = fields.DatetimeField(null=True)
    disabled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_endpoint"


class WebhookDelivery(Model):
    """One event for one endpoint: its attempts, last response and status.

    ``message_id`` is the ``webhook-id`` header (the same on every retry).
    Unique per endpoint, outbox event and event type (one event may make two
    types: a submit is also a transition; an event handled twice queues one
    delivery). Times UTC.
    """

    id = fields.IntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "council.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    outbox_event_id = fields.BigIntField(null=True)
    event_type = fields.CharField(max_length=64)
    message_id = fields.CharField(max_length=64, unique=True)
    payload: fields.JSONField[dict[str, object]] = fields.JSONField(default=dict)
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.SmallIntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    last_status_code = fields.SmallIntField(null=True)
    last_error = fields.CharField(max_length=512, default="")
    created_at = fields.DatetimeField()
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        unique_together = (("endpoint", "outbox_event_id", "event_type"),)
