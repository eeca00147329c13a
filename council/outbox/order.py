"""Outbox ids in commit order on PostgreSQL: a reader never skips an id whose transaction is still running.

Ids come from a sequence when the row is inserted, but transactions commit
in any order: with 11 still running and 12 committed, a relay that read 12
and moved its cursor there would never see 11. So on PostgreSQL each writer
inserts its outbox rows holding a *shared* advisory lock (:data:`LOCK_KEY`,
taken in the insert statement itself, held until its commit), and a reader
takes the *exclusive* one for the read alone (:func:`committed_after`, in a
transaction of its own, so the lock goes with its end whatever happens): it
waits for the writers that already drew an id, and writers arriving meanwhile
wait a moment for it, so what it reads is a prefix no running transaction can
add to. SQLite has one writer at a time: ids are drawn in commit order.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tortoise.connection import get_connection
from tortoise.transactions import in_transaction

from council.db import is_postgres
from council.outbox.models import OutboxEvent

LOCK_KEY = 0x6F7574626F78  # "outbox"
"""The advisory lock key of the outbox (one per database)."""

_INSERT = """
INSERT INTO outbox_event (channel, subject_kind, subject_id, action, payload, created_at)
SELECT $2, $3, $4, a.action, a.payload::jsonb, $5
FROM (SELECT pg_advisory_xact_lock_shared($1)) AS held,
     unnest($6::text[], $7::text[]) WITH ORDINALITY AS a(action, payload, n)
ORDER BY a.n
"""


async def insert(
    channel: str, subject_kind: str, subject_id: int, messages: list[tuple[str, dict[str, Any]]], at: datetime
) -> None:
    """Insert one outbox row per ``(action, message)``, in order, in the caller's transaction (one statement)."""
    if not is_postgres():
        await OutboxEvent.bulk_create(
            [
                OutboxEvent(
                    channel=channel,
                    subject_kind=subject_kind,
                    subject_id=subject_id,
                    action=action,
                    payload=message,
                    created_at=at,
                )
                for action, message in messages
            ]
        )
        return
    actions = [action for action, _ in messages]
    payloads = [json.dumps(message, default=str) for _, message in messages]
    await get_connection("default").execute_query(
        _INSERT, [LOCK_KEY, channel, subject_kind, subject_id, at, actions, payloads]
    )


async def committed_after(last_id: int, limit: int) -> list[OutboxEvent]:
    """Up to ``limit`` events after ``last_id`` in id order, none of them past an id still being written.

    On PostgreSQL call it outside any transaction: it opens its own, which holds the exclusive lock.
    """
    query = OutboxEvent.filter(id__gt=last_id).order_by("id").limit(limit)
    if not is_postgres():
        return await query
    async with in_transaction() as connection:
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY])
        return await query.using_db(connection)
