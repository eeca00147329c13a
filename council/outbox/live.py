"""The ``live`` consumer of the outbox: every event to the broadcaster, for the GraphQL subscriptions.

:func:`install` (called by the app's lifespan and by ``council worker``)
registers it with the relay and gives the broadcaster the outbox to catch up
from when a Redis subscription comes back (:meth:`council.events.Broadcaster.replay_from`).
Publishing raises on a broker failure, so the relay keeps the cursor and the
events go out again once Redis answers: none is lost, some may come twice
(each process drops the repeats of an outbox id).
"""

from __future__ import annotations

from typing import Any

from council.events import broadcaster
from council.outbox import relay
from council.outbox.models import OutboxEvent
from council.outbox.order import committed_after
from council.outbox.relay import OutboxRecord

NAME = "live"


class LiveConsumer:
    """Publishes each event's message (with ``outbox_id``) on its channel, in id order."""

    name = NAME

    async def handle(self, events: list[OutboxRecord]) -> None:
        """Publish each event; raises what the broker raised (redis errors, OSError), the rest unpublished."""
        for event in events:
            await broadcaster.publish_or_raise(event.channel, event.payload)


class OutboxTable:
    """The outbox as :class:`council.events.OutboxSource`: where a returning subscription catches up from."""

    async def head(self) -> int:
        """The newest event's id (0 when the table is empty)."""
        newest = await OutboxEvent.all().order_by("-id").only("id").first()
        return newest.id if newest is not None else 0

    async def after(self, last_id: int, limit: int) -> list[tuple[int, str, dict[str, Any]]]:
        """Up to ``limit`` events after ``last_id`` in id order, as ``(id, channel, message)``."""
        rows = await committed_after(last_id, limit)
        return [(r.id, r.channel, dict(r.payload) | {"outbox_id": r.id}) for r in rows]


def install() -> None:
    """Register the ``live`` consumer and let the broadcaster catch up from the outbox table."""
    relay.register(LiveConsumer())
    broadcaster.replay_from(OutboxTable())
