"""SIGTERM to ``council serve``: stop accepting, finish what is in flight, close websockets so clients reconnect.

Each test runs a real ``council serve`` subprocess on the suite's database. A
request "in flight" is one whose headers the server has read and whose body
it is waiting for: sent with ``Expect: 100-continue``, the server's
``100 Continue`` proves the application is inside the request when the
signal comes. The reconnection test drives the web client's own websocket
library (graphql-ws, from ``web/node_modules``) under Node.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import GQL
from paths import CAST_VOTE, OWNER_ORG, Paths, representative, voters
from serve_process import COUNCIL, ServeProcess
from ws_client import TALLY, LiveClient

from council import clock
from council.api.ids import from_global_id
from council.decisions import scheduler
from council.settings import PROJECT_ROOT
from council.voting.models import Ballot
from council.workflow.models import Timer

SERVICE_RESTART = 1012
"""RFC 6455 §7.4 / IANA: "Service Restart". uvicorn's websocket protocols send it to every open socket on
shutdown (uvicorn/protocols/websockets/websockets_sansio_impl.py, ``shutdown``), and graphql-ws's client
does not count it as fatal (web/node_modules/graphql-ws/dist/client.js, ``isFatalInternalCloseCode``: 1012
is in the list of codes that return false, so ``shouldRetryConnectOrThrow`` retries)."""
CHAIR = representative("council_chair")
VIEWER = "query { viewer { username } }"
NODE_MODULES = PROJECT_ROOT / "web" / "node_modules"


@pytest.fixture
def servers() -> Iterator[list[ServeProcess]]:
    """``council serve`` processes started by the test, stopped after it."""
    started: list[ServeProcess] = []
    yield started
    for server in started:
        server.stop()


@asynccontextmanager
async def request_in_flight(server: ServeProcess, bearer: str) -> AsyncIterator[Callable[[], Any]]:
    """A POST /graphql of :data:`VIEWER` whose body is not sent yet; yields ``finish()``.

    ``finish()`` sends the body and returns ``(status line, headers text, JSON body)`` read to the end.
    """
    body = json.dumps({"query": VIEWER}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {bearer}\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n"
    )
    writer.write(head.encode())
    await writer.drain()
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert interim.startswith(b"HTTP/1.1 100"), interim  # the application is reading the body: in flight

    async def finish() -> tuple[str, str, Any]:
        writer.write(body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), 30)  # to the end: the server closes after answering
        headers, _, content = raw.partition(b"\r\n\r\n")
        status, _, rest = headers.decode().partition("\r\n")
        return status, rest.lower(), json.loads(content)

    try:
        yield finish
    finally:
        writer.close()


async def refused(port: int) -> bool:
    """True when a new TCP connection to ``port`` is refused."""
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError:
        return True
    writer.close()
    return False


@pytest.mark.slow
async def test_sigterm_finishes_the_request_in_flight_and_closes_websockets_with_service_restart(
    app: Any, p: Paths, token: Callable[..., Any], tmp_path: Path, servers: list[ServeProcess]
) -> None:
    server = ServeProcess(tmp_path / "serve.log")
    servers.append(server)
    server.wait_ready()
    pid = await p.at("quick_win_approval")
    bearer = await token(CHAIR)
    async with LiveClient.connect(server.ws, {"token": bearer}) as live:
        await live.subscribe("t", TALLY, {"id": pid})
        assert (await live.data("t"))["voteTally"]["votesCast"] == 0
        async with request_in_flight(server, bearer) as finish:
            server.process.send_signal(signal.SIGTERM)

            assert await asyncio.wait_for(live.closed, 30) == SERVICE_RESTART
            assert await refused(server.port)  # no new connection once it is stopping
            status, headers, body = await finish()

    assert status == "HTTP/1.1 200 OK", (status, body)
    assert body == {"data": {"viewer": {"username": CHAIR}}}
    assert "connection: close" in headers
    assert await asyncio.to_thread(server.process.wait, 60) == 0, server.output()
    assert "Traceback" not in server.output()


@pytest.mark.slow
async def test_sigterm_cancels_what_is_still_running_after_the_shutdown_timeout(
    app: Any, token: Callable[..., Any], tmp_path: Path, servers: list[ServeProcess]
) -> None:
    server = ServeProcess(tmp_path / "serve.log", COUNCIL_SHUTDOWN_TIMEOUT="1")
    servers.append(server)
    server.wait_ready()
    async with request_in_flight(server, await token(CHAIR)):  # its body never comes
        server.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.to_thread(server.process.wait, 60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running a minute after SIGTERM with COUNCIL_SHUTDOWN_TIMEOUT=1:\n{server.output()}")
    assert code == 0, server.output()
    assert "timeout graceful shutdown exceeded" in server.output()


SUBSCRIBER = """
import { createClient } from %(graphql_ws)s;
import WebSocket from %(ws)s;

const [url, token, id] = process.argv.slice(2);
const say = (line) => console.log(JSON.stringify(line));
// The options of the web client (web/src/api/client.ts, makeClients). Even with them, graphql-ws gives up
// at once on a close code it deems fatal (shouldRetryConnectOrThrow checks isFatalInternalCloseCode before
// shouldRetry): the retry after the server's close is the library's own decision.
const client = createClient({
  url, webSocketImpl: WebSocket, connectionParams: { token },
  lazy: true, retryAttempts: Number.POSITIVE_INFINITY, shouldRetry: () => true,
  on: { closed: (event) => say({ closed: event.code }) },
});
client.subscribe({ query: %(query)s, variables: { id } }, {
  next: (result) => say({ next: result.data }),
  error: (error) => { say({ error: String(error && error.code !== undefined ? error.code : error) }); process.exit(1); },
  complete: () => { say({ complete: true }); process.exit(0); },
});
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None, reason="no node")
@pytest.mark.skipif(not (NODE_MODULES / "graphql-ws").is_dir(), reason="web/node_modules not installed")
async def test_a_graphql_ws_subscriber_reconnects_and_subscribes_again_after_a_restart(
    app: Any, gql: GQL, p: Paths, token: Callable[..., Any], tmp_path: Path, servers: list[ServeProcess]
) -> None:
    first = ServeProcess(tmp_path / "first.log")
    servers.append(first)
    first.wait_ready()
    pid = await p.at("quick_win_approval")
    script = tmp_path / "subscriber.mjs"
    script.write_text(
        SUBSCRIBER
        % {
            "graphql_ws": json.dumps((NODE_MODULES / "graphql-ws" / "dist" / "client.js").as_uri()),
            "ws": json.dumps((NODE_MODULES / "ws" / "wrapper.mjs").as_uri()),
            "query": json.dumps(TALLY),
        }
    )
    node = await asyncio.create_subprocess_exec(
        "node", str(script), first.ws, await token(CHAIR), pid, stdout=asyncio.subprocess.PIPE
    )
    assert node.stdout is not None
    lines: list[dict[str, Any]] = []

    async def next_tally() -> dict[str, Any]:
        while True:
            raw = await asyncio.wait_for(node.stdout.readline(), 90)
            assert raw, f"the subscriber ended: {lines}"
            lines.append(json.loads(raw))
            assert "error" not in lines[-1] and "complete" not in lines[-1], lines
            if "next" in lines[-1]:
                return dict(lines[-1]["next"]["voteTally"])

    try:
        assert (await next_tally())["votesCast"] == 0
        first.process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(first.process.wait, 60) == 0, first.output()
        vote = await gql(
            CAST_VOTE, {"input": {"proposalId": pid, "choice": "YES"}}, token=await token(voters(OWNER_ORG)[0])
        )
        assert vote["data"]["castVote"]["errors"] == [], vote
        second = ServeProcess(tmp_path / "second.log", port=first.port)  # the same address, as behind a proxy
        servers.append(second)
        second.wait_ready()
        assert (await next_tally())["votesCast"] == 1  # subscribed again, on the new process
        assert {"closed": SERVICE_RESTART} == next(line for line in lines if "closed" in line)
    finally:
        if node.returncode is None:
            node.kill()
        await node.wait()


# --- the scheduler -----------------------------------------------------------------------------------


async def _overdue(p: Paths) -> int:
    """A proposal whose ballot (4 YES, quorum met) passed its deadline an hour ago (real clock); its pk."""
    pid = await p.at("quick_win_approval")
    for voter in voters(OWNER_ORG)[:4]:
        await p.vote(pid, voter, "YES")
    pk = from_global_id(pid, "Proposal")[1]
    past = clock.now() - timedelta(hours=1)
    await Ballot.filter(proposal_id=pk).update(closes_at=past)
    await Timer.filter(proposal_id=pk, kind="ballot_deadline").update(due_at=past)
    return pk


class StopWhileFiring(asyncio.Event):
    """A stop event that is set the moment the scheduler first asks about it: a signal with a timer in hand."""

    def is_set(self) -> bool:
        asked_before = super().is_set()
        self.set()
        return asked_before


async def test_a_stopping_scheduler_finishes_the_timer_in_hand_and_leaves_the_rest(p: Paths) -> None:
    first, second = await _overdue(p), await _overdue(p)

    fired = await scheduler.tick("stopping", StopWhileFiring())

    assert fired == ["closed approved: implementation"]
    pending = await Timer.filter(kind="ballot_deadline", fired_at__isnull=True).values_list("proposal_id", flat=True)
    assert len(pending) == 1 and pending[0] in {first, second}
    assert await scheduler.tick("next") == ["closed approved: implementation"]


@pytest.mark.slow
async def test_council_worker_exits_0_on_sigterm(app: Any, p: Paths, tmp_path: Path) -> None:
    pk = await _overdue(p)
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        worker = subprocess.Popen(
            [COUNCIL, "worker", "--interval", "0.2"], stdout=output, stderr=subprocess.STDOUT, env=os.environ.copy()
        )
    try:
        while not await Timer.filter(proposal_id=pk, fired_at__isnull=False).exists():  # it is in its loop
            assert worker.poll() is None, log.read_text()
            await asyncio.sleep(0.1)
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(worker.wait, 60) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert "Traceback" not in log.read_text()
