"""One ``council serve`` subprocess on a free loopback port, for tests of what only a real process shows.

It inherits the suite's environment (its database, keys folder) plus what the
test passes; it trusts the issuer of the tokens the tests mint in-process::

    server = ServeProcess(tmp_path / "serve.log", COUNCIL_SHUTDOWN_TIMEOUT="1")
    server.wait_ready()
    httpx.get(f"{server.base}/readyz")
    server.process.send_signal(signal.SIGTERM)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from council.settings import get_settings

COUNCIL = str(Path(sys.executable).with_name("council"))


def free_port() -> int:
    """A TCP port nothing listens on at the moment (loopback)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServeProcess:
    """``council serve --port <port>`` with ``env`` added to the suite's environment; output in ``log``.

    ``base``, when given, replaces the suite's environment (a server of its own
    home, as in tests/test_keys.py), and ``cwd`` is where it runs.
    """

    def __init__(
        self,
        log: Path,
        port: int | None = None,
        base: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        **env: str,
    ) -> None:
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}/graphql"
        self.log = log
        if base is None:
            base = os.environ | {"COUNCIL_TOKEN_ISSUER": get_settings().token_issuer}
        with log.open("w") as output:
            self.process = subprocess.Popen(
                [COUNCIL, "serve", "--port", str(self.port)],
                env={**base, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=cwd,
            )

    def output(self) -> str:
        """What the process printed so far (stdout and stderr)."""
        return self.log.read_text()

    def wait_ready(self, timeout: float = 60) -> None:
        """Return once ``/healthz`` answers 200.

        Raises:
            RuntimeError: the process ended or did not answer within ``timeout`` seconds (with its output).
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"council serve did not start:\n{self.output()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it is still running 30 s later."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
