"""``GET /metrics``: what a scrape shows after requests, votes, transitions, timers and live subscriptions.

Counters only grow within the session's process, so each test compares a
scrape taken after its actions with one taken before. Every scrape is parsed
with prometheus-client's own parser, so the exposition is valid text format.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from ballots import FakeClock, tick
from paths import OWNER_ORG, Paths, operation, representative, voters
from prometheus_client.parser import text_string_to_metric_families
from serve_process import free_port
from tortoise.transactions import in_transaction
from ws_client import TALLY, LiveClient

from council import clock as council_clock

VOTERS = voters(OWNER_ORG)
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    """Every sample of ``GET /metrics``, by name and labels."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample ``name{labels}``; 0 when the series does not exist yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(council_clock, "now", fake.now)
    return fake


async def test_requests_are_counted_by_declared_operation_name_and_any_other_name_as_other(
    client: httpx.AsyncClient, token: Any
) -> None:
    bearer = {"Authorization": f"Bearer {await token('opd.kominfo')}"}
    before = await scrape(client)

    assert (await client.post("/graphql", json={"query": operation("Viewer")}, headers=bearer)).status_code == 200
    assert (await client.post("/graphql", json={"query": "query Viewer { nope }"}, headers=bearer)).status_code == 200
    unknown = {"query": "query MadeUpByTheClient42 { viewer { id } }"}
    assert (await client.post("/graphql", json=unknown, headers=bearer)).status_code == 200
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert (await client.post("/graphql", json={"query": operation("Viewer")}, headers=bad_token)).status_code == 401

    after = await scrape(client)
    name = "council_graphql_requests_total"
    assert (
        value(after, name, operation="Viewer", outcome="ok")
        == value(before, name, operation="Viewer", outcome="ok") + 1
    )
    assert (
        value(after, name, operation="Viewer", outcome="error")
        == value(before, name, operation="Viewer", outcome="error") + 1
    )
    assert (
        value(after, name, operation="other", outcome="ok") == value(before, name, operation="other", outcome="ok") + 1
    )
    assert (
        value(after, name, operation="other", outcome="unauthenticated")
        == value(before, name, operation="other", outcome="unauthenticated") + 1
    )
    assert not any("MadeUpByTheClient42" in str(labels) for _, labels in after)
    histogram = "council_graphql_request_duration_seconds_count"
    assert value(after, histogram, operation="Viewer") == value(before, histogram, operation="Viewer") + 2


async def test_votes_and_transitions_are_counted_after_their_commit(client: httpx.AsyncClient, p: Paths) -> None:
    before = await scrape(client)
    pid = await p.at("quick_win_approval")  # submit, reviews, recommend
    await p.vote(pid, VOTERS[0], "YES")
    await p.vote(pid, VOTERS[0], "NO")  # a change
    await p.vote(pid, VOTERS[0], "NO")  # the same choice again: nothing recorded
    refused = await p.mutate(
        "mutation T($input: TransitionProposalInput!) { transitionProposal(input: $input) { errors { code } } }",
        "transitionProposal",
        {"proposalId": pid, "trigger": "complete"},
        representative("council_chair"),
    )
    assert refused["errors"]

    after = await scrape(client)
    votes = "council_votes_cast_total"
    assert value(after, votes, kind="new") == value(before, votes, kind="new") + 1
    assert value(after, votes, kind="changed") == value(before, votes, kind="changed") + 1
    fired = "council_transitions_fired_total"
    for trigger in ("submit", "recommend"):
        assert value(after, fired, trigger=trigger, fired_by="member") == (
            value(before, fired, trigger=trigger, fired_by="member") + 1
        )
    assert total(after, fired, trigger="complete") == total(before, fired, trigger="complete")


async def test_a_fired_timer_is_counted_with_its_lag(client: httpx.AsyncClient, p: Paths, clock: FakeClock) -> None:
    pid = await p.at("quick_win_approval")  # its ballot closes a week after it opened (workflows/quick-win.yaml)
    await p.votes_to_quorum(pid, "YES")
    before = await scrape(client)
    clock.advance(days=7, seconds=90)  # the scheduler comes 90 s late

    fired_now = await tick()  # quick-win version 2 also reminds the undecided voters 24 h before the close
    assert [o for o in fired_now if not o.startswith("reminded")] == ["closed approved: implementation"]

    after = await scrape(client)
    kind = "ballot_deadline"
    assert value(after, "council_timers_fired_total", kind=kind) == (
        value(before, "council_timers_fired_total", kind=kind) + 1
    )
    assert value(after, "council_timer_lag_seconds_count", kind=kind) == (
        value(before, "council_timer_lag_seconds_count", kind=kind) + 1
    )
    assert value(after, "council_timer_lag_seconds_sum", kind=kind) == pytest.approx(
        value(before, "council_timer_lag_seconds_sum", kind=kind) + 90
    )
    fired = "council_transitions_fired_total"
    assert value(after, fired, trigger="close_vote", fired_by="timer") == (
        value(before, fired, trigger="close_vote", fired_by="timer") + 1
    )


async def test_websockets_subscriptions_and_delivery_lag(
    client: httpx.AsyncClient, p: Paths, token: Any, ws_url: str
) -> None:
    pid = await p.at("quick_win_approval")
    idle = await scrape(client)
    async with LiveClient.connect(ws_url, {"token": await token(VOTERS[1])}) as live:
        await live.subscribe("t", TALLY, {"id": pid})
        await live.next("t")  # the ballot now: the subscription is listening
        listening = await scrape(client)
        await p.vote(pid, VOTERS[0], "YES")
        await live.next("t")  # the vote reached the subscriber
        delivered = await scrape(client)
    await asyncio.sleep(0.2)  # the server notices the close
    closed = await scrape(client)

    # no client connected, no subscription counted (the keys' own listener on the broadcaster is not one)
    assert value(idle, "council_websocket_connections") == value(idle, "council_subscriptions_active") == 0
    assert value(listening, "council_websocket_connections") == value(idle, "council_websocket_connections") + 1
    assert value(listening, "council_subscriptions_active") == value(idle, "council_subscriptions_active") + 1
    lag = "council_event_delivery_lag_seconds_count"
    assert value(delivered, lag) == value(listening, lag) + 1
    assert value(closed, "council_websocket_connections") == value(idle, "council_websocket_connections")
    assert value(closed, "council_subscriptions_active") == value(idle, "council_subscriptions_active")


async def test_the_database_pool_gauge_counts_connections_lent_out(client: httpx.AsyncClient) -> None:
    assert value(await scrape(client), "council_database_connections_in_use") == 0  # between requests
    async with in_transaction():  # holds a pooled connection (PostgreSQL) or the one connection (SQLite)
        assert value(await scrape(client), "council_database_connections_in_use") == 1


@pytest.mark.slow
def test_council_worker_serves_its_metrics_on_the_port_asked(app: Any, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "worker.log"
    with log.open("w") as errors:
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("council")),
                "worker",
                "--interval",
                "0.2",
                "--metrics-port",
                str(port),
            ],
            env={**os.environ, "COUNCIL_HOST": "127.0.0.1"},
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=1)
                break
            except httpx.TransportError:
                assert worker.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the worker's metrics never answered"
                time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert {"council_timers_fired", "council_timer_lag_seconds", "council_transitions_fired"} <= names
