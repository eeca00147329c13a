"""Read side of the audit trail: each proposal's chain, oldest first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
