"""The event broadcaster: services publish after commit, subscriptions listen.

One object, :data:`broadcaster`, whatever carries the messages: in memory
for a single process (the default), or Redis pub/sub when
``COUNCIL_REDIS_URL`` is set (:meth:`Broadcaster.connected`, entered by the
app's lifespan and by ``council worker``), so that a vote cast on one server
reaches a subscriber on another. Channels are strings such as
``proposal:42``; messages are plain JSON-able dicts. Every message of a
``proposal:<id>`` channel also reaches the subscribers of
:data:`ALL_PROPOSALS`.

Publishing never blocks a writer for long and never fails it: it runs after
the commit, so a lost connection to Redis is logged, not raised. The outbox
relay's ``live`` consumer (:mod:`council.outbox.live`) publishes with
:meth:`Broadcaster.publish_or_raise` instead, so that a broker failure keeps
its cursor where it is and the events go out again once Redis is back.

Messages of the outbox carry :data:`OUTBOX_ID`. With Redis, each process
remembers the outbox ids it delivered locally: a repeat is dropped, and when
its pattern subscription is (re)established it replays from the outbox table
what came after the last one (the read is injected by the app through
:meth:`Broadcaster.replay_from`, as this module imports nothing above it), so
a message published while its subscription was down is not lost. A slow
subscriber's queue drops its oldest message rather than hold up the writer.
With Redis, each process keeps one pattern subscription and fans the
messages out to its local subscribers.

:meth:`Broadcaster.publish` stamps each message with :data:`PUBLISHED_AT`
(seconds since the epoch, UTC); its delivery to a process's subscribers is
measured against it (``council_event_delivery_lag_seconds``, :mod:`council.metrics`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any, Protocol

from redis import asyncio as aioredis

from council import clock, metrics

log = logging.getLogger("council.events")

QUEUE_SIZE = 100
"""Messages a subscriber's queue holds before the oldest is dropped."""
ALL_PROPOSALS = "proposal:*"
"""The channel that receives the messages of every ``proposal:<id>`` channel."""
REDIS_PREFIX = "council:"
"""Prefix of the Redis channel names (one Redis may serve other applications too)."""
RECONNECT_DELAY = 1.0
"""Seconds between two attempts to resubscribe after the Redis connection broke."""
OUTBOX_ID = "outbox_id"
"""The key of a message that comes from the outbox: the event's id (ids grow; a process drops a repeat)."""
REMEMBERED = 10_000
"""Outbox ids a process remembers having delivered (a repeat of an older one is delivered again: harmless)."""
CATCH_UP_BATCH = 500
"""Outbox events read at once when a subscription is (re)established."""
PUBLISH_TIMEOUT = 5.0
"""Seconds a publication through Redis may take before it counts as failed."""
PUBLISHED_AT = "published_at"
"""The envelope key :meth:`Broadcaster.publish` adds: when the message was published (epoch seconds, UTC, by
:func:`council.clock.now`, which the delivery reads too)."""


class OutboxSource(Protocol):
    """Where a process catches up from after its Redis subscription was down: the outbox table."""

    async def head(self) -> int:
        """The id of the newest outbox event (0 when none)."""
        ...

    async def after(self, last_id: int, limit: int) -> list[tuple[int, str, dict[str, Any]]]:
        """Up to ``limit`` events after ``last_id`` in id order: ``(id, channel, message)``, the message with
        :data:`OUTBOX_ID`."""
        ...


class MemoryBroadcaster:
    """Fan-out of messages to the subscribers of a channel within one process."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Deliver ``message`` to every current subscriber of ``channel`` (and of :data:`ALL_PROPOSALS`)."""
        targets = list(self._subscribers.get(channel, ()))
        if channel.startswith("proposal:") and channel != ALL_PROPOSALS:
            targets += self._subscribers.get(ALL_PROPOSALS, ())
        if targets and isinstance(message.get(PUBLISHED_AT), float):
            metrics.EVENT_DELIVERY_LAG.observe(max(0.0, clock.now().timestamp() - message[PUBLISHED_AT]))
        for queue in targets:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        """A queue receiving the channel's messages while the context is open."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers[channel].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[channel].discard(queue)
            if not self._subscribers[channel]:
                del self._subscribers[channel]


class RedisBroadcaster:
    """Publish through Redis; relay every Council channel of Redis to the local subscribers.

    Args:
        url: a redis-py URL, e.g. ``redis://127.0.0.1:6379/0``.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.local = MemoryBroadcaster()
        self._redis = aioredis.from_url(url)
        self._publisher = aioredis.from_url(url, socket_timeout=PUBLISH_TIMEOUT, socket_connect_timeout=PUBLISH_TIMEOUT)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.source: OutboxSource | None = None
        self.last_delivered: int | None = None
        """The highest outbox id delivered locally (None before the first subscription)."""
        self._delivered: set[int] = set()
        self._order: deque[int] = deque()

    async def start(self, timeout: float = 10.0) -> None:
        """Subscribe to Redis and start relaying; returns once the subscription is live.

        Raises:
            TimeoutError: Redis did not confirm the subscription within ``timeout`` seconds.
            redis.exceptions.ConnectionError: Redis cannot be reached.
        """
        await self._redis.ping()
        self._task = asyncio.create_task(self._relay(), name="council-redis-relay")
        await asyncio.wait_for(self._ready.wait(), timeout)

    async def close(self) -> None:
        """Stop relaying and close the connections."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()
        await self._publisher.aclose()

    async def publish(self, channel: str, message: dict[str, Any], *, raising: bool = False) -> None:
        """Send ``message`` to every process's subscribers of ``channel`` (this one's through Redis too).

        Raises:
            redis.exceptions.RedisError, OSError: only with ``raising``, when Redis did not take it (else logged).
        """
        try:
            await self._publisher.publish(REDIS_PREFIX + channel, json.dumps(message, default=str))
        except Exception:
            if raising:
                raise
            log.exception("could not publish on %s through Redis; live subscribers miss %s", channel, message)

    def subscribe(self, channel: str) -> Any:
        """A queue receiving the channel's messages from every process while the context is open."""
        return self.local.subscribe(channel)

    async def _relay(self) -> None:
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=False)
            try:
                await pubsub.psubscribe(REDIS_PREFIX + "*")
                async for item in pubsub.listen():
                    if item["type"] == "psubscribe":
                        await self._catch_up()
                        self._ready.set()
                    elif item["type"] == "pmessage":
                        channel = item["channel"].decode()[len(REDIS_PREFIX) :]
                        await self._deliver(channel, json.loads(item["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Redis subscription lost; resubscribing in %s s", RECONNECT_DELAY)
                await asyncio.sleep(RECONNECT_DELAY)
            finally:
                with suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis's PubSub.aclose is unannotated

    async def _deliver(self, channel: str, message: dict[str, Any]) -> None:
        """Deliver to the local subscribers, unless it is an outbox event delivered already."""
        outbox_id = message.get(OUTBOX_ID)
        if isinstance(outbox_id, int):
            if outbox_id in self._delivered:
                return
            self._remember(outbox_id)
        await self.local.publish(channel, message)

    def _remember(self, outbox_id: int) -> None:
        self._delivered.add(outbox_id)
        self._order.append(outbox_id)
        if len(self._order) > REMEMBERED:
            self._delivered.discard(self._order.popleft())
        self.last_delivered = max(self.last_delivered or 0, outbox_id)

    async def _catch_up(self) -> None:
        """On a (re)established subscription: deliver locally the outbox events after the last delivered.

        The first subscription only notes where the outbox stands. A failed
        read is logged: the subscription goes on without the replay.
        """
        if self.source is None:
            return
        try:
            if self.last_delivered is None:
                self.last_delivered = await self.source.head()
                return
            replayed = 0
            while events := await self.source.after(self.last_delivered, CATCH_UP_BATCH):
                for _, channel, message in events:
                    await self._deliver(channel, message | {PUBLISHED_AT: clock.now().timestamp()})
                replayed += len(events)
                self.last_delivered = max(self.last_delivered, events[-1][0])
            if replayed:
                log.info("Redis subscription back: %s outbox event(s) replayed from the outbox", replayed)
        except Exception:
            log.exception("Redis subscription back, but the outbox could not be read to catch up")


class Broadcaster:
    """The process's broadcaster: memory until :meth:`connected` switches it to Redis."""

    def __init__(self) -> None:
        self.backend: MemoryBroadcaster | RedisBroadcaster = MemoryBroadcaster()
        self.source: OutboxSource | None = None

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Deliver ``message`` to the subscribers of ``channel``; call only after the commit.

        The message goes out with :data:`PUBLISHED_AT` added (a copy: ``message`` is left as it is).
        """
        await self.backend.publish(channel, message | {PUBLISHED_AT: clock.now().timestamp()})

    async def publish_or_raise(self, channel: str, message: dict[str, Any]) -> None:
        """:meth:`publish`, but a broker failure is raised (the outbox relay then keeps its cursor).

        Raises:
            redis.exceptions.RedisError, OSError: Redis did not take the message.
        """
        stamped = message | {PUBLISHED_AT: clock.now().timestamp()}
        if isinstance(self.backend, RedisBroadcaster):
            await self.backend.publish(channel, stamped, raising=True)
        else:
            await self.backend.publish(channel, stamped)

    def replay_from(self, source: OutboxSource | None) -> None:
        """Have a Redis subscription that comes back catch up from ``source`` (the app sets the outbox's)."""
        self.source = source
        if isinstance(self.backend, RedisBroadcaster):
            self.backend.source = source

    def subscribe(self, channel: str) -> Any:
        """``async with broadcaster.subscribe(channel) as queue``: the channel's messages while open."""
        return self.backend.subscribe(channel)

    async def ping(self, timeout: float) -> bool:
        """Ask Redis for PONG within ``timeout`` seconds when messages go through it; False when in memory.

        Raises:
            TimeoutError: no answer within ``timeout``.
            redis.exceptions.RedisError: Redis cannot be reached or refused the command.
        """
        if not isinstance(self.backend, RedisBroadcaster):
            return False
        await asyncio.wait_for(self.backend._redis.ping(), timeout)
        return True

    @asynccontextmanager
    async def connected(self, redis_url: str | None) -> AsyncIterator[None]:
        """Carry messages through Redis at ``redis_url`` while open (memory when None).

        Raises:
            redis.exceptions.ConnectionError: Redis cannot be reached at start.
        """
        if not redis_url:
            yield
            return
        backend = RedisBroadcaster(redis_url)
        backend.source = self.source
        await backend.start()
        previous, self.backend = self.backend, backend
        log.info("events through Redis at %s", redis_url.split("@")[-1])
        try:
            yield
        finally:
            self.backend = previous
            await backend.close()


broadcaster = Broadcaster()


def proposal_channel(proposal_id: int) -> str:
    """The channel of one proposal's events (transitions, reviews, votes, recusals, progress)."""
    return f"proposal:{proposal_id}"
