"""The transactional outbox (issue 15): events written with their change, relayed at least once, in order.

Through the public surface: mutations over GraphQL, the relay's functions
(``council.outbox.relay``: register, run_once, drain), a real ``council
serve`` with Redis behind a TCP forwarder that the test cuts and restores
(tests/tcp_forwarder.py), subscribers over websockets (tests/ws_client.py).
The Redis tests need Redis at ``COUNCIL_TEST_REDIS_URL``; they run on SQLite
(the server shares the suite's file) and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis.asyncio as aioredis
from nodes import REDIS_URL, redis_answers, without_local_live
from paths import CAST_VOTE, OWNER_ORG, Paths, voters
from serve_process import ServeProcess
from tcp_forwarder import TcpForwarder
from ws_client import EVENTS, TALLY, LiveClient

from council.api.ids import from_global_id
from council.events import REDIS_PREFIX, Broadcaster
from council.outbox import relay
from council.outbox.live import OutboxTable
from council.outbox.models import OutboxCursor, OutboxEvent
from council.outbox.relay import OutboxRecord

VOTERS = voters(OWNER_ORG)


def _needs_redis() -> None:
    if not redis_answers():
        pytest.skip(f"no Redis at {REDIS_URL}")


def _through(forwarder: TcpForwarder) -> str:
    """:data:`REDIS_URL` with its address replaced by the forwarder's."""
    parts = urlsplit(REDIS_URL)
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{forwarder.port}"))


@pytest.fixture
def forwarder() -> Iterator[TcpForwarder]:
    _needs_redis()
    parts = urlsplit(REDIS_URL)
    with TcpForwarder(parts.hostname or "127.0.0.1", parts.port or 6379) as fwd:
        yield fwd


class Recorder:
    """A consumer that keeps the ids it was handed; fails the next ``fail`` batches."""

    def __init__(self, name: str, fail: int = 0) -> None:
        self.name = name
        self.fail = fail
        self.ids: list[int] = []

    async def handle(self, events: list[OutboxRecord]) -> None:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("the consumer's service is down")
        for event in events:
            assert event.payload["outbox_id"] == event.id
            self.ids.append(event.id)


@pytest.fixture
async def recorders() -> AsyncIterator[list[Recorder]]:
    """Registered recorders (named ``test-a``, ...), unregistered afterwards."""
    made: list[Recorder] = []
    yield made
    for recorder in made:
        relay.unregister(recorder.name)


def _add(recorders: list[Recorder], recorder: Recorder) -> Recorder:
    recorders.append(recorder)
    relay.register(recorder)
    return recorder


async def _outbox_ids(**filters: Any) -> list[int]:
    return await OutboxEvent.filter(**filters).order_by("id").values_list("id", flat=True)  # type: ignore[return-value]


async def test_a_mutation_writes_its_outbox_rows_and_a_refused_one_none(p: Paths, gql: Any, token: Any) -> None:
    pid = await p.at("quick_win_approval")
    pk = from_global_id(pid, "Proposal")[1]
    before = await _outbox_ids()
    await p.vote(pid, VOTERS[0], "YES")
    rows = await OutboxEvent.filter(id__gt=max(before, default=0)).order_by("id")
    assert [(r.channel, r.subject_kind, r.subject_id, r.action) for r in rows] == [
        (f"proposal:{pk}", "proposal", pk, "vote")
    ]
    assert rows[0].payload["proposal_id"] == pk and rows[0].payload["action"] == "vote"
    assert isinstance(rows[0].payload["ballot_id"], int)

    after_vote = await _outbox_ids()
    refused = await gql(CAST_VOTE, {"input": {"proposalId": pid, "choice": "YES"}}, token=await token(p.officer))
    assert refused["data"]["castVote"]["errors"], refused  # an OPD officer has no seat: refused, nothing written
    assert await _outbox_ids() == after_vote


async def test_the_live_consumer_publishes_each_event_with_its_id(p: Paths) -> None:
    pid = await p.at("quick_win_approval")
    pk = from_global_id(pid, "Proposal")[1]
    from council.events import broadcaster

    await relay.drain()  # the set-up's events are out
    async with broadcaster.subscribe(f"proposal:{pk}") as queue:
        await p.vote(pid, VOTERS[0], "YES")
        await p.vote(pid, VOTERS[1], "NO")
        await relay.drain()  # whatever the nudged relay has not handed over yet
        got = [await asyncio.wait_for(queue.get(), 5) for _ in range(2)]
        assert queue.empty()  # each once
    ids = await _outbox_ids(subject_id=pk, action="vote")
    assert [m["outbox_id"] for m in got] == ids and [m["action"] for m in got] == ["vote", "vote"]
    assert (await OutboxCursor.get(name="live")).last_id >= ids[-1]


async def test_two_relays_racing_hand_each_event_once_per_consumer_in_order(
    p: Paths, recorders: list[Recorder]
) -> None:
    pids = [await p.at("quick_win_approval") for _ in range(2)]
    first, second = _add(recorders, Recorder("test-a")), _add(recorders, Recorder("test-b"))
    start = max(await _outbox_ids(), default=0)
    stop = asyncio.Event()

    async def racing_relay() -> None:
        while not stop.is_set():
            for consumer in (first, second):
                await relay.run_once(consumer, limit=3)
            await asyncio.sleep(0)

    relays = [asyncio.create_task(racing_relay()) for _ in range(2)]
    votes = [p.vote(pid, voter, choice) for pid in pids for voter in VOTERS[:5] for choice in ("YES", "NO")]
    for batch in range(0, len(votes), 5):
        await asyncio.gather(*votes[batch : batch + 5])  # writers while the relays run
    stop.set()
    await asyncio.gather(*relays)
    await relay.drain()

    written = await _outbox_ids(id__gt=start)
    assert len(written) == len(votes)
    for recorder in (first, second):
        handled = [i for i in recorder.ids if i > start]
        assert handled == written, recorder.name  # each once, in id order


async def test_a_failing_consumer_is_retried_and_the_others_go_on(p: Paths, recorders: list[Recorder]) -> None:
    pid = await p.at("quick_win_approval")
    failing, healthy = _add(recorders, Recorder("test-failing")), _add(recorders, Recorder("test-healthy"))
    await relay.drain()
    failing.ids.clear()
    healthy.ids.clear()
    failing.fail = 2  # its next two batches fail
    await p.vote(pid, VOTERS[0], "YES")
    (vote_id,) = await _outbox_ids(subject_id=from_global_id(pid, "Proposal")[1], action="vote")
    async with relay.running(0) as loop:
        loop.wake.set()
        for _ in range(100):
            if failing.ids:
                break
            await asyncio.sleep(0.05)
    assert healthy.ids == [vote_id] and failing.ids == [vote_id] and failing.fail == 0


async def test_a_returning_subscription_catches_up_from_the_outbox(p: Paths, forwarder: TcpForwarder) -> None:
    """Another node published while this node's subscription was down: the event still reaches its subscribers."""
    pid = await p.at("quick_win_approval")
    pk = from_global_id(pid, "Proposal")[1]
    node = Broadcaster()
    node.replay_from(OutboxTable())
    publisher = aioredis.from_url(REDIS_URL)
    try:
        async with node.connected(_through(forwarder)), node.subscribe(f"proposal:{pk}") as queue:
            forwarder.stop()  # this node loses Redis
            await p.vote(pid, VOTERS[0], "YES")
            row = (await OutboxEvent.filter(subject_id=pk, action="vote").order_by("-id").first()) or pytest.fail()
            message = dict(row.payload) | {"outbox_id": row.id}
            await publisher.publish(REDIS_PREFIX + row.channel, json.dumps(message))  # another node's relay
            await asyncio.sleep(0.3)
            assert queue.empty()
            forwarder.start()
            got = await asyncio.wait_for(queue.get(), 10)  # replayed from the table on resubscribing
            assert (got["outbox_id"], got["action"]) == (row.id, "vote")
            await publisher.publish(REDIS_PREFIX + row.channel, json.dumps(message))  # a repeat: dropped
            await p.vote(pid, VOTERS[1], "NO")
            newer = (await OutboxEvent.filter(subject_id=pk, action="vote").order_by("-id").first()) or pytest.fail()
            await publisher.publish(
                REDIS_PREFIX + newer.channel, json.dumps(dict(newer.payload) | {"outbox_id": newer.id})
            )
            assert (await asyncio.wait_for(queue.get(), 10))["outbox_id"] == newer.id
    finally:
        await publisher.aclose()


@pytest.fixture
def server(app: Any, forwarder: TcpForwarder, tmp_path: Any) -> Iterator[ServeProcess]:
    """A real ``council serve`` whose Redis is reached through ``forwarder`` (relay every 0.2 s)."""
    with without_local_live():
        yield from _serve(forwarder, tmp_path)


def _serve(forwarder: TcpForwarder, tmp_path: Any) -> Iterator[ServeProcess]:
    process = ServeProcess(
        tmp_path / "serve.log",
        COUNCIL_REDIS_URL=_through(forwarder),
        COUNCIL_OUTBOX_INTERVAL="0.2",
        COUNCIL_LOG_LEVEL="warning",
    )
    try:
        process.wait_ready()
        yield process
    finally:
        process.stop()


async def _cast(http: Any, server: ServeProcess, bearer: str, pid: str, choice: str) -> None:
    response = await http.post(
        f"{server.base}/graphql",
        headers={"Authorization": f"Bearer {bearer}"},
        json={"query": CAST_VOTE, "variables": {"input": {"proposalId": pid, "choice": choice}}},
    )
    assert response.status_code == 200 and response.json()["data"]["castVote"]["errors"] == [], response.text


async def test_redis_unreachable_while_votes_are_cast_then_back_loses_nothing(
    server: ServeProcess, forwarder: TcpForwarder, p: Paths, token: Any
) -> None:
    import httpx

    pid = await p.at("quick_win_approval")
    pk = from_global_id(pid, "Proposal")[1]
    watcher = aioredis.from_url(REDIS_URL)  # what the server's relay hands to Redis, seen from outside the cut
    published: list[int] = []
    pubsub = watcher.pubsub()
    await pubsub.subscribe(f"{REDIS_PREFIX}proposal:{pk}")

    async def watch() -> None:
        async for item in pubsub.listen():
            if item["type"] == "message":
                published.append(json.loads(item["data"])["outbox_id"])

    watching = asyncio.create_task(watch())
    choices = ["YES", "NO", "YES", "ABSTAIN", "YES"]
    async with (
        LiveClient.connect(server.ws, {"token": await token(VOTERS[-1])}) as one,
        LiveClient.connect(server.ws, {"token": await token(VOTERS[-2])}) as two,
        httpx.AsyncClient(timeout=20) as http,
    ):
        for live in (one, two):
            await live.subscribe("t", TALLY, {"id": pid})
            await live.subscribe("e", EVENTS, {"id": pid})
            assert (await live.data("t"))["voteTally"]["votesCast"] == 0
        await _cast(http, server, await token(VOTERS[0]), pid, choices[0])
        for live in (one, two):
            assert (await live.data("t"))["voteTally"]["votesCast"] == 1

        forwarder.stop()  # Redis unreachable for the server
        for voter, choice in zip(VOTERS[1:], choices[1:], strict=False):
            await _cast(http, server, await token(voter), pid, choice)
        await asyncio.sleep(0.5)
        assert one.queues["t"].empty() and two.queues["t"].empty()  # nothing could be carried meanwhile
        forwarder.start()

        expected = {"yes": 3, "no": 1, "abstain": 1}
        for live in (one, two):
            seen = [(await live.data("t", timeout=20))["voteTally"]]
            while seen[-1]["votesCast"] < len(choices):
                seen.append((await live.data("t", timeout=20))["voteTally"])
            assert seen[-1]["tally"] == expected
            events = [(await live.data("e", timeout=20))["proposalEvents"]["event"] for _ in choices]
            assert [e["action"] for e in events] == ["vote_cast"] * len(choices)  # each vote's event, in order
            assert [e["seq"] for e in events] == sorted({e["seq"] for e in events})

    votes = await _outbox_ids(subject_id=pk, action="vote")
    assert len(votes) == len(choices)
    for _ in range(100):
        if set(votes) <= set(published):
            break
        await asyncio.sleep(0.1)
    assert set(votes) <= set(published)  # the relay handed every vote to Redis once it was back
    assert [i for i in published if i in votes] == sorted(set(published) & set(votes))  # in order
    watching.cancel()
    await pubsub.aclose()
    await watcher.aclose()


async def test_events_every_consumer_is_past_are_pruned_after_the_retention(
    p: Paths, recorders: list[Recorder]
) -> None:
    await p.at("quick_win_approval")
    await relay.drain()
    written = await _outbox_ids()
    assert await relay.prune(timedelta(days=1)) == 0  # none that old
    behind = _add(recorders, Recorder("test-behind", fail=10**6))  # refuses every batch but the one below
    assert await relay.prune(timedelta(0)) == 0  # a consumer without a cursor yet: nothing is everybody's past
    behind.fail = 0
    await relay.run_once(behind, limit=3)
    behind.fail = 10**6
    cursor = (await OutboxCursor.get(name="test-behind")).last_id
    assert cursor == written[2]
    assert await relay.prune(timedelta(0)) == 3
    assert await _outbox_ids() == written[3:]
