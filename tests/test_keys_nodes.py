"""Several ``council serve`` nodes share their signing keys through PostgreSQL, and hear of rotations through Redis.

Runs only on PostgreSQL (``COUNCIL_TEST_DATABASE_URL``) with Redis at
``COUNCIL_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``), as
tests/test_two_servers.py. The nodes re-read the keys periodically only every
hour here, so what reaches them within the test came by the announcement
(nodes on Redis) or by a token naming a key they did not know (a node without
Redis). Tokens come from the nodes' own ``/oauth/token`` and from ``council
token``; rotations from ``council keys rotate``, each a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from nodes import REDIS_URL, redis_answers
from oauth_steps import machine_client
from test_keys import COUNCIL, Server, header

from council.auth import keys
from council.settings import get_settings

ON_POSTGRES = os.environ["COUNCIL_DATABASE_URL"].startswith("postgres")  # set by conftest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="several nodes need a shared PostgreSQL database"),
    pytest.mark.skipif(ON_POSTGRES and not redis_answers(), reason=f"no Redis at {REDIS_URL}"),
]


class Suite:
    """The suite's database and keys folder, as :class:`test_keys.Server` expects of a home."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"COUNCIL_KEYS_SECRET", "COUNCIL_REDIS_URL"}},
            "COUNCIL_SCHEDULER_INTERVAL": "0",
            "COUNCIL_LOG_LEVEL": "warning",
            "COUNCIL_KEYS_RELOAD_INTERVAL": "3600",
            # one public address for every node, as behind the proxy
            "COUNCIL_TOKEN_ISSUER": get_settings().token_issuer,
        }

    def council(self, *args: str) -> str:
        done = subprocess.run(
            [COUNCIL, *args],
            env={**self.env, "COUNCIL_REDIS_URL": REDIS_URL},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


@pytest.fixture(scope="module")
async def suite(app: Any, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Suite]:
    """The suite's home; afterwards this process re-reads the keys the rotations here changed."""
    yield Suite(tmp_path_factory.mktemp("nodes"))
    await keys.reload()


@pytest.fixture(scope="module")
def nodes(suite: Suite) -> Iterator[tuple[Server, Server]]:
    """Nodes A and B on the suite's database and on Redis."""
    pair = (Server(suite, COUNCIL_REDIS_URL=REDIS_URL), Server(suite, COUNCIL_REDIS_URL=REDIS_URL))
    try:
        for node in pair:
            node.ready()
        yield pair
    finally:
        for node in pair:
            node.stop()


@pytest.fixture
def lone(suite: Suite) -> Iterator[Server]:
    """Node C on the suite's database, without Redis."""
    node = Server(suite)
    try:
        yield node.ready()
    finally:
        node.stop()


def username(node: Server, token: str) -> str | None:
    response = node.viewer(token)
    assert response.status_code == 200, (response.status_code, response.text)
    viewer = response.json()["data"]["viewer"]
    return None if viewer is None else str(viewer["username"])


def eventually(check: Callable[[], bool], what: str, *servers: Server) -> None:
    """Poll ``check`` until true; fail after 30 s naming ``what`` (a deadline for failing, not a timing claim)."""
    deadline = time.monotonic() + 30
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}\n" + "\n".join(s.output() for s in servers))
        time.sleep(0.2)


async def test_a_token_from_one_node_is_accepted_by_the_other(suite: Suite, nodes: tuple[Server, Server]) -> None:
    a, b = nodes
    unri = await machine_client()
    secret = unri.client_secret or ""

    from_a = a.client_token(unri.client_id, secret)
    from_b = b.client_token(unri.client_id, secret)
    from_cli = suite.council("token", "admin")

    assert header(from_a)["kid"] == header(from_b)["kid"] == header(from_cli)["kid"]
    assert username(b, from_a) == username(a, from_b) == unri.service_username
    assert username(a, from_cli) == username(b, from_cli) == "admin"
    assert a.jwks() == b.jwks()


async def test_a_rotation_reaches_every_node_without_a_restart(suite: Suite, nodes: tuple[Server, Server]) -> None:
    a, b = nodes
    unri = await machine_client()
    secret = unri.client_secret or ""
    before = a.client_token(unri.client_id, secret)
    old = header(before)["kid"]

    kid = suite.council("keys", "rotate")

    for node in nodes:  # the announcement through Redis: the nodes re-read the table only hourly otherwise
        eventually(
            lambda node=node: header(node.client_token(unri.client_id, secret))["kid"] == kid,
            f"{node.base} still signs with {old}, not {kid}",
            node,
        )
    assert a.jwks() == b.jwks() == [kid, old]
    fresh = suite.council("token", "admin")
    assert header(fresh)["kid"] == kid
    assert username(a, fresh) == username(b, fresh) == "admin"
    assert username(b, before) == unri.service_username  # signed with the previous key: still good
    assert [line.split()[0] for line in suite.council("keys", "list").splitlines()] == [kid, old]


async def test_a_node_without_redis_reads_the_table_for_a_key_it_does_not_know(suite: Suite, lone: Server) -> None:
    unri = await machine_client()
    secret = unri.client_secret or ""
    old = header(lone.client_token(unri.client_id, secret))["kid"]

    kid = suite.council("keys", "rotate")  # announced through Redis, which this node does not hear
    fresh = suite.council("token", "admin")

    assert header(fresh)["kid"] == kid != old
    assert username(lone, fresh) == "admin"  # the unknown kid made it read the table, then accept
    assert header(lone.client_token(unri.client_id, secret))["kid"] == kid  # and sign with the new key
