"""The processes of the multi-node tests: ``council serve`` nodes (on tests/serve_process.py), any other
command (a worker, nginx), and the outside tools they need.

Used by tests/test_two_servers.py and tests/test_topology.py, which run only on
PostgreSQL with Redis answering at :data:`REDIS_URL`. Every process inherits
this process's environment (the conftest's database and keys folder) plus
what its constructor is given; its output goes to a log file that a failed
start quotes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest
import redis
from serve_process import COUNCIL, ServeProcess

from council.events import broadcaster
from council.outbox import live as live_outbox
from council.outbox import relay

REDIS_URL = os.environ.get("COUNCIL_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
REQUIRE_TOOLS = os.environ.get("COUNCIL_TEST_REQUIRE_TOOLS") == "1"
"""Set by ``.ci/run``: a missing outside tool (nginx) fails its tests instead of skipping them."""


def redis_answers() -> bool:
    """True when Redis answers at :data:`REDIS_URL`.

    Raises:
        redis.RedisError: it does not, and ``COUNCIL_TEST_REDIS_URL`` is set (CI names its Redis).
    """
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        if os.environ.get("COUNCIL_TEST_REDIS_URL"):
            raise
        return False


@contextmanager
def without_local_live() -> Iterator[None]:
    """The suite's in-process app keeps its events in memory: while servers on Redis share its database, its
    outbox relay must not take their events off the ``live`` cursor (in production every node shares one Redis,
    and ``council worker`` without Redis runs no ``live`` consumer)."""
    relay.unregister(live_outbox.NAME)
    try:
        yield
    finally:
        live_outbox.install()


@asynccontextmanager
async def local_events_through_redis() -> AsyncIterator[None]:
    """The suite's in-process app as one more node while servers on Redis share its database: its broadcaster
    through Redis too, so that what its outbox relay hands over reaches their subscribers (as in production, where
    every node shares one Redis)."""
    async with broadcaster.connected(REDIS_URL):
        yield


def require_tool(path: str, package: str) -> str:
    """``path`` when it is an executable; else skip the test, or fail it under :data:`REQUIRE_TOOLS`."""
    if os.access(path, os.X_OK):
        return path
    message = f"{path} is missing (Debian package {package!r}: apt-get install -y {package})"
    if REQUIRE_TOOLS:
        pytest.fail(message)
    pytest.skip(message)


class Process:
    """A subprocess with its output in ``log``.

    Args:
        name: a short name for messages ("A", "worker").
        args: the command line.
        log: the file that receives stdout and stderr.
        env: variables added to (or replacing) this process's environment.
    """

    def __init__(self, name: str, args: Sequence[str], log: Path, env: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.log = log
        with log.open("w") as output:
            self.process = subprocess.Popen(
                list(args), env={**os.environ, **(env or {})}, stdout=output, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        """SIGTERM, SIGKILL after 10 s; nothing when it has exited already."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Server(ServeProcess):
    """One ``council serve`` on 127.0.0.1 (tests/serve_process.py) as a node of several, named ``name``.

    Its environment: Redis at :data:`REDIS_URL`, log level warning, the
    scheduler every ``scheduler_interval`` seconds (0 turns it off), tokens of
    ``issuer``, then ``env``. ``address`` is its ``host:port``.
    """

    def __init__(
        self,
        name: str,
        log: Path,
        *,
        issuer: str,
        scheduler_interval: float = 0.2,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        settings = {
            "COUNCIL_REDIS_URL": REDIS_URL,
            "COUNCIL_SCHEDULER_INTERVAL": str(scheduler_interval),
            "COUNCIL_LOG_LEVEL": "warning",
            "COUNCIL_TOKEN_ISSUER": issuer,
        }
        super().__init__(log, port, **{**settings, **(env or {})})
        self.address = f"127.0.0.1:{self.port}"

    def kill(self) -> int:
        """SIGKILL, then the exit status (``-9``)."""
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(timeout=10)


def wait_for_http(url: str, process: Process, timeout: float = 30) -> None:
    """Poll ``url`` until it answers 200 while ``process`` runs.

    Raises:
        RuntimeError: ``process`` exited or ``timeout`` seconds passed; quotes its log.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{process.name} did not answer at {url}:\n{process.log.read_text()}")
        time.sleep(0.1)


def run_council(*args: str, env: Mapping[str, str] | None = None) -> str:
    """Run ``council ARGS`` to the end; its stdout.

    Raises:
        AssertionError: it exited non-zero (with its output).
    """
    done = subprocess.run(
        [COUNCIL, *args], env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"council {' '.join(args)}: exit {done.returncode}\n{done.stdout}{done.stderr}"
    return done.stdout
