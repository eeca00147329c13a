"""Appending to and verifying the per-proposal audit hash chains.

An event's hash is SHA-256 over the canonical JSON (sorted keys, no spaces,
UTF-8) of: proposal id, seq, time (ISO 8601 UTC, microseconds), actor name,
action, trigger, from/to state, comment, data, and the previous event's hash.
Anyone holding the exported chain can recompute every hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from council import clock
from council.audit.models import AuditEvent
from council.auth.principal import Principal
from council.audit.chains import Chain

SYSTEM_ACTOR = "system"


def event_hash(
    *,
    proposal_id: int,
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
    """The SHA-256 hex digest that chains an event to ``prev_hash``."""
    body = {
        "proposal": proposal_id,
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
    """Append one event to ``chain``. Call inside the caller's transaction, holding the chain's lock.

    The write recipe (:mod:`council.unit_of_work`) locks the subject row once
    (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions are already
    serialised), so concurrent appends to one chain queue up instead of racing
    for the same ``seq``; this function takes no lock of its own.

    Raises:
        tortoise.exceptions.IntegrityError: another writer appended the same
            ``seq`` (cannot happen while the row lock is held).
    """
    proposal_id = chain.id
    last = await AuditEvent.filter(proposal_id=proposal_id).order_by("-seq").only("seq", "hash").first()
    seq = (last.seq + 1) if last else 1
    prev_hash = last.hash if last else ""
    at = at or clock.now()
    actor_name = actor.username if actor and actor.member_id is not None else SYSTEM_ACTOR
    data = data or {}
    digest = event_hash(
        proposal_id=proposal_id,
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
        proposal_id=proposal_id,
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
    """A broken link: the proposal, the event's seq and what is wrong."""

    proposal_id: int
    seq: int
    reason: str


async def verify_chains() -> tuple[int, int, list[ChainFault]]:
    """Recompute every chain. Returns (proposals checked, events checked, faults)."""
    faults: list[ChainFault] = []
    events = await AuditEvent.all().order_by("proposal_id", "seq")
    proposals: set[int] = set()
    prev: dict[int, tuple[int, str]] = {}
    for e in events:
        pid = e.proposal_id  # type: ignore[attr-defined]
        proposals.add(pid)
        last_seq, last_hash = prev.get(pid, (0, ""))
        if e.seq != last_seq + 1:
            faults.append(ChainFault(pid, e.seq, f"expected seq {last_seq + 1}"))
        if e.prev_hash != last_hash:
            faults.append(ChainFault(pid, e.seq, "prev_hash does not match the previous event"))
        expected = event_hash(
            proposal_id=pid,
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
            faults.append(ChainFault(pid, e.seq, "hash does not match the content"))
        prev[pid] = (e.seq, e.hash)
    return len(proposals), len(events), faults
