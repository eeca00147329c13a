"""The data package's files, generated as streams of bytes: the descriptor, each table as CSV and JSON, the chains.

Files (the same over HTTP, :mod:`council.opendata.routes`, and on disk, ``council export DIR``):

- ``datapackage.json``: the Frictionless Data Package descriptor (a Table Schema per resource);
- ``<table>.csv`` and ``<table>.json`` for each table of :data:`council.opendata.tables.TABLES`
  (the CSV has a header row; the JSON file is an array of arrays, the column names first, with JSON's own
  numbers, booleans, nulls and objects; both are resources of the descriptor, named ``<table>`` and
  ``<table>-json``);
- ``audit.jsonl``: the audit chains of the public subjects, one event per line (:func:`audit_lines`).

Every generator reads in batches (:data:`council.opendata.schema.BATCH`), so memory stays bounded at any
number of proposals. :func:`fingerprint` answers the package's ETag with one small statement, without
generating anything.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from tortoise import connections
from tortoise.models import Model

from council.audit.chains import COMMITMENT, MASTER_PLAN, PROPOSAL
from council.audit.models import AuditEvent
from council.audit.record import RECORD_FIELDS, canonical
from council.audit.service import STORED_FIELDS, as_record
from council.commitments.models import Commitment
from council.masterplans.models import MasterPlan
from council.opendata.schema import Column, Table, batches, cell, id_batches, plain, public_proposal_ids
from council.opendata.tables import TABLES

FORMAT_VERSION = "1"
"""Bumped when the files' shape changes (it enters the ETag)."""
AUDIT = "audit"
"""The resource name of ``audit.jsonl``."""
AUDIT_FILE = "audit.jsonl"
DESCRIPTOR = "datapackage.json"

AUDIT_COLUMNS = (
    Column("chain", "string", "The chain's kind: proposal, commitment or master_plan.", required=True),
    Column("chain_id", "integer", "The subject's id (a proposal's, the commitment's, the plan's).", required=True),
    Column("seq", "integer", "1, 2, ... within the chain.", required=True),
    Column("at", "datetime", "When (UTC, ISO 8601 with microseconds, exactly as hashed).", required=True),
    Column("actor", "string", "Username of the actor then, or system.", required=True),
    Column("action", "string", "What happened (transition, vote_cast, signed, ...).", required=True),
    Column("trigger", "string", "The workflow trigger, or null."),
    Column("from", "string", "The state before, or null."),
    Column("to", "string", "The state after, or null."),
    Column("comment", "string", "Comment ('' when none)."),
    Column("data", "object", "The event's details.", required=True),
    Column("prev", "string", "The previous event's hash ('' for seq 1)."),
    Column("hash", "string", "SHA-256 (hex) of the event's hash input (README, Open data).", required=True),
)


def descriptor(base: str = "") -> dict[str, Any]:
    """The ``datapackage.json``: a resource per table and format, and the audit chains; paths relative to ``base``."""
    resources: list[dict[str, Any]] = []
    for table in TABLES:
        for suffix, fmt, media in (("", "csv", "text/csv"), ("-json", "json", "application/json")):
            resources.append(
                {
                    "name": table.name + suffix,
                    "type": "table",
                    "title": table.title,
                    "description": table.description,
                    "path": f"{base}{table.name}.{fmt}",
                    "format": fmt,
                    "mediatype": media,
                    "encoding": "utf-8",
                    "schema": _schema_for(table, suffix),
                }
            )
    resources.append(
        {
            "name": AUDIT,
            "type": "table",
            "title": "Audit chains",
            "description": "The hash chains of the public subjects (public proposals, the commitments, the master "
            "plans), one event per line, each chain in seq order. Verify: council audit verify --file audit.jsonl.",
            "path": f"{base}{AUDIT_FILE}",
            "format": "jsonl",
            "mediatype": "application/jsonl",
            "encoding": "utf-8",
            "schema": {"fields": [c.descriptor() for c in AUDIT_COLUMNS], "primaryKey": ["chain", "chain_id", "seq"]},
        }
    )
    return {
        "profile": "data-package",
        "name": "council-open-data",
        "title": "Council: the record of the Smart City council as open data",
        "description": "What anyone may read through the API: public proposals, their reviews, ballots, public "
        "votes and implementation, the programme, the master plan, the commitment, and the audit chains.",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "version": FORMAT_VERSION,
        "resources": resources,
    }


def _schema_for(table: Table, suffix: str) -> dict[str, Any]:
    schema = table.schema()
    if suffix:  # the JSON twin refers to the JSON twins, so each format validates alone
        for fk in schema.get("foreignKeys", []):
            fk["reference"]["resource"] += suffix
    return schema


def descriptor_bytes(base: str = "") -> bytes:
    return json.dumps(descriptor(base), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


async def csv_chunks(table: Table) -> AsyncIterator[bytes]:
    """The table as CSV (RFC 4180, header row, UTF-8), a chunk per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.names)
    async for rows in batches(table):
        for row in rows:
            writer.writerow([cell(v) for v in row.values()])
        yield _drain(buffer)
    yield _drain(buffer)


async def json_chunks(table: Table) -> AsyncIterator[bytes]:
    """The table as Frictionless tabular JSON: an array of arrays, the first the column names, a row per line.

    (Arrays rather than objects: frictionless cannot read an empty array of objects, and a table of the
    package may well be empty; the header row keeps every file readable.) A chunk per batch.
    """
    yield b"[" + json.dumps(list(table.names)).encode("utf-8")
    async for rows in batches(table):
        lines = (",\n" + json.dumps([plain(v) for v in row.values()], ensure_ascii=False) for row in rows)
        yield "".join(lines).encode("utf-8")
    yield b"\n]\n"


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")


async def public_chains() -> AsyncIterator[tuple[str, list[int]]]:
    """The chains of public subjects as (kind, ids) batches: the commitments, the master plans, the public
    proposals (:func:`council.auth.policy.public_proposals`), each by id."""
    for kind, model in ((COMMITMENT, Commitment), (MASTER_PLAN, MasterPlan)):
        async for ids in id_batches(model):
            yield kind, ids
    async for ids in public_proposal_ids():
        yield PROPOSAL, ids


async def audit_lines() -> AsyncIterator[bytes]:
    """``audit.jsonl``: a record per line (:mod:`council.audit.record`), each chain whole and in
    seq order, chains by kind (commitment, master_plan, proposal) then id; a chunk per batch of chains."""
    async for kind, ids in public_chains():
        query = AuditEvent.filter(chain_kind=kind, chain_id__in=ids).order_by("chain_id", "seq")
        events = await query.values(*STORED_FIELDS)
        yield "".join(_line(as_record(e)) for e in events).encode("utf-8")


def _line(record: dict[str, Any]) -> str:
    """One line of ``audit.jsonl``: compact JSON, the fields in :data:`RECORD_FIELDS` order (the schema's)."""
    return json.dumps({k: record[k] for k in RECORD_FIELDS}, separators=(",", ":"), ensure_ascii=False) + "\n"


async def fingerprint() -> str:
    """The package's ETag (a strong validator, quoted), in one SQL statement, without generating anything.

    It changes whenever an exported row can have changed: a row added or removed in any table of the package
    (count and highest id), an audit event appended (every decision is one), a row with ``updated_at``
    changed (proposals, reviews, milestones).
    """
    parts = []
    models: list[type[Model]] = [AuditEvent, *(t.model for t in TABLES)]
    for model in models:
        meta = model._meta
        updated = 'CAST(MAX("updated_at") AS TEXT)' if "updated_at" in meta.fields_map else "NULL"
        parts.append(f'SELECT COUNT(*), MAX("id"), {updated} FROM "{meta.db_table}"')
    _, rows = await connections.get("default").execute_query(" UNION ALL ".join(parts))
    seen = canonical([FORMAT_VERSION, [[str(v) for v in tuple(row)] for row in rows]])
    return '"' + hashlib.sha256(seen.encode("utf-8")).hexdigest()[:32] + '"'


def files() -> list[tuple[str, Callable[[], AsyncIterator[bytes]]]]:
    """Every file of the package but the descriptor, in the descriptor's order: (file name, its generator)."""
    out: list[tuple[str, Callable[[], AsyncIterator[bytes]]]] = []
    for table in TABLES:
        out.append((f"{table.name}.csv", functools.partial(csv_chunks, table)))
        out.append((f"{table.name}.json", functools.partial(json_chunks, table)))
    out.append((AUDIT_FILE, audit_lines))
    return out


async def export_to(directory: Path, done: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write the package into ``directory`` (created if absent): the descriptor and every file; their sizes (bytes).

    ``done(file name, bytes)`` is called after each file. Each file is written to ``<name>.part`` and renamed, so
    a reader never sees half a file. Raises OSError when the directory cannot be written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, int] = {}
    for name, generate in [(DESCRIPTOR, _descriptor_chunks), *files()]:
        part = directory / f"{name}.part"
        size = 0
        with part.open("wb") as out:
            async for chunk in generate():
                out.write(chunk)
                size += len(chunk)
        part.replace(directory / name)
        sizes[name] = size
        if done is not None:
            done(name, size)
    return sizes


async def _descriptor_chunks() -> AsyncIterator[bytes]:
    yield descriptor_bytes()
