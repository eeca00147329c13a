"""A small ``graphql-transport-ws`` client on the ``websockets`` library, for tests and the benchmark.

Example::

    async with LiveClient.connect("ws://127.0.0.1:8123/graphql", {"token": bearer}) as live:
        await live.subscribe("1", TALLY, {"id": pid})
        message = await live.next("1")          # {"type": "next", "payload": {"data": ...}}

Messages are sorted by subscription id into queues by a reader task;
``closed`` holds the close code once the server closed the socket.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")

TALLY = """
subscription($id: ID!) {
  voteTally(proposalId: $id) { id closed result votesCast hideTally tally { yes no abstain } }
}"""
EVENTS = """
subscription($id: ID) {
  proposalEvents(proposalId: $id) { proposalId event { seq action actor trigger fromState toState data } }
}"""


class ConnectionRefused(Exception):
    """The server closed the socket instead of acknowledging ``connection_init``."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code}: {reason}")
        self.code = code
        self.reason = reason


class LiveClient:
    """One acknowledged connection."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        self.closed: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @asynccontextmanager
    async def connect(cls, url: str, payload: dict[str, Any] | None = None) -> AsyncIterator[LiveClient]:
        """Open, send ``connection_init`` with ``payload``, wait for the ack.

        Raises:
            ConnectionRefused: the server closed the socket instead.
        """
        async with connect(url, subprotocols=[PROTOCOL], open_timeout=10) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
            try:
                ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
            except ConnectionClosed as exc:
                raise ConnectionRefused(
                    exc.rcvd.code if exc.rcvd else None, exc.rcvd.reason if exc.rcvd else ""
                ) from None
            assert ack["type"] == "connection_ack", ack
            client = cls(ws)
            try:
                yield client
            finally:
                client._reader.cancel()
                with suppress(asyncio.CancelledError):
                    await client._reader

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if message.get("type") == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                elif "id" in message:
                    self.queues[message["id"]].put_nowait(message)
        except ConnectionClosed:
            pass
        if not self.closed.done():
            self.closed.set_result(self.ws.close_code)

    async def subscribe(self, sub_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        await self.ws.send(
            json.dumps({"id": sub_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})
        )

    async def complete(self, sub_id: str) -> None:
        await self.ws.send(json.dumps({"id": sub_id, "type": "complete"}))

    async def next(self, sub_id: str, timeout: float = 10) -> dict[str, Any]:
        """The next message of subscription ``sub_id`` (``next``, ``error`` or ``complete``)."""
        return await asyncio.wait_for(self.queues[sub_id].get(), timeout)

    async def data(self, sub_id: str, timeout: float = 10) -> dict[str, Any]:
        """The ``data`` of the next message of ``sub_id``, asserting it is a ``next`` without errors."""
        message = await self.next(sub_id, timeout)
        assert message["type"] == "next" and not message["payload"].get("errors"), message
        return message["payload"]["data"]
