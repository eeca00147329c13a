"""Read side of the audit trail: each proposal's chain, oldest first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.functions import Max

from council.rows import group_rows

from council.audit.models import AuditEvent

EVENT_FIELDS = (
    "id", "proposal_id", "seq", "at", "actor_id", "actor_name", "action", "trigger",
    "from_state", "to_state", "comment", "data", "hash", "prev_hash",
)


async def events_for(proposal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The whole hash chain of each proposal, by ``seq``, as plain rows. One SQL statement."""
    ids = list(set(proposal_ids))
    if not ids:
        return group_rows([])
    return group_rows(await AuditEvent.filter(proposal_id__in=ids).order_by("proposal_id", "seq").values(*EVENT_FIELDS))


async def proposal_of_event(event_id: int) -> int | None:
    """The id of the proposal an audit event is of, or None when there is no such event. One SQL statement."""
    return await AuditEvent.filter(id=event_id).first().values_list("proposal_id", flat=True)


async def last_event_id() -> int:
    """The highest audit event id now (0 when there is none): events appended later have higher ids."""
    row = await AuditEvent.annotate(m=Max("id")).first().values("m")
    return (row or {}).get("m") or 0


async def last_seq(proposal_id: int) -> int:
    """The ``seq`` of the proposal's latest audit event (0 when it has none). One SQL statement."""
    row = await AuditEvent.filter(proposal_id=proposal_id).order_by("-seq").first().values("seq")
    return row["seq"] if row else 0


async def events_after(proposal_id: int, *, seq: int | None = None, event_id: int = 0) -> list[dict[str, Any]]:
    """The proposal's events after ``seq`` in its chain, or (``seq`` None) with an id above ``event_id``.

    Plain rows (:data:`EVENT_FIELDS`) by ``seq``. One SQL statement.
    """
    query = AuditEvent.filter(proposal_id=proposal_id)
    query = query.filter(seq__gt=seq) if seq is not None else query.filter(id__gt=event_id)
    return await query.order_by("seq").values(*EVENT_FIELDS)
