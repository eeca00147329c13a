"""The Pekanbaru seed loaded once per session, then restored from a snapshot of its rows.

Loading the seed through the services costs ~0.3 s a test; restoring the rows
it wrote costs a few milliseconds. :func:`take` records, right after a real
load, every row of the wiped tables (raw, as the driver reads them: SQLite's
stored text and integers, asyncpg's ``datetime``/``bool``/``Decimal``/``bytes``
and JSON text, so nothing is converted on the way back) and where the id
sequences stand; :func:`restore` writes them back into the emptied tables with
one multi-row INSERT per non-empty table, referenced tables first, and puts the
sequences where the load left them, so the next row of every table gets the id
it would get after a real load. tests/test_reseed.py checks the equivalence.

The one difference from a real load: the seeded timestamps (``created_at``,
the audit events' ``at``) are those of the session's first load, not of the
test's start. Every time the suite moves is relative to ``clock.now()`` or to
rows the test writes itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient


@dataclass(frozen=True)
class Snapshot:
    """The rows of a freshly loaded seed, and its id sequences.

    Attributes:
        key: what the snapshot is valid for (:func:`key`): the wiped tables and
            the applied migrations; a different key means load afresh.
        inserts: ``(statement, rows)`` per non-empty table, referenced tables first.
        sequences: SQLite: the ``sqlite_sequence`` rows ``(name, seq)`` of the
            load; PostgreSQL: ``(sequence, value)`` for each sequence the load
            used (``setval(sequence, value)``: the next id is ``value + 1``).
    """

    key: tuple[Any, ...]
    inserts: list[tuple[str, list[list[Any]]]]
    sequences: list[tuple[str, int]]


def quote(name: str) -> str:
    """``name`` as an SQL identifier (double quotes; both dialects)."""
    return '"' + name.replace('"', '""') + '"'


def _pk_column(table: str) -> str | None:
    """The primary key column of ``table``'s model (None when no model has that table)."""
    for app in Tortoise.apps.values():
        for model in app.values():
            if model._meta.db_table == table:
                pk = model._meta.pk
                return pk.source_field or pk.model_field_name
    return None


async def key(conn: BaseDBAsyncClient, wiped: Sequence[str], migrations_table: str) -> tuple[Any, ...]:
    """The tables and the count of applied migrations: a migration or a new model invalidates a snapshot."""
    rows = await conn.execute_query_dict(f"SELECT count(*) AS n FROM {quote(migrations_table)}")
    return (tuple(wiped), rows[0]["n"])


async def take(conn: BaseDBAsyncClient, wiped: Sequence[str], snapshot_key: tuple[Any, ...]) -> Snapshot:
    """Record the rows of ``wiped`` (listed referencing tables first) and the sequences, as a load left them."""
    on_postgres = conn.capabilities.dialect == "postgres"
    inserts: list[tuple[str, list[list[Any]]]] = []
    for table in reversed(wiped):  # referenced tables first
        pk = _pk_column(table)
        order = "rowid" if not on_postgres else quote(pk) if pk else "1"  # the order a load wrote them in
        rows = await conn.execute_query_dict(f"SELECT * FROM {quote(table)} ORDER BY {order}")
        if not rows:
            continue
        columns = list(rows[0])
        marks = [f"${i}" for i in range(1, len(columns) + 1)] if on_postgres else ["?"] * len(columns)
        statement = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(marks)})"
        inserts.append((statement, [[row[c] for c in columns] for row in rows]))
    if on_postgres:
        found = await conn.execute_query_dict(_PG_SEQUENCES, [list(wiped)])
        sequences = [(r["sequence"], r["last_value"]) for r in found if r["last_value"] is not None]
    else:
        found = await conn.execute_query_dict("SELECT name, seq FROM sqlite_sequence")
        sequences = [(r["name"], r["seq"]) for r in found]
    return Snapshot(key=snapshot_key, inserts=inserts, sequences=sequences)


async def restore(conn: BaseDBAsyncClient, snapshot: Snapshot) -> None:
    """Write ``snapshot`` back into the emptied tables, in the caller's transaction.

    The sequences are set last: on SQLite an explicit id moves ``sqlite_sequence``
    to the table's highest id, which :func:`take` recorded already, but the
    recorded rows are written over it so that they stay as the load left them.
    """
    for statement, rows in snapshot.inserts:
        await conn.execute_many(statement, rows)
    if conn.capabilities.dialect == "postgres":
        if snapshot.sequences:
            calls = ", ".join(f"setval({_literal(seq)}, {int(value)})" for seq, value in snapshot.sequences)
            await conn.execute_query(f"SELECT {calls}")
    else:
        await conn.execute_query("DELETE FROM sqlite_sequence")
        if snapshot.sequences:
            await conn.execute_many("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", snapshot.sequences)


def _literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


_PG_SEQUENCES = """
SELECT format('%I.%I', ns.nspname, seq.relname) AS sequence, ps.last_value
FROM pg_class seq
JOIN pg_namespace ns ON ns.oid = seq.relnamespace
JOIN pg_depend dep ON dep.objid = seq.oid AND dep.classid = 'pg_class'::regclass
    AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
JOIN pg_class tbl ON tbl.oid = dep.refobjid
JOIN pg_sequences ps ON ps.schemaname = ns.nspname AND ps.sequencename = seq.relname
WHERE seq.relkind = 'S' AND tbl.relname = ANY($1::text[]) AND ns.nspname = current_schema()
"""
"""The sequences owned by the wiped tables (serial: dependency 'a'; identity: 'i'), with where they stand."""
