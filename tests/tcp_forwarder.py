"""A TCP forwarder on loopback that a test can cut and restore: a dependency "going away" for real.

A server under test is pointed at the forwarder's port instead of the real
PostgreSQL or Redis; :meth:`TcpForwarder.stop` closes the listening socket and
every open connection (the server sees its connections drop and new ones
refused, as when the database host goes down), :meth:`TcpForwarder.start`
listens again on the same port. It runs its own event loop in a thread, so
synchronous test code (``subprocess``, ``time.sleep``) does not stall it::

    with TcpForwarder("127.0.0.1", 5432) as pg:
        url = f"postgres://postgres@127.0.0.1:{pg.port}/test"
        ...                      # start a server on url, see it ready
        pg.stop()                # now the database "cannot be reached"
        pg.start()               # and back
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from contextlib import suppress
from types import TracebackType
from typing import Any


class TcpForwarder:
    """Forward ``127.0.0.1:port`` to ``target_host:target_port``; listening once built.

    Args:
        target_host / target_port: where connections are forwarded.
        port: the port to listen on (0: a free one, then fixed for later :meth:`start` calls).
    """

    def __init__(self, target_host: str, target_port: int, port: int = 0) -> None:
        self.target = (target_host, target_port)
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-forwarder", daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.start()

    def start(self) -> None:
        """Listen (again) on :attr:`port`; no-op when listening."""
        self._run(self._listen())

    def stop(self) -> None:
        """Stop listening and close every forwarded connection, both ends."""
        self._run(self._cut())

    def close(self) -> None:
        """:meth:`stop` and end the thread."""
        self.stop()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def __enter__(self) -> TcpForwarder:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port, reuse_address=True)
            self.port = self._server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        writers, self._writers = list(self._writers), set()
        for writer in writers:
            writer.close()
        for writer in writers:  # every socket closed when stop() returns
            with suppress(OSError):
                await writer.wait_closed()

    async def _forward(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            target_reader, target_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self._writers |= {client_writer, target_writer}
        await asyncio.gather(self._pipe(client_reader, target_writer), self._pipe(target_reader, client_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()
        self._writers.discard(writer)
