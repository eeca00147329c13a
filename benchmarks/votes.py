"""Benchmark: council members casting votes concurrently through the API, on PostgreSQL.

Prints figures; it is not a test. Run ``make bench`` (or
``.venv/bin/python benchmarks/votes.py --members 1000``) with
``COUNCIL_BENCH_DATABASE_URL`` (or ``COUNCIL_TEST_DATABASE_URL``) naming a
PostgreSQL database that may be wiped.

1. API: ``council serve`` (uvicorn, one process, scheduler off) on loopback;
   N council members, created with a proposal in ``quick_win_approval`` and
   its ballot through the ORM, each send ``castVote`` three times (the same
   choice) at once over HTTP (httpx async client, ``--concurrency``
   requests in flight). Votes/s, requests/s, p50/p99 latency (ms), and lost
   (an acknowledged member without a vote row, or a row with another
   choice) and duplicated (rows or ``vote_cast`` audit events beyond one per
   member) votes.
2. Baseline: the same requests as hand-written asyncpg
   ``INSERT ... ON CONFLICT (ballot_id, member_id) DO UPDATE`` on a second
   ballot, pool of ``--concurrency`` connections; the same figures, and the
   ratio baseline / API.
3. Live: ``--subscribers`` ``voteTally`` subscriptions (20 per websocket
   connection) on an in-process uvicorn serving the same app, and
   ``--changes`` votes changed one after another; the delay (ms) from each
   change's commit (the broadcaster's publish, which runs right after the
   commit) to its arrival at every subscriber: p50, p99, max.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the graphql-transport-ws client of the tests

VOTE = """mutation($input: CastVoteInput!) { castVote(input: $input) { ballot { id } errors { code message } } }"""
CHOICES = ("yes", "no", "abstain")
POOL = 20
"""asyncpg connections of the baseline (the API server has its own pool, tortoise's default)."""


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def ensure_database(url: str) -> None:
    """Create the benchmark's database when it does not exist yet (connecting to ``postgres``)."""
    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
            print(f"database  created {name}")
    finally:
        await admin.close()


async def prepare(members: int) -> dict[str, Any]:
    """Wipe and migrate the database, seed Pekanbaru, add ``members`` council members and two open ballots."""
    from tortoise import Tortoise, connections

    from council import clock
    from council.auth import keys
    from council.auth.tokens import issue_access_token
    from council.db import migrate, tortoise_config
    from council.organizations.models import Member, Organization
    from council.programmes.models import Programme
    from council.proposals.models import Proposal
    from council.proposals.queries import PROPOSAL_FIELDS
    from council.seeds.loader import load_seed
    from council.voting.service import open_ballot
    from council.workflow.registry import get_registry

    await Tortoise.init(config=tortoise_config())
    await connections.get("default").execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    await Tortoise.close_connections()
    await migrate()
    await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config())
    await load_seed("pekanbaru-2018")
    council = await Organization.get(code="council")
    await Member.bulk_create(
        [
            Member(
                username=f"anggota.{n:05d}", display_name=f"Anggota {n}", organization=council, roles=["council_member"]
            )
            for n in range(members)
        ],
        batch_size=500,
    )
    ids = dict(await Member.filter(username__startswith="anggota.").values_list("username", "id"))
    author = await Member.get(username="opd.kominfo")
    definition = get_registry().default()
    rule = definition.state("quick_win_approval").vote
    now = clock.now()
    ballots = []
    for title in ("Benchmark: API", "Benchmark: asyncpg baseline"):
        proposal = await Proposal.create(
            title=title,
            summary="Pemungutan suara untuk pengukuran.",
            pillar="smart_governance",
            programme=await Programme.get(code="gm100sc-2018"),
            budget=1_000_000_000,
            organization_id=author.organization_id,
            author=author,
            state="quick_win_approval",
            workflow_name=definition.name,
            workflow_version=definition.version,
            review_round=1,
            published_at=now,
        )
        row = await Proposal.filter(id=proposal.id).first().values(*PROPOSAL_FIELDS)
        ballots.append((proposal.id, (await open_ballot(row, rule, 1, now)).id))
    await keys.load()  # the signing key, from the database the servers will read it from too
    tokens = {
        u: issue_access_token(member_id=i, username=u, scopes=["proposals:read", "votes:write"], ttl=3600)
        for u, i in ids.items()
    }
    await Tortoise.close_connections()
    return {"ids": ids, "tokens": tokens, "api": ballots[0], "baseline": ballots[1]}


async def check(ballot_id: int, proposal_id: int | None, expected: dict[int, str]) -> tuple[int, int]:
    """(lost, duplicated) votes of a ballot against the acknowledged choice of each member id."""
    import asyncpg

    conn = await asyncpg.connect(os.environ["COUNCIL_DATABASE_URL"])
    try:
        rows = await conn.fetch("SELECT member_id, choice FROM vote WHERE ballot_id = $1", ballot_id)
        events = 0
        if proposal_id is not None:
            events = await conn.fetchval(
                "SELECT count(*) FROM audit_event"
                " WHERE chain_kind = 'proposal' AND chain_id = $1 AND action = 'vote_cast'",
                proposal_id,
            )
    finally:
        await conn.close()
    found = {r["member_id"]: r["choice"] for r in rows}
    lost = sum(1 for m, c in expected.items() if found.get(m) != c)
    duplicated = len(rows) - len(found) + (max(0, events - len(found)) if proposal_id is not None else 0)
    return lost, duplicated


def report(
    name: str, members: int, latencies: list[float], elapsed: float, lost: int, duplicated: int, failed: int
) -> float:
    rate = members / elapsed
    print(
        f"{name:<9} votes/s {rate:8.1f}   requests/s {len(latencies) / elapsed:8.1f}   "
        f"p50 {percentile(latencies, 0.5) * 1000:7.1f} ms   p99 {percentile(latencies, 0.99) * 1000:7.1f} ms   "
        f"lost {lost}   duplicated {duplicated}   failed requests {failed}"
    )
    return rate


async def api_run(base: str, data: dict[str, Any], concurrency: int) -> float:
    import httpx

    from council.api.ids import to_global_id

    proposal_id, ballot_id = data["api"]
    pid = to_global_id("Proposal", proposal_id)
    latencies: list[float] = []
    acknowledged: dict[int, str] = {}
    failed = 0
    gate = asyncio.Semaphore(concurrency)

    async def one(client: httpx.AsyncClient, username: str, choice: str) -> None:
        nonlocal failed
        async with gate:
            started = time.perf_counter()
            response = await client.post(
                f"{base}/graphql",
                headers={"Authorization": f"Bearer {data['tokens'][username]}"},
                json={"query": VOTE, "variables": {"input": {"proposalId": pid, "choice": choice.upper()}}},
            )
            latencies.append(time.perf_counter() - started)
        body = response.json() if response.status_code == 200 else {}
        if body.get("data", {}).get("castVote", {}).get("errors") == []:
            acknowledged[data["ids"][username]] = choice
        else:
            failed += 1

    requests = [(u, CHOICES[n % 3]) for n, u in enumerate(data["ids"])] * 3
    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=concurrency)) as client:
        started = time.perf_counter()
        await asyncio.gather(*(one(client, u, c) for u, c in requests))
        elapsed = time.perf_counter() - started
    lost, duplicated = await check(ballot_id, proposal_id, {data["ids"][u]: c for u, c in requests})
    return report("API", len(data["ids"]), latencies, elapsed, lost, duplicated, failed)


async def baseline_run(data: dict[str, Any], concurrency: int) -> float:
    import asyncpg

    from council import clock

    _, ballot_id = data["baseline"]
    latencies: list[float] = []
    sql = (
        "INSERT INTO vote (ballot_id, member_id, choice, cast_at, changed_at) VALUES ($1, $2, $3, $4, $4) "
        "ON CONFLICT (ballot_id, member_id) DO UPDATE SET choice = EXCLUDED.choice, changed_at = EXCLUDED.changed_at "
        "WHERE vote.choice IS DISTINCT FROM EXCLUDED.choice"
    )
    requests = [(data["ids"][u], CHOICES[n % 3]) for n, u in enumerate(data["ids"])] * 3
    size = min(concurrency, POOL)
    pool = await asyncpg.create_pool(os.environ["COUNCIL_DATABASE_URL"], min_size=size, max_size=size)

    async def one(member_id: int, choice: str) -> None:
        async with pool.acquire() as conn:
            started = time.perf_counter()
            await conn.execute(sql, ballot_id, member_id, choice, clock.now())
            latencies.append(time.perf_counter() - started)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(one(m, c) for m, c in requests))
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    lost, duplicated = await check(ballot_id, None, dict(requests))
    return report("baseline", len(data["ids"]), latencies, elapsed, lost, duplicated, 0)


async def live_run(data: dict[str, Any], subscribers: int, changes: int) -> None:
    """Delay from a vote change's commit (publish) to its arrival at every ``voteTally`` subscriber."""
    import httpx
    import uvicorn
    from asgi_lifespan import LifespanManager
    from ws_client import LiveClient

    from council.api.ids import to_global_id
    from council.app import create_app
    from council.events import broadcaster

    proposal_id, _ = data["api"]
    pid = to_global_id("Proposal", proposal_id)
    published: list[float] = []
    backend_publish = broadcaster.publish

    async def timed_publish(channel: str, message: dict[str, Any]) -> None:
        if message.get("action") == "vote":
            published.append(time.perf_counter())
        await backend_publish(channel, message)

    broadcaster.publish = timed_publish  # type: ignore[method-assign]  # the benchmark times every publish
    app = create_app()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    usernames = list(data["ids"])[:changes]
    query = "subscription($id: ID!) { voteTally(proposalId: $id) { votesCast tally { yes no abstain } } }"
    async with LifespanManager(app):
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        delays: list[float] = []
        arrivals: list[tuple[str, asyncio.Queue[Any]]] = []
        connections = []
        try:
            for c in range((subscribers + 19) // 20):
                cm = LiveClient.connect(f"ws://127.0.0.1:{port}/graphql", {"token": data["tokens"][usernames[0]]})
                live = await cm.__aenter__()
                connections.append(cm)
                for s in range(min(20, subscribers - 20 * c)):
                    sub = f"{c}.{s}"
                    await live.subscribe(sub, query, {"id": pid})
                    await live.next(sub)  # the current ballot
                    arrivals.append((sub, live.queues[sub]))
            async with httpx.AsyncClient(timeout=30) as http:
                for n, username in enumerate(usernames):
                    choice = CHOICES[(n + 1) % 3]  # a change: the tally moves
                    published.clear()
                    response = await http.post(
                        f"http://127.0.0.1:{port}/graphql",
                        headers={"Authorization": f"Bearer {data['tokens'][username]}"},
                        json={"query": VOTE, "variables": {"input": {"proposalId": pid, "choice": choice.upper()}}},
                    )
                    assert response.json()["data"]["castVote"]["errors"] == [], response.text
                    for _, queue in arrivals:
                        await asyncio.wait_for(queue.get(), 30)
                        delays.append(time.perf_counter() - published[0])
            # arrival times are taken when this loop reads each queue, so they are upper bounds
        finally:
            for cm in connections:
                await cm.__aexit__(None, None, None)
            server.should_exit = True
            await task
    print(
        f"live      {subscribers} voteTally subscribers, {len(usernames)} vote changes one after another: "
        f"commit -> arrival p50 {percentile(delays, 0.5) * 1000:.1f} ms   p99 {percentile(delays, 0.99) * 1000:.1f} ms"
        f"   max {max(delays) * 1000:.1f} ms"
    )


def serve(port: int, log: Path) -> subprocess.Popen[bytes]:
    council = str(Path(sys.executable).with_name("council"))
    env = {**os.environ, "COUNCIL_SCHEDULER_INTERVAL": "0", "COUNCIL_LOG_LEVEL": "warning"}
    with log.open("w") as output:
        process = subprocess.Popen(
            [council, "serve", "--port", str(port)], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    import httpx

    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not start:\n{log.read_text()}")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100, help="requests in flight at once")
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--changes", type=int, default=50, help="vote changes timed in the live phase")
    args = parser.parse_args()
    url = os.environ.get("COUNCIL_BENCH_DATABASE_URL") or os.environ.get("COUNCIL_TEST_DATABASE_URL")
    if not url or not url.startswith("postgres"):
        raise SystemExit("set COUNCIL_BENCH_DATABASE_URL to a PostgreSQL database that may be wiped")
    scratch = Path(tempfile.mkdtemp(prefix="council-bench-"))
    os.environ.update(
        COUNCIL_DATABASE_URL=url,
        COUNCIL_KEYS_DIR=str(scratch / "keys"),
        COUNCIL_MODE="production",
        COUNCIL_SCHEDULER_INTERVAL="0",
    )
    os.environ.pop("COUNCIL_REDIS_URL", None)

    print(
        f"machine   {platform.uname().system} {platform.uname().release} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"members   {args.members}, 3 identical castVote requests each, {args.concurrency} in flight")
    asyncio.run(ensure_database(url))
    data = asyncio.run(prepare(args.members))
    port = free_port()
    process = serve(port, scratch / "serve.log")
    try:
        api = asyncio.run(api_run(f"http://127.0.0.1:{port}", data, args.concurrency))
    finally:
        process.terminate()
        process.wait(timeout=10)
    baseline = asyncio.run(baseline_run(data, args.concurrency))
    print(f"ratio     baseline / API = {baseline / api:.1f}x")
    asyncio.run(live_run(data, args.subscribers, args.changes))


if __name__ == "__main__":
    main()
