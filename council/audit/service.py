"""Appending to and verifying the audit hash chains.

Each chain is named by :class:`~council.audit.chains.Chain` (kind, id). An
event's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8)
of: the chain, seq, time (ISO 8601 UTC, microseconds), actor name, action,
trigger, from/to state, comment, data, and the previous event's hash.

The chain enters the hashed body in one of two ways:

- kind ``"proposal"``: ``{"proposal": <id>, ...}``, byte for byte the body
  hashed before chains had kinds, so every hash stored then still verifies;
- any other kind: ``{"chain": <kind>, "id": <id>, ...}`` (e.g.
  ``{"chain": "commitment", "id": 1, ...}``), so two kinds never share a body.

Anyone holding the exported chain can recompute every hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from council import clock
from council.audit.chains import PROPOSAL, Chain
from council.audit.models import AuditEvent
from council.auth.principal import Principal

SYSTEM_ACTOR = "system"


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
    """The SHA-256 hex digest that chains an event to ``prev_hash`` (body: see the module docstring)."""
    body: dict[str, Any] = {"proposal": chain.id} if chain.kind == PROPOSAL else {"chain": chain.kind, "id": chain.id}
    body |= {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_name,
        "action": action,
        "trigger": trigger,
        "from": from_state,
        "to": to_state,
        "comment": comment,
        "data": data,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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


@dataclass(frozen=True, slots=True)
class ChainFault:
    """A broken link: the chain, the event's seq and what is wrong."""

    chain: Chain
    seq: int
    reason: str


async def verify_chains() -> tuple[int, int, list[ChainFault]]:
    """Recompute every chain of every kind. Returns (chains checked, events checked, faults)."""
    faults: list[ChainFault] = []
    events = await AuditEvent.all().order_by("chain_kind", "chain_id", "seq")
    prev: dict[Chain, tuple[int, str]] = {}
    for e in events:
        chain = Chain(e.chain_kind, e.chain_id)
        last_seq, last_hash = prev.get(chain, (0, ""))
        if e.seq != last_seq + 1:
            faults.append(ChainFault(chain, e.seq, f"expected seq {last_seq + 1}"))
        if e.prev_hash != last_hash:
            faults.append(ChainFault(chain, e.seq, "prev_hash does not match the previous event"))
        expected = event_hash(
            chain=chain,
            seq=e.seq,
            at=e.at,
            actor_name=e.actor_name,
            action=e.action,
            trigger=e.trigger,
            from_state=e.from_state,
            to_state=e.to_state,
            comment=e.comment,
            data=e.data,
            prev_hash=e.prev_hash,
        )
        if expected != e.hash:
            faults.append(ChainFault(chain, e.seq, "hash does not match the content"))
        prev[chain] = (e.seq, e.hash)
    return len(prev), len(events), faults
