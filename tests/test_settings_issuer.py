"""The token issuer follows the address served unless ``COUNCIL_TOKEN_ISSUER`` is set.

Through the CLI: ``council web setup`` (the redirect URI and the address it
tells to open), ``council serve --port`` (OAuth metadata, ``/app/config.json``,
``/graphql`` with a token from ``council token`` in another process). Each
test runs the real ``council`` command on its own SQLite file.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

COUNCIL = str(Path(sys.executable).with_name("council"))
ME = "query { viewer { username } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A migrated and seeded SQLite database of its own (``council migrate``, ``council seed``)."""
    for args in (["migrate"], ["seed", "pekanbaru-2018"]):
        done = council(args, tmp_path)
        assert done.returncode == 0, done.stderr
    return tmp_path


def council(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``council ARGS`` on ``home``'s database, without the caller's COUNCIL_* settings."""
    environment = (
        {k: v for k, v in os.environ.items() if not k.startswith("COUNCIL_")}
        | {
            "COUNCIL_DATABASE_URL": f"sqlite://{home / 'council.sqlite3'}",
            "COUNCIL_KEYS_DIR": str(home / "keys"),
            "COUNCIL_WEB_DIR": str(home / "no-build"),
            "COUNCIL_SCHEDULER_INTERVAL": "0",
            "COLUMNS": "200",
        }
        | env
    )
    return subprocess.run([COUNCIL, *args], capture_output=True, text=True, env=environment, timeout=120)


@pytest.fixture
def serve(home: Path) -> Iterator[object]:
    """``serve(*args, **env)`` starts ``council serve ARGS`` and returns its output so far; stopped afterwards."""
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str, port: int, **env: str) -> str:
        environment = (
            {k: v for k, v in os.environ.items() if not k.startswith("COUNCIL_")}
            | {
                "COUNCIL_DATABASE_URL": f"sqlite://{home / 'council.sqlite3'}",
                "COUNCIL_KEYS_DIR": str(home / "keys"),
                "COUNCIL_WEB_DIR": str(home / "no-build"),
                "COUNCIL_SCHEDULER_INTERVAL": "0",
                "COUNCIL_LOG_LEVEL": "warning",
            }
            | env
        )
        log = home / f"serve{len(procs)}.log"
        with log.open("w") as output:
            proc = subprocess.Popen(
                [COUNCIL, "serve", *args], env=environment, stdout=output, stderr=subprocess.STDOUT, text=True
            )
        procs.append(proc)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return log.read_text()
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"council serve did not start:\n{log.read_text()}")
            time.sleep(0.1)

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_web_setup_uses_the_port_of_council_port(home: Path) -> None:
    done = council(["web", "setup", "--organization", "diskominfotik"], home, COUNCIL_PORT="8123")
    assert done.returncode == 0, done.stderr
    assert "redirect URIs: http://127.0.0.1:8123/app/callback" in done.stdout
    assert done.stdout.rstrip().endswith("open http://127.0.0.1:8123/app/")


def test_a_wildcard_bind_address_is_reached_at_the_loopback(home: Path) -> None:
    done = council(
        ["web", "setup", "--organization", "diskominfotik"], home, COUNCIL_HOST="0.0.0.0", COUNCIL_PORT="8124"
    )
    assert done.returncode == 0, done.stderr
    assert "open http://127.0.0.1:8124/app/" in done.stdout


def test_an_explicit_issuer_wins_over_the_port(home: Path) -> None:
    done = council(
        ["web", "setup", "--organization", "diskominfotik"],
        home,
        COUNCIL_PORT="8123",
        COUNCIL_TOKEN_ISSUER="https://dewan.pekanbaru.go.id",
    )
    assert done.returncode == 0, done.stderr
    assert "redirect URIs: https://dewan.pekanbaru.go.id/app/callback" in done.stdout
    assert "open https://dewan.pekanbaru.go.id/app/" in done.stdout


def test_serve_port_option_moves_the_issuer(home: Path, serve: object) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    output = serve("--port", str(port), port=port)
    assert f"open {base}/app/" in output
    metadata = httpx.get(f"{base}/.well-known/oauth-authorization-server").json()
    assert (metadata["issuer"], metadata["authorization_endpoint"]) == (base, f"{base}/oauth/authorize")
    assert httpx.get(f"{base}/app/config.json").json()["issuer"] == base

    # A token minted in another shell that names the same port is accepted; one for the default port is not.
    minted = council(["token", "walikota"], home, COUNCIL_PORT=str(port))
    assert minted.returncode == 0, minted.stderr
    me = httpx.post(
        f"{base}/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {minted.stdout.strip()}"}
    ).json()
    assert me["data"]["viewer"] == {"username": "walikota"}
    elsewhere = council(["token", "walikota"], home)
    assert elsewhere.returncode == 0, elsewhere.stderr
    refused = httpx.post(
        f"{base}/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {elsewhere.stdout.strip()}"}
    )
    assert refused.status_code == 401, refused.text


def test_serve_port_option_keeps_an_explicit_issuer(home: Path, serve: object) -> None:
    port = _free_port()
    serve("--port", str(port), port=port, COUNCIL_TOKEN_ISSUER="https://dewan.pekanbaru.go.id")
    metadata = httpx.get(f"http://127.0.0.1:{port}/.well-known/oauth-authorization-server").json()
    assert metadata["issuer"] == "https://dewan.pekanbaru.go.id"
    assert httpx.get(f"http://127.0.0.1:{port}/app/config.json").json()["issuer"] == "https://dewan.pekanbaru.go.id"


def test_a_trailing_slash_on_the_issuer_is_dropped_everywhere(home: Path, serve: object) -> None:
    """``COUNCIL_TOKEN_ISSUER=http://host:port/`` means ``http://host:port``: one spelling, from settings."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    output = serve("--port", str(port), port=port, COUNCIL_TOKEN_ISSUER=f"{base}/")
    assert f"open {base}/app/" in output
    metadata = httpx.get(f"{base}/.well-known/oauth-authorization-server").json()
    assert (metadata["issuer"], metadata["token_endpoint"]) == (base, f"{base}/oauth/token")
    assert httpx.get(f"{base}/app/config.json").json()["issuer"] == base

    minted = council(["token", "walikota"], home, COUNCIL_TOKEN_ISSUER=f"{base}/")
    assert minted.returncode == 0, minted.stderr
    token = minted.stdout.strip()
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["iss"] == base
    me = httpx.post(f"{base}/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}).json()
    assert me["data"]["viewer"] == {"username": "walikota"}

    done = council(["web", "setup", "--organization", "diskominfotik"], home, COUNCIL_TOKEN_ISSUER=f"{base}/")
    assert done.returncode == 0, done.stderr
    assert f"redirect URIs: {base}/app/callback" in done.stdout
