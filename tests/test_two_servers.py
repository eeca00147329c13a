"""Two ``council serve`` processes sharing one PostgreSQL database and one Redis.

Runs only on PostgreSQL (``COUNCIL_TEST_DATABASE_URL``) with Redis answering
at ``COUNCIL_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``); when
``COUNCIL_TEST_REDIS_URL`` is set, a Redis that does not answer fails the
tests instead of skipping them (``.ci/run`` sets it). Both servers run their
scheduler every 0.2 s. Set-up goes through the in-process API, as elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from nodes import REDIS_URL, Server, local_events_through_redis, redis_answers
from paths import CAST_VOTE, OWNER_ORG, Paths, representative, voters
from ws_client import TALLY, LiveClient

from council import clock
from council.api.ids import from_global_id
from council.audit.models import AuditEvent
from council.organizations.models import Member, Organization
from council.settings import get_settings
from council.voting.models import Ballot, Vote
from council.workflow.models import Timer, TimerKind

ON_POSTGRES = os.environ["COUNCIL_DATABASE_URL"].startswith("postgres")  # set by conftest
VOTERS = voters(OWNER_ORG)
CHAIR = representative("council_chair")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="two servers need a shared PostgreSQL database"),
    pytest.mark.skipif(ON_POSTGRES and not redis_answers(), reason=f"no Redis at {REDIS_URL}"),
]


@pytest.fixture(scope="module")
async def servers(app: Any, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Server, Server]]:
    """Servers A and B (after ``app`` migrated the database); the last test kills A."""
    folder = tmp_path_factory.mktemp("two-servers")
    # The tests mint tokens in this process: both servers trust its issuer, not their own address.
    issuer = get_settings().token_issuer
    pair = (Server("A", folder / "a.log", issuer=issuer), Server("B", folder / "b.log", issuer=issuer))
    try:
        for server in pair:
            server.wait_ready()
        async with local_events_through_redis():  # the in-process app is a third node
            yield pair
    finally:
        for server in pair:
            server.stop()


async def vote_on(server: Server, bearer: str, pid: str, choice: str, client: httpx.AsyncClient) -> dict[str, Any]:
    """castVote through ``server`` over HTTP; the payload (errors unchecked)."""
    response = await client.post(
        f"{server.base}/graphql",
        headers={"Authorization": f"Bearer {bearer}"},
        json={"query": CAST_VOTE, "variables": {"input": {"proposalId": pid, "choice": choice}}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["castVote"]


async def test_a_vote_through_a_reaches_a_subscriber_on_b(servers: tuple[Server, Server], p: Paths, token: Any) -> None:
    a, b = servers
    pid = await p.at("quick_win_approval")
    async with LiveClient.connect(b.ws, {"token": await token(CHAIR)}) as live, httpx.AsyncClient(timeout=10) as http:
        await live.subscribe("t", TALLY, {"id": pid})
        assert (await live.data("t"))["voteTally"]["votesCast"] == 0
        assert (await vote_on(a, await token(VOTERS[0]), pid, "YES", http))["errors"] == []
        assert (await live.data("t"))["voteTally"]["tally"] == {"yes": 1, "no": 0, "abstain": 0}
        assert (await vote_on(b, await token(VOTERS[1]), pid, "NO", http))["errors"] == []
        assert (await live.data("t"))["voteTally"]["tally"] == {"yes": 1, "no": 1, "abstain": 0}


async def test_a_due_deadline_fires_exactly_once_across_both(
    servers: tuple[Server, Server], p: Paths, token: Any
) -> None:
    _, b = servers
    pids = [await p.at("quick_win_approval") for _ in range(4)]
    for pid in pids:
        for voter in VOTERS[:4]:
            await p.vote(pid, voter, "YES")
    pks = [from_global_id(pid, "Proposal")[1] for pid in pids]
    async with LiveClient.connect(b.ws, {"token": await token(CHAIR)}) as live:
        for n, pid in enumerate(pids):
            await live.subscribe(str(n), TALLY, {"id": pid})
            assert (await live.data(str(n)))["voteTally"]["votesCast"] == 4
        past = clock.now() - timedelta(seconds=1)  # the deadline (after its one extension) has passed
        await Ballot.filter(proposal_id__in=pks, closed_at__isnull=True).update(closes_at=past, extended=True)
        assert (
            await Timer.filter(
                proposal_id__in=pks, kind=TimerKind.BALLOT_DEADLINE, fired_at__isnull=True, cancelled_at__isnull=True
            ).update(due_at=past)
            == 4
        )
        for n in range(len(pids)):  # whichever server fired it, the subscriber on B hears of the close
            closed = (await live.data(str(n), timeout=20))["voteTally"]
            assert (closed["closed"], closed["result"]) == (True, "APPROVED")

    fired = await Timer.filter(proposal_id__in=pks, kind=TimerKind.BALLOT_DEADLINE).values(
        "proposal_id", "fired_at", "claimed_by", "outcome"
    )
    assert sorted(t["proposal_id"] for t in fired) == sorted(pks)
    assert all(t["fired_at"] is not None and t["outcome"] == "closed approved: implementation" for t in fired), fired
    for pk in pks:
        closes = await AuditEvent.filter(chain_kind="proposal", chain_id=pk, trigger="close_vote").count()
        assert closes == 1, pk
        assert (await Ballot.get(proposal_id=pk)).closed_by_deadline


async def test_killing_a_server_mid_vote_loses_no_acknowledged_vote(
    servers: tuple[Server, Server], p: Paths, token: Any
) -> None:
    a, b = servers
    council = await Organization.get(code="council")
    extra = [
        await Member.create(
            username=f"anggota.{n}", display_name=f"Anggota {n}", organization=council, roles=["council_member"]
        )
        for n in range(60)
    ]
    pid = await p.at("quick_win_approval")
    bearers = {m.username: await token(m.username) for m in extra}
    acknowledged: dict[str, str] = {}
    first_acks = asyncio.Event()

    async def cast(username: str, server: Server, choice: str, http: httpx.AsyncClient) -> None:
        try:
            payload = await vote_on(server, bearers[username], pid, choice, http)
        except httpx.TransportError:
            return  # A died under the request: the vote may or may not be in; not acknowledged
        assert payload["errors"] == [], payload
        acknowledged[username] = choice
        if len(acknowledged) >= 10:
            first_acks.set()

    async with httpx.AsyncClient(timeout=20, limits=httpx.Limits(max_connections=100)) as http:
        tasks = [
            asyncio.create_task(cast(m.username, (a, b)[n % 2], ("YES", "NO", "ABSTAIN")[n % 3], http))
            for n, m in enumerate(extra)
        ]
        await asyncio.wait_for(first_acks.wait(), 30)
        a.process.send_signal(signal.SIGKILL)
        await asyncio.gather(*tasks)

    ballot = await Ballot.get(proposal_id=from_global_id(pid, "Proposal")[1])
    rows = dict(await Vote.filter(ballot_id=ballot.id).values_list("member__username", "choice"))
    assert a.process.wait(timeout=10) == -signal.SIGKILL
    assert len(acknowledged) >= 10
    for username, choice in acknowledged.items():
        assert str(rows.get(username)).upper() == choice, username
    through_b = {m.username for n, m in enumerate(extra) if n % 2 == 1}
    assert through_b <= set(acknowledged)  # B kept serving
    async with LiveClient.connect(b.ws, {"token": await token(CHAIR)}) as live:
        await live.subscribe("t", TALLY, {"id": pid})
        assert (await live.data("t"))["voteTally"]["votesCast"] == len(rows)
