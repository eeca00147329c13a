"""The event broadcaster: services publish after commit, subscriptions listen.

In memory for a single process (the default). Channels are strings such as
``proposal:42``; messages are plain dicts. Publishing never blocks: a slow
subscriber's queue drops its oldest message rather than hold up the writer.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

QUEUE_SIZE = 100


class MemoryBroadcaster:
    """Fan-out of messages to the subscribers of a channel within one process."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        """Deliver ``message`` to every current subscriber of ``channel``."""
        for queue in list(self._subscribers.get(channel, ())):
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


broadcaster = MemoryBroadcaster()


def proposal_channel(proposal_id: int) -> str:
    """The channel of one proposal's events (transitions, reviews, votes, progress)."""
    return f"proposal:{proposal_id}"
