"""The outbox relay: hand the events written by units of work to their consumers, at least once, in order.

A consumer (:class:`Consumer`) has a name and a cursor row
(:class:`~council.outbox.models.OutboxCursor`). :func:`run_once` locks the
cursor, reads the events after it in id order (so in order per proposal),
hands them to the consumer inside the same transaction and moves the cursor:
if the consumer raises, nothing moves and the batch comes again later (at
least once; consumers are idempotent by the event id). The app and
``council worker`` register the consumers (:func:`register`): this module
imports none of them.

In the background, :func:`running` (entered by the app's lifespan and by
``council worker``) runs every consumer each time a local commit nudges it
(:func:`nudge`, called by the unit of work after its commit: live updates
wait one relay pass, not a poll) and every ``interval`` seconds (settings:
``COUNCIL_OUTBOX_INTERVAL``; 0: only when nudged). One node at a time handles
a consumer (the cursor row ``FOR UPDATE``; in the background ``SKIP LOCKED``,
the node holding it goes on). A consumer that raises is logged and tried
again after a growing pause (:data:`BACKOFF`), the others go on. Now and then
(:data:`PRUNE_EVERY`) events every consumer is past and older than the
retention (``COUNCIL_OUTBOX_RETENTION``) are deleted (:func:`prune`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from council import clock, metrics
from council.db import is_postgres
from council.outbox.models import OutboxCursor, OutboxEvent
from council.outbox.order import committed_after

log = logging.getLogger("council.outbox")

BATCH = 100
"""Events handed to a consumer at once at most."""
BACKOFF = (0.2, 10.0)
"""Seconds before a failed consumer is tried again: the first pause, doubled per failure up to the second."""
PRUNE_EVERY = 600.0
"""Seconds between two prunings by one relay loop."""


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


def unregister(name: str) -> None:
    """Remove the consumer named ``name`` if registered (its cursor row stays)."""
    _consumers.pop(name, None)


def consumers() -> list[Consumer]:
    """The registered consumers."""
    return list(_consumers.values())


def record(row: OutboxEvent) -> OutboxRecord:
    """The consumers' view of an outbox row (its payload with ``outbox_id``)."""
    payload = dict(row.payload) | {"outbox_id": row.id}
    return OutboxRecord(row.id, row.channel, row.subject_kind, row.subject_id, row.action, payload, row.created_at)


async def run_once(consumer: Consumer, limit: int = BATCH, *, skip_locked: bool = False) -> int:
    """Hand the next events after the consumer's cursor to it and move the cursor; how many.

    ``skip_locked`` (PostgreSQL): return 0 at once when another node holds
    the cursor, instead of waiting for it. The events are read first, with
    :func:`~council.outbox.order.committed_after` (never past an id still being
    written), then handled under the locked cursor if it has not moved meanwhile.

    Raises:
        Exception: what the consumer raised (the cursor did not move).
    """
    for _ in range(3):  # the cursor moved between the read and the lock (another node): read again
        start = await _cursor(consumer.name)
        rows = await committed_after(start, limit)
        if not rows:
            metrics.OUTBOX_LAG.labels(consumer=consumer.name).set(0)
            return 0
        async with in_transaction():
            query = OutboxCursor.filter(name=consumer.name)
            if is_postgres():
                query = query.select_for_update(skip_locked=skip_locked)
            cursor = await query.first()
            if cursor is None:
                return 0  # another node is handling this consumer
            if cursor.last_id != start:
                continue
            events = [record(r) for r in rows]
            await consumer.handle(events)
            await OutboxCursor.filter(name=consumer.name).update(last_id=events[-1].id, updated_at=clock.now())
        lag = (clock.now() - rows[0].created_at).total_seconds()
        metrics.OUTBOX_LAG.labels(consumer=consumer.name).set(max(0.0, lag))
        return len(events)
    return 0


async def _cursor(name: str) -> int:
    """The consumer's cursor (its row made when missing)."""
    cursor = await OutboxCursor.get_or_none(name=name)
    if cursor is None:
        cursor, _ = await OutboxCursor.get_or_create(name=name)
    return int(cursor.last_id)


async def drain() -> int:
    """Run every registered consumer until none has events pending; how many events were handled in all."""
    total = 0
    for consumer in consumers():
        while handled := await run_once(consumer):
            total += handled
    return total


async def prune(retention: timedelta) -> int:
    """Delete the events every registered consumer is past and older than ``retention``; how many.

    Cursors of consumers no longer registered are ignored; with no consumer, nothing is deleted.
    """
    names = [c.name for c in consumers()]
    if not names:
        return 0
    cursors = await OutboxCursor.filter(name__in=names).values_list("last_id", flat=True)
    if len(cursors) < len(names):
        return 0
    return await OutboxEvent.filter(id__lte=min(cursors), created_at__lt=clock.now() - retention).delete()


class Relay:
    """The background loop of one process: runs the consumers when nudged and every ``interval`` seconds."""

    def __init__(self, interval: float, retention: timedelta) -> None:
        self.interval = interval
        self.retention = retention
        self.wake = asyncio.Event()
        self.failures: dict[str, int] = {}
        self.retry_at: dict[str, float] = {}
        self.pruned_at = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Pass over the consumers until ``stop`` is set: at once, then when nudged, due, or a retry is due."""
        log.info("outbox relay: every %s s and after each commit", self.interval or "-")
        while not stop.is_set():
            self.wake.clear()
            await self.sweep()
            await self._wait(stop)

    async def sweep(self) -> None:
        """Run each consumer not pausing after a failure until it has nothing pending; prune when due."""
        for consumer in consumers():
            if time.monotonic() < self.retry_at.get(consumer.name, 0.0):
                continue
            try:
                while await run_once(consumer, skip_locked=True) == BATCH:
                    pass
            except Exception:
                n = self.failures[consumer.name] = self.failures.get(consumer.name, 0) + 1
                pause = min(BACKOFF[0] * 2 ** (n - 1), BACKOFF[1])
                self.retry_at[consumer.name] = time.monotonic() + pause
                log.exception("outbox consumer %s failed (%s in a row); again in %.1f s", consumer.name, n, pause)
            else:
                self.failures.pop(consumer.name, None)
                self.retry_at.pop(consumer.name, None)
        if time.monotonic() - self.pruned_at > PRUNE_EVERY:
            self.pruned_at = time.monotonic()
            try:
                if pruned := await prune(self.retention):
                    log.info("outbox: %s event(s) pruned", pruned)
            except Exception:
                log.exception("outbox pruning failed")

    async def _wait(self, stop: asyncio.Event) -> None:
        """Sleep until nudged, stopped, the interval is over or a failed consumer's retry is due."""
        timeouts = [self.interval] if self.interval > 0 else []
        timeouts += [max(0.0, t - time.monotonic()) for t in self.retry_at.values()]
        waits = [asyncio.create_task(self.wake.wait()), asyncio.create_task(stop.wait())]
        try:
            await asyncio.wait(waits, timeout=min(timeouts) if timeouts else None, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waits:
                task.cancel()
            for task in waits:
                with suppress(asyncio.CancelledError):
                    await task


_relay: Relay | None = None


def nudge() -> None:
    """Tell this process's relay that a commit wrote outbox events (nothing when no relay runs here)."""
    if _relay is not None:
        _relay.wake.set()


@asynccontextmanager
async def running(interval: float, retention: timedelta = timedelta(days=7)) -> AsyncIterator[Relay]:
    """Run a :class:`Relay` in the background while the context is open (``interval`` 0: only when nudged).

    On exit the loop stops after the batch in hand.
    """
    global _relay
    relay, stop = Relay(interval, retention), asyncio.Event()
    previous, _relay = _relay, relay
    task = asyncio.create_task(relay.run(stop), name="council-outbox-relay")
    try:
        yield relay
    finally:
        stop.set()
        await task
        _relay = previous
