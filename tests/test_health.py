"""``/healthz``, ``/readyz`` and the start of a node whose database or Redis cannot be reached.

In-process: ``/readyz`` on the suite's database, and with a migration missing.
Subprocesses: ``council serve`` pointed through a :class:`TcpForwarder` at the
suite's PostgreSQL or at Redis, which the test then cuts (503 naming the
check, ``/healthz`` still 200) and restores (200 again); ``council migrate``,
``serve`` and ``worker`` against ports nothing listens on.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from conftest import MIGRATIONS_TABLE
from serve_process import COUNCIL, ServeProcess, free_port
from tcp_forwarder import TcpForwarder
from tortoise import connections

from council.settings import get_settings

DB_URL = os.environ["COUNCIL_DATABASE_URL"]  # set by conftest
ON_POSTGRES = DB_URL.startswith("postgres")
REDIS_URL = os.environ.get("COUNCIL_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        if os.environ.get("COUNCIL_TEST_REDIS_URL"):
            raise
        return False


def _through(url: str, port: int) -> str:
    """``url`` with its host and port replaced by ``127.0.0.1:port`` (user, password, path kept)."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    return parts._replace(netloc=f"{userinfo + '@' if userinfo else ''}127.0.0.1:{port}").geturl()


def _target(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


# --- in process -------------------------------------------------------------------------------------


async def test_healthz_answers_without_asking_anything(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200, response.text
    expected = {"database": {"ok": True}, "migrations": {"ok": True}}
    if get_settings().redis_url:
        expected["redis"] = {"ok": True}
    assert response.json() == {"status": "ready", "checks": expected}
    assert response.headers["cache-control"] == "no-store"


async def test_readyz_names_a_migration_the_database_lacks(client: httpx.AsyncClient) -> None:
    conn = connections.get("default")
    _, rows = await conn.execute_query(f"SELECT id, app, name, applied_at FROM {MIGRATIONS_TABLE} ORDER BY id DESC")
    last = rows[0]
    await conn.execute_query(f"DELETE FROM {MIGRATIONS_TABLE} WHERE id = {int(last['id'])}")
    try:
        response = await client.get("/readyz")
    finally:
        await conn.execute_insert(
            f"INSERT INTO {MIGRATIONS_TABLE} (id, app, name, applied_at) VALUES "
            + ("($1, $2, $3, $4)" if ON_POSTGRES else "(?, ?, ?, ?)"),
            [last["id"], last["app"], last["name"], last["applied_at"]],
        )
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "unready"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["migrations"]["ok"] is False
    error = body["checks"]["migrations"]["error"]
    assert "behind the code by 1 migration(s)" in error and f"{last['app']}.{last['name']}" in error
    assert (await client.get("/readyz")).status_code == 200


# --- a node whose database or Redis goes away -------------------------------------------------------


@pytest.fixture
def forwarders() -> Iterator[list[TcpForwarder]]:
    """Forwarders made by the test, closed after it."""
    made: list[TcpForwarder] = []
    yield made
    for forwarder in made:
        forwarder.close()


@pytest.fixture
def servers() -> Iterator[list[ServeProcess]]:
    """``council serve`` processes started by the test, stopped after it."""
    started: list[ServeProcess] = []
    yield started
    for server in started:
        server.stop()


def _readyz(server: ServeProcess) -> tuple[int, dict[str, Any]]:
    response = httpx.get(f"{server.base}/readyz", timeout=10)
    return response.status_code, response.json()


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRES, reason="cutting the database's TCP connection needs PostgreSQL")
def test_readyz_turns_503_while_the_database_cannot_be_reached(
    app: Any, tmp_path: Path, forwarders: list[TcpForwarder], servers: list[ServeProcess]
) -> None:
    pg = TcpForwarder(*_target(DB_URL, 5432))
    forwarders.append(pg)
    server = ServeProcess(tmp_path / "serve.log", COUNCIL_DATABASE_URL=_through(DB_URL, pg.port))
    servers.append(server)
    server.wait_ready()
    assert _readyz(server)[0] == 200

    pg.stop()
    status, body = _readyz(server)
    assert status == 503, body
    assert body["status"] == "unready"
    database = body["checks"]["database"]
    assert database["ok"] is False
    assert f"cannot reach the database at 127.0.0.1:{pg.port}" in database["error"]
    assert body["checks"]["migrations"]["ok"] is False
    assert "behind" not in body["checks"]["migrations"]["error"]  # tortoise's "nothing applied" is not believed
    assert httpx.get(f"{server.base}/healthz", timeout=10).status_code == 200  # the process is fine: no restart

    pg.start()
    status, body = _readyz(server)
    assert status == 200, body
    assert server.process.poll() is None


@pytest.mark.slow
@pytest.mark.skipif(not _redis_answers(), reason=f"no Redis at {REDIS_URL}")
def test_readyz_names_redis_while_it_cannot_be_reached(
    app: Any, tmp_path: Path, forwarders: list[TcpForwarder], servers: list[ServeProcess]
) -> None:
    cache = TcpForwarder(*_target(REDIS_URL, 6379))
    forwarders.append(cache)
    server = ServeProcess(tmp_path / "serve.log", COUNCIL_REDIS_URL=_through(REDIS_URL, cache.port))
    servers.append(server)
    server.wait_ready()
    status, body = _readyz(server)
    assert status == 200 and body["checks"]["redis"] == {"ok": True}, body

    cache.stop()
    status, body = _readyz(server)
    assert status == 503, body
    assert body["checks"]["redis"]["ok"] is False and body["checks"]["redis"]["error"]
    assert body["checks"]["database"] == {"ok": True}
    assert httpx.get(f"{server.base}/healthz", timeout=10).status_code == 200

    cache.start()
    status, body = _readyz(server)
    assert status == 200, body


# --- the start of a node that cannot reach them -----------------------------------------------------


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = os.environ | {"COUNCIL_KEYS_DIR": str(tmp_path / "keys"), "COLUMNS": "200"} | env
    return subprocess.run([COUNCIL, *args], capture_output=True, text=True, env=environment, timeout=120)


@pytest.mark.parametrize("command", [["migrate"], ["serve", "--port", "0"], ["worker"]])
def test_a_command_names_the_database_it_cannot_reach(command: list[str], tmp_path: Path) -> None:
    port = free_port()
    result = _run(command, tmp_path, COUNCIL_DATABASE_URL=f"postgres://council:s3cret@127.0.0.1:{port}/council")
    assert result.returncode == 1, result
    output = result.stdout + result.stderr
    assert f"cannot reach the database at 127.0.0.1:{port} (" in result.stderr
    assert "postgres://council:***@127.0.0.1" in result.stderr
    assert "s3cret" not in output
    assert "behind" not in output
    assert "Traceback" not in output


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["worker"]])
def test_a_command_names_the_redis_it_cannot_reach(app: Any, command: list[str], tmp_path: Path) -> None:
    port = free_port()
    result = _run(command, tmp_path, COUNCIL_REDIS_URL=f"redis://:s3cret@127.0.0.1:{port}/0")
    assert result.returncode == 1, result
    output = result.stdout + result.stderr
    assert f"cannot reach Redis at 127.0.0.1:{port} (" in result.stderr
    assert "s3cret" not in output
    assert "Traceback" not in output
