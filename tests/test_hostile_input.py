"""Anything a client can send gets a 4xx or a GraphQL error, never a 500 or a masked INTERNAL (issue 17, point 3).

And no "Did you mean …?" in production mode (point 2). The application here
runs in production mode (its own, on the suite's database); websockets go to
it under uvicorn on loopback. Every case was a 500, an INTERNAL or a dropped
websocket before (issue 17's measurements). No test may log an unexpected error.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from paths import Paths
from serve_process import free_port
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from ws_client import PROTOCOL, LiveClient

from council.api.edge import MAX_JSON_DEPTH, MAX_NUMBER_DIGITS
from council.app import create_app
from council.proposals.queries import SEARCH_MAX
from council.settings import get_settings

JSON = {"Content-Type": "application/json"}
COUNT = "query($f: ProposalFilter) { proposals(filter: $f) { totalCount } }"
CREATE = """mutation($input: CreateProposalInput!) {
  createProposal(input: $input) { proposal { id } errors { code field message } } }"""


@pytest.fixture(scope="module")
def production() -> Any:
    """The application in production mode; no lifespan needed, the database is the suite's."""
    return create_app(get_settings().model_copy(update={"mode": "production"}))


@pytest.fixture
async def prod(production: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=production, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://council.test") as client:
        yield client


@pytest.fixture(autouse=True)
def no_unexpected_errors(caplog: pytest.LogCaptureFixture) -> Any:
    """Nothing a test sends may be logged as an unexpected error."""
    caplog.set_level(logging.INFO, logger="council")
    yield
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def refused(response: httpx.Response, status: int, words: str) -> None:
    """A ``status`` answer with a JSON GraphQL error body whose message says ``words``."""
    assert response.status_code == status, response.text
    assert words in response.json()["errors"][0]["message"], response.text


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- the JSON at the edge ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"null", b"42", b'"x"', b"[]", b"true"])
async def test_a_body_that_is_not_an_object(prod: httpx.AsyncClient, body: bytes) -> None:
    refused(await prod.post("/graphql", content=body, headers=JSON), 400, "must be an object")


@pytest.mark.parametrize(
    "body",
    [
        {"query": 42},
        {"query": ["a"]},
        {},
        {"query": "{ pillars { code } }", "variables": "x"},
        {"query": "{ x }", "extensions": 1},
    ],
)
async def test_fields_of_the_wrong_kind(prod: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await prod.post("/graphql", json=body)
    assert response.status_code == 400 and response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_get_variables_may_be_null_but_not_another_scalar(prod: httpx.AsyncClient) -> None:
    query, accept = "{ pillars { code } }", {"Accept": "application/json"}
    ok = await prod.get("/graphql", params={"query": query, "variables": "null", "extensions": "null"}, headers=accept)
    assert ok.status_code == 200 and len(ok.json()["data"]["pillars"]) == 6
    refused(await prod.get("/graphql", params={"query": query, "variables": "42"}, headers=accept), 400, "an object")


async def test_invalid_utf8(prod: httpx.AsyncClient) -> None:
    body = b'{"query": "{ pillars { code } }", "operationName": "\xff\xfe"}'
    refused(await prod.post("/graphql", content=body, headers=JSON), 400, "not UTF-8")


async def test_variables_nested_5000_deep(prod: httpx.AsyncClient) -> None:
    body = '{"query": "%s", "variables": {"f": %s}}' % (COUNT, nested(5000))
    refused(await prod.post("/graphql", content=body, headers=JSON), 400, "nested more than")
    get = await prod.get("/graphql", params={"query": COUNT, "variables": '{"f": %s}' % nested(5000)})
    refused(get, 400, "nested more than")


async def test_depth_limit_is_exact(prod: httpx.AsyncClient) -> None:
    # the body is level 1, "variables" 2, "f" 3: MAX_JSON_DEPTH - 2 levels of arrays fit
    body = '{"query": "%s", "variables": {"f": %s}}'
    response = await prod.post("/graphql", content=body % (COUNT, nested(MAX_JSON_DEPTH - 2)), headers=JSON)
    assert response.status_code == 200 and "nested" not in response.text
    response = await prod.post("/graphql", content=body % (COUNT, nested(MAX_JSON_DEPTH - 1)), headers=JSON)
    refused(response, 400, "nested more than")


async def test_an_integer_of_5000_digits(prod: httpx.AsyncClient) -> None:
    query = "query($n: Int) { proposals(first: $n) { totalCount } }"
    body = '{"query": "%s", "variables": {"n": %s}}' % (query, "9" * 5000)
    refused(await prod.post("/graphql", content=body, headers=JSON), 400, f"more than {MAX_NUMBER_DIGITS} digits")
    body = '{"query": "%s", "variables": {"n": 1.%se5}}' % (query, "9" * 5000)
    refused(await prod.post("/graphql", content=body, headers=JSON), 400, f"more than {MAX_NUMBER_DIGITS} digits")
    literal = await prod.post("/graphql", json={"query": "{ proposals(first: %s) { totalCount } }" % ("9" * 5000)})
    assert literal.status_code in (200, 400), literal.text
    [error] = literal.json()["errors"]
    assert "digits" in error["message"] and "extensions" not in error, error  # no INTERNAL


async def test_a_subscription_over_http_is_refused(prod: httpx.AsyncClient) -> None:
    query = "subscription { proposalEvents { proposalId } }"
    refused(await prod.post("/graphql", json={"query": query}), 400, "subscriptions are not allowed")
    get = await prod.get("/graphql", params={"query": query}, headers={"Accept": "application/json"})
    refused(get, 400, "subscriptions are not allowed")


# --- budgets and search --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", ["²", "①", "٣", "1²", "9" * 5000, "0" * 30 + "1"])
async def test_budgets_are_ascii_digits(p: Paths, budget: str) -> None:
    payload = await p.mutate(CREATE, "createProposal", _proposal(budget), p.officer)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID_INPUT", "budget")], payload
    assert payload["proposal"] is None


async def test_search_is_capped(p: Paths) -> None:
    assert (await p.call(COUNT, {"f": {"search": "x" * SEARCH_MAX}}, p.officer))["proposals"]["totalCount"] == 0
    body = await p.gql(COUNT, {"f": {"search": "%_" * 50_000}}, token=await p.bearer(p.officer))
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "filter.search"}, error
    assert f"{SEARCH_MAX}" in error["message"]


def _proposal(budget: str) -> dict[str, Any]:
    return {"title": "Usulan", "summary": "Ringkasan.", "pillar": "smart_living", "budget": budget}


# --- no suggestions in production ----------------------------------------------------------------------------------

MISTAKES = {
    "field": ("{ pillar { code } }", None),
    "argument": ("{ proposals(frist: 1) { totalCount } }", None),
    "input field": ('{ proposals(filter: {serch: "a"}) { totalCount } }', None),
    "enum literal": ('mutation { castVote(input: {proposalId: "x", choice: YE}) { errors { code } } }', None),
    "enum variable": (
        'mutation($c: VoteChoice!) { castVote(input: {proposalId: "x", choice: $c}) { errors { code } } }',
        {"c": "YE"},
    ),
    "type": ("query($f: ProposalFiltr) { proposals(filter: $f) { totalCount } }", None),
}


@pytest.mark.parametrize("kind", MISTAKES)
async def test_no_suggestions_in_production(prod: httpx.AsyncClient, client: httpx.AsyncClient, kind: str) -> None:
    query, variables = MISTAKES[kind]
    body = {"query": query, "variables": variables or {}}
    development = (await client.post("/graphql", json=body)).json()["errors"][0]["message"]
    assert "Did you mean" in development  # the suite's application runs in development mode
    production = (await prod.post("/graphql", json=body)).json()["errors"][0]["message"]
    assert "Did you mean" not in production, production
    assert production.split(".")[0] == development.split(".")[0]  # the same error, its suggestion left out


# --- over the websocket --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def prod_ws(production: Any) -> AsyncIterator[str]:
    """``ws://…/graphql`` of the production application under uvicorn (the suite's lifespan already ran)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(production, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.02)
    yield f"ws://127.0.0.1:{port}/graphql"
    server.should_exit = True
    await task


async def _close_code_after(url: str, message: str) -> int | None:
    """Send ``connection_init``, then ``message``; the close code the server answers with."""
    async with connect(url, subprotocols=[PROTOCOL], open_timeout=10, max_size=None) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(message)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        return ws.close_code


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param('{"query": "%s", "variables": {"f": %s}}' % (COUNT, nested(5000)), id="5000-deep"),
        pytest.param('{"query": "%s", "variables": {"f": %s}}' % (COUNT, "9" * 5000), id="5000-digits"),
    ],
)
async def test_a_bad_frame_closes_the_websocket_with_4400(prod_ws: str, payload: str) -> None:
    message = '{"id": "1", "type": "subscribe", "payload": %s}' % payload
    assert await _close_code_after(prod_ws, message) == 4400
    assert await _close_code_after(prod_ws, "[]") == 4400


async def test_no_suggestions_over_the_websocket(prod_ws: str) -> None:
    async with LiveClient.connect(prod_ws) as live:
        await live.subscribe("1", 'subscription { voteTaly(proposalId: "x") { id } }')
        message = await live.next("1")
        assert message["type"] == "error", message
        assert "voteTaly" in message["payload"][0]["message"]
        assert "Did you mean" not in json.dumps(message), message
