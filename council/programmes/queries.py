"""Read side of programmes: rows of programmes, phases and pillars in batches, the current one, the city's today."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from council import clock
from council.organizations.service import stored_city
from council.programmes import rules
from council.programmes.models import Pillar, Programme, ProgrammePhase
from council.settings import get_settings

PROGRAMME_FIELDS = ("id", "code", "name", "year", "stage")
PHASE_FIELDS = ("id", "programme_id", "code", "name", "starts_on", "ends_on")
PILLAR_FIELDS = ("id", "programme_id", "code", "labels", "position")


async def city_zone() -> ZoneInfo:
    """The city's time zone: the stored city's (``council seed``), else ``COUNCIL_TIMEZONE``; UTC if unknown.

    One SQL statement.
    """
    city = await stored_city()
    zone_name = city[0] if city is not None else get_settings().timezone
    try:
        return ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def city_today() -> date:
    """Today's date in the city's time zone (:func:`city_zone`). Reads :func:`council.clock.now`. One SQL statement."""
    return clock.now().astimezone(await city_zone()).date()


async def programmes() -> list[dict[str, Any]]:
    """Every programme as a plain row (:data:`PROGRAMME_FIELDS`), latest year first. One SQL statement."""
    return await Programme.all().order_by("-year", "-id").values(*PROGRAMME_FIELDS)


async def programmes_by_id(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Programmes by id as plain rows. One SQL statement (none for no ids)."""
    ids = list(set(ids))
    if not ids:
        return {}
    return {r["id"]: r for r in await Programme.filter(id__in=ids).values(*PROGRAMME_FIELDS)}


async def phases_for(programme_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Each programme's phases, by start date. One SQL statement (none for no ids)."""
    ids = list(set(programme_ids))
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        rows = await ProgrammePhase.filter(programme_id__in=ids).order_by("starts_on", "id").values(*PHASE_FIELDS)
        for row in rows:
            found[row["programme_id"]].append(row)
    return found


async def pillars_for(programme_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Each programme's pillars, by position. One SQL statement (none for no ids)."""
    ids = list(set(programme_ids))
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        rows = await Pillar.filter(programme_id__in=ids).order_by("position", "id").values(*PILLAR_FIELDS)
        for row in rows:
            found[row["programme_id"]].append(row)
    return found


async def current_programme_id(today: date | None = None) -> int | None:
    """The current programme's id (:func:`council.programmes.rules.current_programme`); None when there is none.

    ``today`` defaults to :func:`city_today`. Two or three SQL statements.
    """
    today = today or await city_today()
    rows = await Programme.all().values("id", "year")
    phases = await ProgrammePhase.filter(starts_on__lte=today, ends_on__gte=today).values(
        "programme_id", "starts_on", "ends_on"
    )
    return rules.current_programme(rows, phases, today)


async def first_programme_id() -> int | None:
    """The city's first programme (the lowest id), or None. One SQL statement."""
    return await Programme.all().order_by("id").first().values_list("id", flat=True)  # type: ignore[return-value]
