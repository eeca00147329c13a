"""The shape of the open data: a table is one entry (:class:`Table`), its rows come in batches (:func:`batches`).

A :class:`Table` names its model, its columns (each with a Frictionless type
and where its value comes from), its primary and foreign keys, and which rows
are public (:class:`Scope`). The rows are read in batches of :data:`BATCH`
(by primary key, or by a batch of public proposal ids), so the export's memory
is bounded by a batch whatever the number of proposals. Adding a resource
(a table of issue 13's milestones, say) is one :class:`Table` in
:data:`council.opendata.tables.TABLES`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from tortoise.expressions import Q
from tortoise.models import Model

from council.auth.policy import public_proposals
from council.proposals.models import Proposal

BATCH = 500
"""Rows (or public proposals) read per SQL statement."""

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its ``name`` in the files, its Frictionless ``type`` (``integer``, ``number``, ``string``,
    ``boolean``, ``date``, ``datetime``, ``object``, ``array``), a description, and ``source``: the ORM
    ``values()`` path it is read from (default: ``name``). ``required`` columns are never empty."""

    name: str
    type: str
    description: str
    source: str = ""
    required: bool = False

    def descriptor(self) -> dict[str, Any]:
        """The Table Schema field (``format`` ``default``: ISO 8601 for dates and times, UTC offsets included)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if self.required:
            out["constraints"] = {"required": True}
        return out


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """``fields`` of this table refer to ``key`` of resource ``resource`` (default ``id``)."""

    fields: tuple[str, ...]
    resource: str
    key: tuple[str, ...] = ("id",)

    def descriptor(self) -> dict[str, Any]:
        return {"fields": list(self.fields), "reference": {"resource": self.resource, "fields": list(self.key)}}


@dataclass(frozen=True, slots=True)
class Scope:
    """Which rows are public.

    ``proposal`` None: every row (the programme, the plan, the commitment: public acts).
    Otherwise the ``values()`` path from the row to its proposal's id (``proposal_id``,
    ``kpi__proposal_id``): only rows of public proposals (:func:`council.auth.policy.public_proposals`).
    ``where``, when given, narrows further (a filter built at export time, e.g. the ballots whose votes are public).
    """

    proposal: str | None = None
    where: Callable[[], Q | None] | None = None


EVERYTHING = Scope()
OF_PUBLIC_PROPOSALS = Scope("proposal_id")


@dataclass(frozen=True, slots=True)
class Table:
    """One resource of the data package: ``name`` (its files ``<name>.csv`` and ``<name>.json``), rows of ``model``.

    ``finish`` (optional) rewrites a batch of rows after they are read (fills or
    blanks values by a rule, e.g. a hidden tally).
    """

    name: str
    title: str
    description: str
    model: type[Model]
    columns: tuple[Column, ...]
    scope: Scope = EVERYTHING
    primary_key: tuple[str, ...] = ("id",)
    foreign_keys: tuple[ForeignKey, ...] = ()
    order: tuple[str, ...] = ("id",)
    finish: Callable[[list[Row]], Awaitable[list[Row]]] | None = None

    def schema(self) -> dict[str, Any]:
        """The Table Schema: fields, primary key, foreign keys."""
        out: dict[str, Any] = {
            "fields": [c.descriptor() for c in self.columns],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            out["foreignKeys"] = [fk.descriptor() for fk in self.foreign_keys]
        return out

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


async def id_batches(model: type[Model], where: Q | None = None) -> AsyncIterator[list[int]]:
    """Ids of ``model``'s rows (matching ``where``) in ascending batches of :data:`BATCH` (keyset pagination)."""
    last = 0
    while True:
        rows = await model.filter(where or Q(), id__gt=last).order_by("id").limit(BATCH).values("id")
        if not rows:
            return
        ids = [int(r["id"]) for r in rows]
        yield ids
        last = ids[-1]


def public_proposal_ids() -> AsyncIterator[list[int]]:
    """Ids of the public proposals (:func:`council.auth.policy.public_proposals`) in ascending batches."""
    return id_batches(Proposal, public_proposals())


async def batches(table: Table) -> AsyncIterator[list[Row]]:
    """The table's public rows, batch by batch, each row holding exactly the table's columns, in order."""
    values = {c.name: c.source or c.name for c in table.columns}
    where = table.scope.where() if table.scope.where else None
    if table.scope.where and where is None:
        return  # the narrowing admits nothing (e.g. no workflow publishes its votes)
    narrow = where if where is not None else Q()
    if table.scope.proposal is None:
        last = 0
        while True:
            rows = await table.model.filter(narrow, id__gt=last).order_by("id").limit(BATCH).values(**values)
            if not rows:
                return
            last = rows[-1]["id"]
            yield await _finish(table, rows)
    else:
        async for ids in public_proposal_ids():
            query = table.model.filter(narrow, **{f"{table.scope.proposal}__in": ids})
            rows = await query.order_by(*table.order).values(**values)
            if rows:
                yield await _finish(table, rows)


async def _finish(table: Table, rows: list[Row]) -> list[Row]:
    if table.finish is not None:
        rows = await table.finish(rows)
    names = table.names
    return [{n: r[n] for n in names} for r in rows]


def cell(value: Any) -> str:
    """A CSV cell: '' for null, ``true``/``false``, ISO 8601 dates and times, JSON for objects and arrays."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def plain(value: Any) -> Any:
    """A JSON value: dates and times as ISO 8601 strings, enums as their values, the rest as is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
