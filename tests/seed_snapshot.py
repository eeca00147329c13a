"""The wipe of the test database, and the Pekanbaru seed restored from a snapshot of its rows.

Loading the seed through the services costs ~0.3 s a test; restoring the rows
it wrote costs a few milliseconds. :func:`take` records, right after a real
load, every row of the wiped tables (raw, as the driver reads them: SQLite's
stored text and integers, asyncpg's ``datetime``/``bool``/``bytes`` and JSON
text, so nothing is converted on the way back) and where the id sequences
stand; :func:`restore` writes them back into the emptied tables with one
multi-row INSERT (executemany) per non-empty table, referenced tables first,
and puts the sequences where the load left them, so the next row of every
table gets the id it would get after a real load. tests/test_reseed.py checks
the equivalence.

The one difference from a real load: the seeded timestamps (``created_at``,
the audit events' ``at``) are those of the session's first load, not of the
test's start. The suite moves time relative to ``clock.now()`` or to rows a
test writes itself.

:func:`wipe` empties the tables with DELETE, not PostgreSQL's ``TRUNCATE ...
RESTART IDENTITY CASCADE``: on ~45 tables of a few rows each TRUNCATE (new
files for every table and index) took ~10 times as long; the sequences are
restarted by ``setval`` instead (:func:`restart`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient

CONTINUED = ("outbox_event", "outbox_cursor")
"""Tables emptied but never snapshotted, whose ids are never restarted: in production outbox ids only grow, and a
server process of the suite remembers the outbox ids it delivered and drops a repeat (council.events); the
consumers' cursors start again at 0 before an empty outbox."""
_NOT_CONTINUED = "name NOT IN (" + ", ".join(f"'{t}'" for t in CONTINUED) + ")"


@dataclass(frozen=True)
class Shape:
    """What a snapshot is valid for: a new table, a migration or another sequence means load afresh.

    Attributes:
        tables: the wiped tables, referencing tables first (conftest's ``tables()``).
        migrations: how many migrations are applied.
        sequences: PostgreSQL: ``(sequence, start value)`` of each id sequence
            owned by a wiped table (``()`` on SQLite, whose ``sqlite_sequence``
            is emptied instead).
    """

    tables: tuple[str, ...]
    migrations: int
    sequences: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Snapshot:
    """The rows of a freshly loaded seed, and its id sequences.

    Attributes:
        shape: the schema it was taken of.
        inserts: ``(statement, rows)`` per non-empty table, referenced tables first.
        sequences: SQLite: the ``sqlite_sequence`` rows ``(name, seq)`` of the
            load; PostgreSQL: ``(sequence, value)`` of each sequence the load
            used (``setval(sequence, value)``: the next id is ``value + 1``).
    """

    shape: Shape
    inserts: list[tuple[str, list[list[Any]]]]
    sequences: list[tuple[str, int]]


def quote(name: str) -> str:
    """``name`` as an SQL identifier (double quotes; both dialects)."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _on_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


def pk_column(table: str) -> str | None:
    """The primary key column of ``table``'s model (None when no registered model has that table)."""
    for app in Tortoise.apps.values():
        for model in app.values():
            if model._meta.db_table == table:
                pk = model._meta.pk
                return pk.source_field or pk.model_field_name
    return None


async def shape(conn: BaseDBAsyncClient, tables: Sequence[str], migrations_table: str) -> Shape:
    """The :class:`Shape` of the database now (one query)."""
    count = f"(SELECT count(*) FROM {quote(migrations_table)})"
    if not _on_postgres(conn):
        rows = await conn.execute_query_dict(f"SELECT {count} AS n")
        return Shape(tuple(tables), rows[0]["n"], ())
    restarted = [t for t in tables if t not in CONTINUED]
    rows = await conn.execute_query_dict(f"SELECT s.*, {count} AS n FROM ({_PG_SEQUENCES}) s", [restarted])
    sequences = tuple(sorted((r["sequence"], r["start_value"]) for r in rows))
    migrations = rows[0]["n"] if rows else (await conn.execute_query_dict(f"SELECT {count} AS n"))[0]["n"]
    return Shape(tuple(tables), migrations, sequences)


async def wipe(conn: BaseDBAsyncClient, current: Shape) -> None:
    """Empty the tables of ``current`` (referencing ones first: foreign keys are on), in the caller's transaction.

    SQLite's ``sqlite_sequence`` is emptied too; PostgreSQL's sequences are left
    for :func:`restart`.
    """
    if _on_postgres(conn):
        await conn.execute_script("; ".join(f"DELETE FROM {quote(t)}" for t in current.tables))
    else:
        for table in current.tables:
            await conn.execute_query(f"DELETE FROM {quote(table)}")
        await conn.execute_query(f"DELETE FROM sqlite_sequence WHERE {_NOT_CONTINUED}")


async def restart(conn: BaseDBAsyncClient, current: Shape, values: Mapping[str, int]) -> None:
    """PostgreSQL: set each sequence of ``current`` to ``values[sequence]``, or to its start (unused); one query.

    Does nothing on SQLite.
    """
    if not current.sequences:
        return
    calls = [
        f"setval({_literal(seq)}, {int(values[seq])}, true)"
        if seq in values
        else f"setval({_literal(seq)}, {int(start)}, false)"
        for seq, start in current.sequences
    ]
    await conn.execute_query(f"SELECT {', '.join(calls)}")


async def take(conn: BaseDBAsyncClient, current: Shape) -> Snapshot:
    """Record the rows of the tables of ``current`` and the sequences, as a load left them."""
    on_postgres = _on_postgres(conn)
    inserts: list[tuple[str, list[list[Any]]]] = []
    for table in reversed(current.tables):  # referenced tables first
        if table in CONTINUED:
            continue
        pk = pk_column(table)
        order = "rowid" if not on_postgres else quote(pk) if pk else "1"  # the order the load wrote them in
        rows = await conn.execute_query_dict(f"SELECT * FROM {quote(table)} ORDER BY {order}")
        if not rows:
            continue
        columns = list(rows[0])
        marks = [f"${i}" for i in range(1, len(columns) + 1)] if on_postgres else ["?"] * len(columns)
        names = ", ".join(quote(c) for c in columns)
        statement = f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(marks)})"
        inserts.append((statement, [[row[c] for c in columns] for row in rows]))
    if on_postgres:
        found = await conn.execute_query_dict(_PG_SEQUENCES, [[t for t in current.tables if t not in CONTINUED]])
        sequences = [(r["sequence"], r["last_value"]) for r in found if r["last_value"] is not None]
    else:
        found = await conn.execute_query_dict(f"SELECT name, seq FROM sqlite_sequence WHERE {_NOT_CONTINUED}")
        sequences = [(r["name"], r["seq"]) for r in found]
    return Snapshot(shape=current, inserts=inserts, sequences=sequences)


async def restore(conn: BaseDBAsyncClient, snapshot: Snapshot) -> None:
    """Write ``snapshot`` back into the tables :func:`wipe` emptied, in the caller's transaction.

    The sequences are set last: on SQLite an explicit id moves ``sqlite_sequence``
    to the table's highest id; the recorded rows are written over that, so that
    they stay as the load left them.
    """
    for statement, rows in snapshot.inserts:
        await conn.execute_many(statement, rows)
    if _on_postgres(conn):
        await restart(conn, snapshot.shape, dict(snapshot.sequences))
    else:
        await conn.execute_query(f"DELETE FROM sqlite_sequence WHERE {_NOT_CONTINUED}")
        if snapshot.sequences:
            await conn.execute_many("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", snapshot.sequences)


_PG_SEQUENCES = """
SELECT format('%I.%I', ns.nspname, seq.relname) AS sequence, ps.start_value, ps.last_value
FROM pg_class seq
JOIN pg_namespace ns ON ns.oid = seq.relnamespace
JOIN pg_depend dep ON dep.objid = seq.oid AND dep.classid = 'pg_class'::regclass
    AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
JOIN pg_class tbl ON tbl.oid = dep.refobjid
JOIN pg_sequences ps ON ps.schemaname = ns.nspname AND ps.sequencename = seq.relname
WHERE seq.relkind = 'S' AND tbl.relname = ANY($1::text[]) AND ns.nspname = current_schema()
"""
"""The sequences owned by the wiped tables (serial: dependency 'a'; identity: 'i'), with where they stand."""
