"""Programmes: the pillar and programme checks of a proposal's writes, and the seed's writes.

Programmes, their phases and pillars are written by ``council seed`` only
(:func:`ensure_programme`); what is present is left unchanged, what is
missing (a programme, or a phase or pillar of a present programme, by code)
is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from council.errors import invalid, not_found
from council.programmes import queries
from council.programmes.models import Pillar, Programme, ProgrammePhase

FIRST_PROGRAMME_CODE = "smart-city"
"""The code of the programme made for a city whose seed names none (and by migration 0008 for existing data)."""


@dataclass(frozen=True)
class PhaseSpec:
    """A phase to create: ``code``, ``name``, first and last day (city dates, both inclusive)."""

    code: str
    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class PillarSpec:
    """A pillar to create: ``code`` and its labels by language (``{"id": ..., "en": ...}``)."""

    code: str
    labels: dict[str, str] = field(default_factory=dict)


async def programme_for_proposal(programme_id: int | None, field: str = "programmeId") -> int:
    """The programme a new proposal joins: ``programme_id`` when it exists, else (None) the current programme.

    Raises:
        DomainError: NOT_FOUND (``field``) for an unknown id; INVALID_INPUT
            (``no_programme``) when no programme exists at all.
    """
    if programme_id is not None:
        if not await Programme.exists(id=programme_id):
            raise not_found("programme", field)
        return programme_id
    current = await queries.current_programme_id()
    if current is None:
        raise invalid("no_programme", field)
    return current


async def clean_pillar(programme_id: int, value: object, field: str = "pillar") -> str:
    """The code of one of the programme's pillars: ``value`` stripped and lower-cased (``SMART_LIVING`` matches).

    Raises:
        DomainError: INVALID_INPUT (``unknown_pillar``) naming the programme's codes. One SQL statement.
    """
    codes = await pillar_codes(programme_id)
    code = str(value or "").strip().lower()
    if code not in codes:
        raise invalid("unknown_pillar", field, value=value, codes=", ".join(codes) or "-")
    return code


async def pillar_codes(programme_id: int) -> list[str]:
    """The programme's pillar codes, in their order. One SQL statement."""
    rows = await queries.pillars_for([programme_id])
    return [r["code"] for r in rows[programme_id]]


async def ensure_programme(
    code: str,
    *,
    name: str,
    year: int,
    stage: str | None = None,
    phases: list[PhaseSpec] | None = None,
    pillars: list[PillarSpec] | None = None,
) -> tuple[int, bool]:
    """The programme with ``code``, created when absent, with its missing phases and pillars; (id, created).

    A present programme keeps its name, year and stage, and its phases and
    pillars present by code; phases and pillars it lacks are added (pillars
    after its last). The caller checks the input (:mod:`council.seeds.schema`).
    """
    programme = await Programme.filter(code=code).first()
    created = programme is None
    if programme is None:
        programme = await Programme.create(code=code, name=name, year=year, stage=stage)
    present_phases = {
        str(c) for c in await ProgrammePhase.filter(programme_id=programme.id).values_list("code", flat=True)
    }
    for phase in phases or []:
        if phase.code not in present_phases:
            await ProgrammePhase.create(
                programme_id=programme.id,
                code=phase.code,
                name=phase.name,
                starts_on=phase.starts_on,
                ends_on=phase.ends_on,
            )
    present_pillars: list[tuple[str, int]] = await Pillar.filter(programme_id=programme.id).values_list(
        "code", "position"
    )
    known = {code for code, _ in present_pillars}
    position = max((p for _, p in present_pillars), default=-1) + 1
    for pillar in pillars or []:
        if pillar.code not in known:
            await Pillar.create(programme_id=programme.id, code=pillar.code, labels=pillar.labels, position=position)
            position += 1
    return int(programme.id), created
