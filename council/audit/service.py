"""Appending to and verifying the audit hash chains.

Each chain is named by :class:`~council.audit.chains.Chain` (kind, id). An
event's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8)
of: the chain, seq, time (ISO 8601 UTC, microseconds), actor name, action,
trigger, from/to state, comment, data, and the previous event's hash. The rule
and the chain check live in :mod:`council.audit.record` (no database), which
this module and ``council audit verify --file`` share.

The chain enters the hashed body in one of two ways:

- kind ``"proposal"``: ``{"proposal": <id>, ...}``, byte for byte the body
  hashed before chains had kinds, so every hash stored then still verifies;
- any other kind: ``{"chain": <kind>, "id": <id>, ...}`` (e.g.
  ``{"chain": "commitment", "id": 1, ...}``), so two kinds never share a body.

Anyone holding the exported chain can recompute every hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from council import clock
from council.audit.chains import Chain
from council.audit.models import AuditEvent
from council.audit.record import ChainFault, check_records, make_record, record_hash
from council.auth.principal import Principal

SYSTEM_ACTOR = "system"

__all__ = ["ChainFault", "append_event", "as_record", "event_hash", "verify_chains"]


def event_hash(
    *,
    chain: Chain,
    seq: int,
    at: datetime,
    actor_name: str,
    action: str,
    trigger: str | None,
    from_state: str | None,
    to_state: str | None,
    comment: str,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    """The SHA-256 hex digest that chains an event to ``prev_hash``: :func:`council.audit.record.record_hash`."""
    return record_hash(
        make_record(
            chain=chain,
            seq=seq,
            at=at,
            actor_name=actor_name,
            action=action,
            trigger=trigger,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            data=data,
            prev_hash=prev_hash,
        )
    )


STORED_FIELDS = (
    "chain_kind",
    "chain_id",
    "seq",
    "at",
    "actor_name",
    "action",
    "trigger",
    "from_state",
    "to_state",
    "comment",
    "data",
    "prev_hash",
    "hash",
)
"""The columns of ``audit_event`` a record is made of (:func:`as_record`)."""


def as_record(row: dict[str, Any]) -> dict[str, Any]:
    """The record (:mod:`council.audit.record`) of a stored event read as ``values(*STORED_FIELDS)``: what
    ``audit.jsonl`` writes and the chain check reads."""
    return make_record(
        chain=Chain(row["chain_kind"], row["chain_id"]),
        seq=row["seq"],
        at=row["at"],
        actor_name=row["actor_name"],
        action=row["action"],
        trigger=row["trigger"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        comment=row["comment"],
        data=row["data"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


async def append_event(
    chain: Chain,
    actor: Principal | None,
    action: str,
    *,
    trigger: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event to ``chain`` inside the caller's open transaction and return it.

    The caller holds the chain's lock in that transaction (the write recipe
    locks the subject row once, e.g. the proposal with ``SELECT ... FOR
    UPDATE``); this function takes no lock of its own. Under that lock the last
    ``seq`` read here is still the last when the new event is inserted. ``at``
    defaults to now (UTC); ``actor`` None means the system.

    Raises:
        tortoise.exceptions.IntegrityError: another writer appended the same
            ``seq`` (only when the caller did not hold the chain's lock).
    """
    last = (
        await AuditEvent.filter(chain_kind=chain.kind, chain_id=chain.id).order_by("-seq").only("seq", "hash").first()
    )
    seq = (last.seq + 1) if last else 1
    prev_hash = last.hash if last else ""
    at = at or clock.now()
    actor_name = actor.username if actor and actor.member_id is not None else SYSTEM_ACTOR
    data = data or {}
    digest = event_hash(
        chain=chain,
        seq=seq,
        at=at,
        actor_name=actor_name,
        action=action,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data,
        prev_hash=prev_hash,
    )
    return await AuditEvent.create(
        chain_kind=chain.kind,
        chain_id=chain.id,
        seq=seq,
        at=at,
        actor_id=actor.member_id if actor else None,
        actor_name=actor_name,
        action=action,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data,
        prev_hash=prev_hash,
        hash=digest,
    )


async def verify_chains() -> tuple[int, int, list[ChainFault]]:
    """Recompute every chain of every kind. Returns (chains checked, events checked, faults).

    The check is :func:`council.audit.record.check_records`, the one ``council audit verify --file`` runs.
    """
    events = await AuditEvent.all().order_by("chain_kind", "chain_id", "seq").values(*STORED_FIELDS)
    check = check_records((0, as_record(e)) for e in events)
    return check.chains, check.events, check.faults
