"""Read side of the audit trail: chains, oldest first, as plain rows.

Rows of a proposal's chain carry ``proposal_id`` (the chain's id) besides
:data:`EVENT_FIELDS`, so the API can group and route them by proposal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.functions import Max

from council.audit.chains import PROPOSAL, Chain
from council.audit.models import AuditEvent
from council.rows import group_rows

EVENT_FIELDS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "trigger",
    "from_state",
    "to_state",
    "comment",
    "data",
    "hash",
    "prev_hash",
)
_AS_PROPOSAL_ROW = {"proposal_id": "chain_id"}


async def events_for(proposal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The whole chain of each proposal, by ``seq``, as plain rows keyed by proposal id. One SQL statement."""
    ids = list(set(proposal_ids))
    if not ids:
        return group_rows([])
    rows = (
        await AuditEvent.filter(chain_kind=PROPOSAL, chain_id__in=ids)
        .order_by("chain_id", "seq")
        .values(*EVENT_FIELDS, **_AS_PROPOSAL_ROW)
    )
    return group_rows(rows)


async def proposal_events_after(proposal_id: int, *, seq: int | None = None, event_id: int = 0) -> list[dict[str, Any]]:
    """Rows of the proposal's chain after ``seq`` (when given) or else with an id above ``event_id``, by ``seq``."""
    query = AuditEvent.filter(chain_kind=PROPOSAL, chain_id=proposal_id)
    query = query.filter(seq__gt=seq) if seq is not None else query.filter(id__gt=event_id)
    return await query.order_by("seq").values(*EVENT_FIELDS, **_AS_PROPOSAL_ROW)


async def last_seq(chain: Chain) -> int:
    """The ``seq`` of the chain's last event; 0 for an empty chain."""
    row = await AuditEvent.filter(chain_kind=chain.kind, chain_id=chain.id).order_by("-seq").first().values("seq")
    return row["seq"] if row else 0


async def proposal_of_event(event_id: int) -> int | None:
    """The proposal whose chain holds event ``event_id``; None when there is no such event or it is of another kind."""
    row = await AuditEvent.filter(id=event_id, chain_kind=PROPOSAL).first().values("chain_id")
    return row["chain_id"] if row else None


async def last_event_id() -> int:
    """The highest audit event id now (0 when there is none): events appended later have higher ids."""
    row = await AuditEvent.annotate(m=Max("id")).first().values("m")
    return (row or {}).get("m") or 0
