"""The append-only audit trail: one hash chain per subject (a proposal today)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    """One event of a hash chain, named by ``chain_kind`` and ``chain_id``.

    ``("proposal", 7)`` is proposal 7's chain (:class:`council.audit.chains.Chain`).
    There is no foreign key to the subject: events of other kinds have no
    proposal, and this module imports no domain room. ``seq`` numbers the
    chain's events from 1; UNIQUE (chain_kind, chain_id, seq) means two writers
    cannot both append event n, and its index is the one that reads a chain in
    order. ``prev_hash`` is the previous event's ``hash`` ('' for the first);
    ``hash`` is the SHA-256 (hex) of the canonical JSON of this event's content
    and ``prev_hash`` (see :func:`council.audit.service.event_hash`). Rows are
    never updated or deleted. ``at`` is UTC. ``actor`` is null for the system
    (seed, timers); ``actor_name`` keeps the username as it was.
    """

    id = fields.IntField(primary_key=True)
    chain_kind = fields.CharField(max_length=32)
    chain_id = fields.IntField()
    seq = fields.IntField()
    at = fields.DatetimeField()
    actor: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "council.Member", related_name="events", null=True, on_delete=fields.RESTRICT
    )
    actor_name = fields.CharField(max_length=64)
    action = fields.CharField(max_length=32)
    trigger = fields.CharField(max_length=64, null=True)
    from_state = fields.CharField(max_length=64, null=True)
    to_state = fields.CharField(max_length=64, null=True)
    comment = fields.TextField(default="")
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = "audit_event"
        unique_together = (("chain_kind", "chain_id", "seq"),)
