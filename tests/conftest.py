"""Shared fixtures: a real database, the app over HTTP, the Pekanbaru data, tokens per member.

The database is SQLite (a file in a temporary folder) unless
``COUNCIL_TEST_DATABASE_URL`` names a PostgreSQL database, which is wiped
(schema ``public`` dropped and re-created) and migrated at the start. Every
test starts from the Pekanbaru seed: loaded through the services for the
first test, written back from a snapshot of its rows for the next ones
(:func:`reseed`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

_TMP = Path(tempfile.mkdtemp(prefix="council-tests-"))
os.environ["COUNCIL_DATABASE_URL"] = os.environ.get("COUNCIL_TEST_DATABASE_URL") or f"sqlite://{_TMP / 'test.sqlite3'}"
os.environ["COUNCIL_KEYS_DIR"] = str(_TMP / "keys")
os.environ["COUNCIL_UPLOADS_ROOT"] = str(_TMP / "uploads")
os.environ.setdefault("COUNCIL_MODE", "development")
os.environ.setdefault("COUNCIL_SCHEDULER_INTERVAL", "0")  # tests tick the scheduler themselves (tests/ballots.py)
os.environ.setdefault("COUNCIL_WEBHOOKS_INTERVAL", "0")  # tests call deliver_due() themselves (test_webhooks)
os.environ.setdefault("COUNCIL_MAIL_INTERVAL", "0")  # tests send queued e-mail themselves (tests/test_mail.py)
os.environ.setdefault("COUNCIL_OUTBOX_INTERVAL", "0")  # the outbox relay runs when a commit nudges it; tests drain()

# The environment above must be set before council is imported: its settings are read at import time.
import httpx  # noqa: E402
import pytest  # noqa: E402
import seed_snapshot  # noqa: E402
import uvicorn  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from oauth_steps import PASSWORDS, browser_for, web_client, with_password  # noqa: E402
from paths import Paths  # noqa: E402
from seed_snapshot import Snapshot  # noqa: E402
from serve_process import free_port  # noqa: E402
from tortoise import Tortoise, connections  # noqa: E402
from tortoise.migrations.recorder import MigrationRecorder  # noqa: E402
from tortoise.models import Model  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from council.app import create_app  # noqa: E402
from council.auth.scopes import scopes_for_roles  # noqa: E402
from council.auth.tokens import issue_access_token  # noqa: E402
from council.db import migrate, tortoise_config  # noqa: E402
from council.organizations.models import Member  # noqa: E402
from council.seeds.loader import load_seed  # noqa: E402

DB_URL = os.environ["COUNCIL_DATABASE_URL"]
ON_POSTGRES = DB_URL.startswith("postgres")


async def _wipe_postgres() -> None:
    await Tortoise.init(config=tortoise_config())
    try:
        conn = connections.get("default")
        await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="session")
async def app() -> AsyncIterator[Any]:
    """The application, migrated and started (lifespan) once per session."""
    if ON_POSTGRES:
        await _wipe_postgres()
    await migrate()
    await Tortoise.close_connections()
    application = create_app()
    async with LifespanManager(application):
        yield application


@pytest.fixture(scope="session")
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://council.test") as c:
        yield c


MIGRATIONS_TABLE = inspect.signature(MigrationRecorder).parameters["table_name"].default
"""tortoise's record of applied migrations (``tortoise_migrations``): never wiped, or every test would re-migrate."""
KEPT_TABLES = {MIGRATIONS_TABLE, "signing_key"}
"""Never wiped: the migration record, and the signing keys, which the servers of the suite hold in memory too."""


def tables() -> list[str]:
    """Every table of the registered tortoise models, each before the tables it references.

    Derived from ``Tortoise.apps`` (so a new model's table is wiped too), in an
    order that deletes referencing rows first (SQLite runs with foreign keys on);
    :data:`KEPT_TABLES` left out.
    """
    models = [m for app in Tortoise.apps.values() for m in app.values() if m._meta.db_table not in KEPT_TABLES]
    ordered: list[type[Model]] = []  # each model after the models it references

    def visit(model: type[Model], path: tuple[type[Model], ...] = ()) -> None:
        if model in ordered or model in path:
            return
        for name in model._meta.fk_fields | model._meta.o2o_fields:
            visit(model._meta.fields_map[name].related_model, (*path, model))
        ordered.append(model)

    for model in models:
        visit(model)
    return [m._meta.db_table for m in reversed(ordered)]


_snapshot: Snapshot | None = None
"""The rows of the session's first load (tests/seed_snapshot.py); later reseeds restore them."""


def forget_snapshot() -> None:
    """Make the next :func:`reseed` load the seed through the services again (and take a new snapshot)."""
    global _snapshot
    _snapshot = None


async def reseed() -> None:
    """Empty every table (:func:`tables`) and put the Pekanbaru 2018 seed in (ids start again from 1).

    The session's first reseed loads it through the services (``load_seed``)
    and takes a snapshot of the rows; the later ones write the snapshot back,
    ids and sequences included, but for the outbox, emptied with its ids going on
    (``seed_snapshot.CONTINUED``) (tests/seed_snapshot.py; tests/test_reseed.py
    checks that the two give the same database). A changed schema (a new
    table, another migration applied) loads afresh. The tables are emptied by
    DELETE, referencing ones first, and the id sequences restarted
    (:func:`seed_snapshot.wipe`).
    """
    global _snapshot
    conn = connections.get("default")
    current = await seed_snapshot.shape(conn, tables(), MIGRATIONS_TABLE)
    snapshot = _snapshot if _snapshot is not None and _snapshot.shape == current else None
    async with in_transaction() as tx:
        await seed_snapshot.wipe(tx, current)
        if snapshot is not None:
            await seed_snapshot.restore(tx, snapshot)
            return
        await seed_snapshot.restart(tx, current, {})
    await load_seed("pekanbaru-2018")
    _snapshot = await seed_snapshot.take(conn, current)


@pytest.fixture(autouse=True)
async def pekanbaru(app: Any) -> None:
    """A fresh Pekanbaru seed before each test (modules that share state override this)."""
    await reseed()


@pytest.fixture
def token() -> Callable[..., Any]:
    """``await token("opd.kominfo", scopes=None)``: a bearer token for a seeded member.

    Default scopes: all the member's roles allow.
    """

    async def make(username: str, scopes: list[str] | None = None, ttl: int | None = None) -> str:
        member = await Member.get(username=username)
        granted = scopes if scopes is not None else sorted(scopes_for_roles(member.roles))
        return issue_access_token(member_id=member.id, username=username, scopes=granted, ttl=ttl)

    return make


class GQL:
    """POST a GraphQL document to /graphql and return the parsed JSON body."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        status: int = 200,
    ) -> dict[str, Any]:
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=h)
        assert response.status_code == status, response.text
        return response.json()


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GQL:
    return GQL(client)


@pytest.fixture
def p(gql: GQL, token: Callable[..., Any]) -> Paths:
    """The generic workflow driver (tests/paths.py) over this test's ``gql`` and ``token``."""
    return Paths(gql, token)


@pytest.fixture
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """For the OAuth tests: a client (and browser: it keeps cookies) talking to the app as 127.0.0.1."""
    async with browser_for(app) as c:
        yield c


@pytest.fixture
async def web(app: Any) -> str:
    """For the OAuth tests: a public web client's id; sekda (council member) and opd.kominfo (OPD officer),
    every member of ``oauth_steps.PASSWORDS``, with their passwords."""
    for username in PASSWORDS:
        await with_password(username)
    return (await web_client()).client_id


BACKGROUND_TASKS = ("council-outbox-relay",)
"""Names of the app's background tasks, whose statements are not a request's (the relay runs after a commit)."""


def _in_background_loop() -> bool:
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return False
    return task is not None and task.get_name() in BACKGROUND_TASKS


class StatementCounter(logging.Handler):
    """Counts SQL statements by listening to tortoise's ``tortoise.db_client`` debug log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if _in_background_loop():
            return
        message = record.getMessage()
        if message.lstrip().split(" ", 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            self.statements.append(message)


@pytest.fixture
def count_statements() -> Iterator[StatementCounter]:
    """Collect the SQL statements run while the test body runs."""
    logger = logging.getLogger("tortoise.db_client")
    counter = StatementCounter()
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(old_level)


@pytest.fixture(scope="module")
async def ws_url(app: Any) -> AsyncIterator[str]:
    """``ws://127.0.0.1:<port>/graphql``: the session's app under uvicorn for a module's websocket tests (its
    lifespan already ran)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.02)
    yield f"ws://127.0.0.1:{port}/graphql"
    server.should_exit = True
    await task
