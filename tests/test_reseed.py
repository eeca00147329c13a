"""The seed written back from its snapshot is the seed loaded through the services (tests/seed_snapshot.py).

Compared: every row of every wiped table, each value with its Python type as
the driver reads it (SQLite's storage classes; asyncpg's datetime, bool, JSON
text, bytes), and the id sequences; then the same writes (a proposal created
and submitted over GraphQL, an organisation) on both, which must get the same
ids and leave the same rows. Both clocks (``council.clock`` and tortoise's
``auto_now``) are frozen so that two loads write the same timestamps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import conftest
import pytest
import tortoise.timezone
from conftest import ON_POSTGRES, forget_snapshot, reseed, tables
from paths import Paths
from seed_snapshot import CONTINUED, quote
from tortoise import Tortoise, connections

from council import clock
from council.organizations.service import create_organization

FROZEN = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pekanbaru() -> None:
    """Overrides conftest's per-test reseed: these tests reseed themselves."""


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Clocks frozen at :data:`FROZEN`, no snapshot held; the seeds ``reseed`` loads through the services.

    The snapshot taken at the frozen time is forgotten afterwards, so the next
    module's tests get one of the real time.
    """
    monkeypatch.setattr(clock, "now", lambda: FROZEN)
    monkeypatch.setattr(tortoise.timezone, "now", lambda: FROZEN)
    calls: list[str] = []
    real = conftest.load_seed

    async def spy(source: str) -> Any:
        calls.append(source)
        return await real(source)

    monkeypatch.setattr(conftest, "load_seed", spy)
    forget_snapshot()
    yield calls
    forget_snapshot()


def _order(table: str) -> str:
    for app in Tortoise.apps.values():
        for model in app.values():
            if model._meta.db_table == table:
                pk = model._meta.pk
                return quote(pk.source_field or pk.model_field_name)
    raise AssertionError(f"no model for table {table}")


async def dump() -> dict[str, Any]:
    """Every row of the wiped tables as ``{column: (type name, value)}``, by primary key; and the sequences.

    The outbox (``seed_snapshot.CONTINUED``) is left out: emptied by every reseed, its ids go on by design.
    """
    conn = connections.get("default")
    out: dict[str, Any] = {}
    for table in [t for t in tables() if t not in CONTINUED]:
        rows = await conn.execute_query_dict(f"SELECT * FROM {quote(table)} ORDER BY {_order(table)}")
        out[table] = [{column: (type(v).__name__, v) for column, v in row.items()} for row in rows]
    if ON_POSTGRES:
        query = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
        found = await conn.execute_query_dict(query)
        out["sequences"] = sorted(
            (r["sequencename"], r["last_value"]) for r in found if not r["sequencename"].startswith(CONTINUED)
        )
    else:
        query = "SELECT name, seq FROM sqlite_sequence ORDER BY name"
        found = await conn.execute_query_dict(query)
        out["sequences"] = [(r["name"], r["seq"]) for r in found if r["name"] not in CONTINUED]
    return out


async def writes(p: Paths) -> tuple[str, int, dict[str, Any]]:
    """A proposal created and submitted over GraphQL, an organisation by the service: their ids, and the dump."""
    pid = await p.new_proposal(title="Usulan setelah pemulihan")
    p.ok(await p.transition(pid, "submit", p.officer), "transitionProposal")
    org = await create_organization("dinas.baru", name="Dinas Baru", kind="opd")
    return pid, org, await dump()


async def test_a_restored_seed_is_the_loaded_seed_and_ids_go_on_the_same(loads: list[str], p: Paths) -> None:
    await reseed()  # no snapshot: loads through the services, takes one
    assert loads == ["pekanbaru-2018"]
    loaded = await dump()
    assert sum(len(v) for k, v in loaded.items() if k != "sequences") > 100  # the seed, not an empty database
    after_load = await writes(p)

    await reseed()  # from the snapshot
    assert loads == ["pekanbaru-2018"]
    assert await dump() == loaded
    assert await writes(p) == after_load

    forget_snapshot()
    await reseed()  # a real load again, into the tables a restore filled
    assert loads == ["pekanbaru-2018"] * 2
    assert await dump() == loaded


async def test_a_snapshot_of_another_schema_is_not_restored(loads: list[str]) -> None:
    """A snapshot taken of other tables, or before another migration, gives way to a real load."""
    await reseed()
    loaded = await dump()
    assert conftest._snapshot is not None
    conftest._snapshot = dataclasses.replace(
        conftest._snapshot, shape=dataclasses.replace(conftest._snapshot.shape, tables=("other",))
    )
    await reseed()
    assert loads == ["pekanbaru-2018"] * 2
    assert await dump() == loaded
