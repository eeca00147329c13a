"""A TCP forwarder on loopback, to cut a process off from a server (PostgreSQL, Redis) in tests.

Example::

    forwarder = Forwarder("127.0.0.1", 5432)
    forwarder.start()                 # listens on 127.0.0.1:forwarder.port
    ...                               # point a node's COUNCIL_DATABASE_URL at forwarder.port
    forwarder.stop()                  # refuses new connections and cuts the open ones

Threads, not asyncio, so it serves subprocesses whatever the test's event loop does.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress


class Forwarder:
    """Accepts on 127.0.0.1 (a free port, :attr:`port`) and copies bytes both ways to the target."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def start(self) -> None:
        """Accept connections in a background thread."""
        threading.Thread(target=self._accept, name=f"forwarder:{self.port}", daemon=True).start()

    def stop(self) -> None:
        """Close the listening socket and every forwarded connection (both ends); idempotent."""
        self._stopped.set()
        with suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            sockets, self._open = self._open, set()
        for s in sockets:
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._stopped.is_set():
                    client.close()
                    upstream.close()
                    return
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
