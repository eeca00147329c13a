"""Request bodies over the limit are answered 413 before they are read (issue 17, point 4).

The limits (:mod:`council.api.body_limit`): ``COUNCIL_MAX_BODY_BYTES`` for
``/graphql`` and the rest, ``COUNCIL_OAUTH_MAX_BODY_BYTES`` for ``/oauth/*``;
``/uploads`` keeps its own (tests/test_uploads.py); a websocket message over
``COUNCIL_MAX_BODY_BYTES`` is closed by ``council serve`` with 1009. Small
limits here come from an application of their own on the suite's database.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_process import ServeProcess
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from ws_client import PROTOCOL

from council.app import create_app
from council.settings import get_settings

LIMIT = 1000
QUERY = b'{"query": "{ pillars { code } }"}'


@pytest.fixture(scope="module")
def small() -> Any:
    """The application with a 1,000-byte limit for /graphql and a 500-byte one for /oauth/*."""
    return create_app(get_settings().model_copy(update={"max_body_bytes": LIMIT, "oauth_max_body_bytes": 500}))


@pytest.fixture
async def client_small(small: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://council.test") as c:
        yield c


def padded(size: int) -> bytes:
    """A valid GraphQL request body of exactly ``size`` bytes (spaces after the JSON)."""
    return QUERY + b" " * (size - len(QUERY))


async def chunks(body: bytes, size: int = 100) -> AsyncIterator[bytes]:
    """``body`` streamed without a Content-Length (chunked)."""
    for i in range(0, len(body), size):
        yield body[i : i + size]


def too_large(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 413, response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT"}
    return error


async def test_the_limit_is_exact(client_small: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/json"}
    assert (await client_small.post("/graphql", content=padded(LIMIT), headers=headers)).status_code == 200
    error = too_large(await client_small.post("/graphql", content=padded(LIMIT + 1), headers=headers))
    assert "1,000 bytes" in error["message"]
    assert (await client_small.post("/graphql", content=chunks(padded(LIMIT)), headers=headers)).status_code == 200
    too_large(await client_small.post("/graphql", content=chunks(padded(LIMIT + 1)), headers=headers))


async def test_the_message_is_in_the_request_language(client_small: httpx.AsyncClient) -> None:
    headers = {"Content-Type": "application/json", "Accept-Language": "id"}
    error = too_large(await client_small.post("/graphql", content=padded(LIMIT + 1), headers=headers))
    assert "1.000 bita" in error["message"]


async def test_a_declared_length_is_refused_before_reading(small: Any) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was read")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "scheme": "http",
        "server": ("council.test", 80),
        "client": ("127.0.0.1", 1234),
        "http_version": "1.1",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"9" * 5000)],
        "state": {},
    }
    await small(scope, receive, send)
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_oauth_forms_have_their_own_small_limit(client_small: httpx.AsyncClient) -> None:
    form = {"grant_type": "password", "padding": "x" * 600}
    body = str(httpx.QueryParams(form)).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    for content in (body, chunks(body)):
        response = await client_small.post("/oauth/token", content=content, headers=headers)
        assert response.status_code == 413, response.text
        assert response.json()["error"] == "invalid_request"


async def test_the_default_limit_is_one_mebibyte(client: httpx.AsyncClient) -> None:
    assert get_settings().max_body_bytes == 1024 * 1024
    headers = {"Content-Type": "application/json"}
    too_large(await client.post("/graphql", content=padded(1024 * 1024 + 1), headers=headers))
    assert (await client.post("/graphql", content=padded(1024 * 1024), headers=headers)).status_code == 200


async def test_council_serve_limits_bodies_and_websocket_messages(tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "serve.log", COUNCIL_MAX_BODY_BYTES=str(LIMIT))
    try:
        await asyncio.to_thread(server.wait_ready)
        async with httpx.AsyncClient(base_url=server.base) as http:
            response = await http.post(
                "/graphql", content=padded(LIMIT + 1), headers={"Content-Type": "application/json"}
            )
            too_large(response)
        async with connect(server.ws, subprotocols=[PROTOCOL], open_timeout=10) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"padding": "x" * LIMIT}}))
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 10)
            assert ws.close_code == 1009  # message too big
    finally:
        server.stop()
