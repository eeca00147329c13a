"""GraphQL subscriptions: ``voteTally`` and ``proposalEvents``, fed by :mod:`council.events`.

Both re-read the database when a message arrives (messages only say that
something happened, after its commit), so a subscriber sees exactly what a
query would show at that moment: a ballot that hides its tally shows a null
``tally`` until it closes, and a vote's audit event says who voted, not how.
Messages that pile up while a read runs are taken together (one read), and
the subscribers of one ballot in a process share a read started after their
message arrived.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import strawberry

from council import metrics
from council.api.ids import to_global_id
from council.api.proposals import proposal_pk
from council.api.types import AuditEvent, Ballot
from council.audit.chains import proposal_chain
from council.audit.queries import last_event_id, last_seq, proposal_events_after
from council.events import ALL_PROPOSALS, broadcaster, proposal_channel
from council.proposals.queries import readable_ids, readable_row
from council.voting.queries import latest_ballots


async def _next_batch(queue: asyncio.Queue[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wait for a message; it and every other message already queued."""
    batch = [await queue.get()]
    while not queue.empty():
        batch.append(queue.get_nowait())
    return batch


class _SharedReads:
    """One read of a proposal's latest ballot shared by the subscribers who asked at the same time.

    A subscriber joins a read in flight only if it started after the
    subscriber's message arrived (so after the commit the message announces);
    otherwise it starts a new one.
    """

    def __init__(self) -> None:
        self._reads: dict[int, tuple[float, asyncio.Future[dict[str, Any] | None]]] = {}

    async def ballot(self, proposal_id: int, since: float) -> dict[str, Any] | None:
        """The proposal's latest ballot row, read at a time after ``since`` (``time.monotonic()`` seconds)."""
        current = self._reads.get(proposal_id)
        if current is not None and current[0] >= since:
            return dict(row) if (row := await asyncio.shield(current[1])) is not None else None
        future: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
        self._reads[proposal_id] = (time.monotonic(), future)
        try:
            future.set_result((await latest_ballots([proposal_id])).get(proposal_id))
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: the readers re-raise it
            raise
        finally:
            if self._reads.get(proposal_id, (0, None))[1] is future:
                del self._reads[proposal_id]
        row = future.result()
        return dict(row) if row is not None else None


_shared = _SharedReads()


def _tally_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """What a subscriber of the ballot may see change (never the counts of an open hidden ballot)."""
    hidden = row["hide_tally"] and row["closed_at"] is None
    counts = (row["yes_count"], row["no_count"], row["abstain_count"])
    return (
        row["id"],
        row["closed_at"],
        row["result"],
        row["eligible_count"],
        row["quorum_required"],
        row["closes_at"],
        row["extended"],
        sum(counts),
        None if hidden else counts,
    )


@strawberry.type(description="An audit event as it is appended, with its proposal.")
class ProposalEvent:
    proposal_id: strawberry.ID
    event: AuditEvent


@asynccontextmanager
async def _listening(channel: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """The broadcaster's queue for ``channel``, counted in ``council_subscriptions_active`` while open.

    Counted here, not in the broadcaster: its internal listeners (the signing
    keys' announcements) are not a client's subscriptions.
    """
    async with broadcaster.subscribe(channel) as queue:
        metrics.SUBSCRIPTIONS_ACTIVE.inc()
        try:
            yield queue
        finally:
            metrics.SUBSCRIPTIONS_ACTIVE.dec()


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description=(
            "The proposal's latest ballot now, then again each time a vote, a recusal, an extension or the close "
            "changes it. While a ballot hides its tally, `tally` stays null until it closes."
        )
    )
    async def vote_tally(self, info: strawberry.Info, proposal_id: strawberry.ID) -> AsyncGenerator[Ballot, None]:
        context = info.context
        pk = proposal_pk(proposal_id)
        async with _listening(proposal_channel(pk)) as queue:
            await readable_row(context.principal, pk)  # NOT_FOUND for what the viewer may not read
            seen: tuple[Any, ...] | None = None
            since = time.monotonic()
            while True:
                row = await _shared.ballot(pk, since)
                if row is not None and _tally_key(row) != seen:
                    seen = _tally_key(row)
                    context.fresh_loaders()
                    yield Ballot.from_row(row)
                await _next_batch(queue)
                since = time.monotonic()

    @strawberry.subscription(
        description=(
            "Audit events as they are appended: of one proposal, or of every proposal the viewer may read "
            "when proposalId is left out. Only events appended after the subscription started."
        )
    )
    async def proposal_events(
        self, info: strawberry.Info, proposal_id: strawberry.ID | None = None
    ) -> AsyncGenerator[ProposalEvent, None]:
        context = info.context
        pk = proposal_pk(proposal_id) if proposal_id is not None else None
        async with _listening(proposal_channel(pk) if pk is not None else ALL_PROPOSALS) as queue:
            seen_seq: dict[int, int] = {}
            if pk is not None:
                await readable_row(context.principal, pk)
                seen_seq[pk] = await last_seq(proposal_chain(pk))
            start_id = await last_event_id()
            while True:
                pids = {m["proposal_id"] for m in await _next_batch(queue) if "proposal_id" in m}
                for row in await _new_events(context.principal, pids, seen_seq, start_id):
                    seen_seq[row["proposal_id"]] = row["seq"]
                    yield ProposalEvent(
                        proposal_id=strawberry.ID(to_global_id("Proposal", row["proposal_id"])),
                        event=AuditEvent.from_row(row),
                    )


async def _new_events(principal: Any, pids: set[int], seen_seq: dict[int, int], start_id: int) -> list[dict[str, Any]]:
    """Events of ``pids`` the principal may read, after ``seen_seq``.

    For a proposal not seen yet: the events with an id above ``start_id``.
    """
    events: list[dict[str, Any]] = []
    for pid in await readable_ids(principal, pids):
        events += await proposal_events_after(pid, seq=seen_seq.get(pid), event_id=start_id)
    return events
