"""The outbox relay: hand the events written by units of work to their consumers, at least once, in order.

A consumer (:class:`Consumer`) has a name and a cursor row
(:class:`~council.outbox.models.OutboxCursor`). :func:`run_once` locks the
cursor, reads the events after it in id order (so in order per proposal),
hands them to the consumer inside the same transaction and moves the cursor:
if the consumer raises, nothing moves and the batch comes again later (at
least once; consumers are idempotent by the event id). The app and
``council worker`` register the consumers (:func:`register`): this module
imports none of them.

Contract version (issue 15): the lead's minimal relay; the outbox helper
makes it run in the background, nudged after each commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from council import clock
from council.db import is_postgres
from council.outbox.models import OutboxCursor, OutboxEvent

BATCH = 100
"""Events handed to a consumer at once at most."""


@dataclass(frozen=True)
class OutboxRecord:
    """One outbox event as consumers get it (``payload`` is the subscribers' message, ``outbox_id`` included)."""

    id: int
    channel: str
    subject_kind: str
    subject_id: int
    action: str
    payload: dict[str, Any]
    created_at: datetime


class Consumer(Protocol):
    """Something that handles outbox events: ``name`` names its cursor row."""

    name: str

    async def handle(self, events: list[OutboxRecord]) -> None:
        """Handle ``events`` (id order) inside the cursor's transaction; raise to have the batch again later."""
        ...


_consumers: dict[str, Consumer] = {}


def register(consumer: Consumer) -> None:
    """Add ``consumer`` (replacing one of the same name)."""
    _consumers[consumer.name] = consumer


def consumers() -> list[Consumer]:
    """The registered consumers."""
    return list(_consumers.values())


async def run_once(consumer: Consumer, limit: int = BATCH) -> int:
    """Hand the next events after the consumer's cursor to it and move the cursor; how many.

    Raises:
        Exception: what the consumer raised (the cursor did not move).
    """
    async with in_transaction():
        await OutboxCursor.get_or_create(name=consumer.name)
        query = OutboxCursor.filter(name=consumer.name)
        if is_postgres():
            query = query.select_for_update()
        cursor = await query.get()
        rows = await OutboxEvent.filter(id__gt=cursor.last_id).order_by("id").limit(limit)
        if not rows:
            return 0
        events = [
            OutboxRecord(
                r.id,
                r.channel,
                r.subject_kind,
                r.subject_id,
                r.action,
                dict(r.payload) | {"outbox_id": r.id},
                r.created_at,
            )
            for r in rows
        ]
        await consumer.handle(events)
        await OutboxCursor.filter(name=consumer.name).update(last_id=events[-1].id, updated_at=clock.now())
        return len(events)


async def drain() -> int:
    """Run every registered consumer until none has events pending; how many events were handled in all."""
    total = 0
    for consumer in consumers():
        while handled := await run_once(consumer):
            total += handled
    return total
