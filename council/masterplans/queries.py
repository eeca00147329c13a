"""Read side of the master plan: plans, versions, comments, plan programmes, as plain rows in batches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from council.masterplans.models import MasterPlan, MasterPlanComment, MasterPlanLink, MasterPlanVersion, PlanProgramme

PLAN_FIELDS = ("id", "title", "created_at", "finalized_at", "finalized_by_id")
VERSION_FIELDS = ("id", "plan_id", "number", "text", "author_id", "created_at")
COMMENT_FIELDS = ("id", "version_id", "author_id", "text", "created_at")
PLAN_PROGRAMME_FIELDS = ("id", "plan_id", "code", "title", "pillar", "position")


def _grouped(ids: list[int], rows: list[dict[str, Any]], key: str) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for row in rows:
        found[row[key]].append(row)
    return found


async def plans_by_id(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Plans by id as plain rows (:data:`PLAN_FIELDS`). One SQL statement (none for no ids)."""
    ids = list(set(ids))
    if not ids:
        return {}
    return {r["id"]: r for r in await MasterPlan.filter(id__in=ids).values(*PLAN_FIELDS)}


async def plan_of_programmes(programme_ids: Iterable[int]) -> dict[int, int]:
    """The plan id of each programme that has one. One SQL statement (none for no ids)."""
    ids = list(set(programme_ids))
    if not ids:
        return {}
    rows = await MasterPlanLink.filter(programme_id__in=ids).values("programme_id", "plan_id")
    return {r["programme_id"]: r["plan_id"] for r in rows}


async def programmes_of_plans(plan_ids: Iterable[int]) -> dict[int, list[int]]:
    """The programme ids each plan covers, by id. One SQL statement (none for no ids)."""
    ids = list(set(plan_ids))
    found: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        for row in (
            await MasterPlanLink.filter(plan_id__in=ids).order_by("programme_id").values("plan_id", "programme_id")
        ):
            found[row["plan_id"]].append(row["programme_id"])
    return found


async def versions_for(plan_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Each plan's versions, oldest (number 1) first. One SQL statement (none for no ids)."""
    ids = list(set(plan_ids))
    if not ids:
        return {}
    rows = await MasterPlanVersion.filter(plan_id__in=ids).order_by("number").values(*VERSION_FIELDS)
    return _grouped(ids, rows, "plan_id")


async def comments_for(version_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Each version's comments, oldest first. One SQL statement (none for no ids)."""
    ids = list(set(version_ids))
    if not ids:
        return {}
    rows = await MasterPlanComment.filter(version_id__in=ids).order_by("created_at", "id").values(*COMMENT_FIELDS)
    return _grouped(ids, rows, "version_id")


async def plan_programmes_for(plan_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Each plan's acceleration programmes, in order. One SQL statement (none for no ids)."""
    ids = list(set(plan_ids))
    if not ids:
        return {}
    rows = await PlanProgramme.filter(plan_id__in=ids).order_by("position", "id").values(*PLAN_PROGRAMME_FIELDS)
    return _grouped(ids, rows, "plan_id")


async def plan_programmes_by_id(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Plan programmes by id as plain rows (:data:`PLAN_PROGRAMME_FIELDS`). One SQL statement (none for no ids)."""
    ids = list(set(ids))
    if not ids:
        return {}
    return {r["id"]: r for r in await PlanProgramme.filter(id__in=ids).values(*PLAN_PROGRAMME_FIELDS)}


async def version_plan(version_id: int) -> int | None:
    """The plan of version ``version_id``, or None when there is no such version. One SQL statement."""
    row = await MasterPlanVersion.filter(id=version_id).first().values("plan_id")
    return row["plan_id"] if row else None
