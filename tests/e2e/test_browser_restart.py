"""A server restart under an open proposal page: the live tally comes back by itself (issue 11, item 8).

A server of its own (a restart would disturb the session's): ``council serve``
gets SIGTERM (as ``docker stop`` or a rolling upgrade sends it), closes the
page's websocket with 1012 "service restart" and exits 0; a new process on the
same address and database takes over, and a vote cast through it reaches the
page without a reload: the web client (graphql-ws) reconnected and subscribed
again.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from e2e.harness import (
    COUNCIL,
    SLOW,
    Api,
    Server,
    cast_vote,
    on_the_agenda,
    open_signed_in,
    proposal_path,
    running_server,
)


def serve_again(server: Server) -> None:
    """Start ``council serve`` anew on the server's port, database and log; return once ``/healthz`` answers."""
    with server.log.open("ab") as output:
        server.process = subprocess.Popen(
            [COUNCIL, "serve", "--port", str(server.port)], env=server.env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while True:
        assert server.process.poll() is None and time.monotonic() < deadline, server.log.read_text()[-4000:]
        try:
            if httpx.get(server.url("/healthz"), timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("e2e-restart"), name="restart") as srv:
        yield srv


async def test_the_live_tally_comes_back_after_the_server_restarts(own_server: Server, phone: Any) -> None:
    server, api = own_server, Api(own_server)
    title = f"Parkir elektronik {uuid.uuid4().hex[:6]}"
    pid = await on_the_agenda(api, title, "4200000000")
    await open_signed_in(server, phone, proposal_path(pid), "kepala.bappeda")
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("0 dari 6 anggota telah memilih", timeout=SLOW)
    await phone.evaluate("() => { window.__sameDocument = true; }")

    assert server.process is not None
    server.process.terminate()  # SIGTERM
    assert server.process.wait(timeout=60) == 0, server.log.read_text()[-4000:]
    serve_again(server)

    await cast_vote(api, "sekda", pid, "YES")
    await expect(phone.get_by_test_id("tally-yes")).to_have_text("1", timeout=3 * SLOW)
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("1 dari 6 anggota telah memilih")
    assert await phone.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
