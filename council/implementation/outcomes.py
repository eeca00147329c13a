"""Read side of KPIs and spending: batch queries shared by the services and the loaders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from council.implementation.models import Kpi, KpiMeasurement, SpendingReport
from council.implementation.periods import period_key
from council.rows import group_rows

KPI_FIELDS = ("id", "proposal_id", "name", "unit", "baseline", "target", "direction", "created_at")
MEASUREMENT_FIELDS = ("id", "kpi_id", "period", "value", "note", "author_id", "recorded_at")
SPENDING_FIELDS = ("id", "proposal_id", "amount", "period", "note", "author_id", "created_at")


async def kpis_for(proposal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every KPI of each proposal, in the order defined, as plain rows. One SQL statement (none for no ids)."""
    ids = list(set(proposal_ids))
    if not ids:
        return group_rows([])
    return group_rows(await Kpi.filter(proposal_id__in=ids).order_by("id").values(*KPI_FIELDS))


async def measurements_for(kpi_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every measurement of each KPI, by period ascending (:func:`~council.implementation.periods.period_key`).

    Keyed by KPI id. One SQL statement (none for no ids).
    """
    ids = list(set(kpi_ids))
    if not ids:
        return group_rows([], "kpi_id")
    rows = await KpiMeasurement.filter(kpi_id__in=ids).values(*MEASUREMENT_FIELDS)
    rows.sort(key=lambda r: (period_key(r["period"]), r["id"]))
    return group_rows(rows, "kpi_id")


async def spending_for(proposal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every spending report of each proposal, oldest first, as plain rows. One SQL statement (none for no ids)."""
    ids = list(set(proposal_ids))
    if not ids:
        return group_rows([])
    return group_rows(
        await SpendingReport.filter(proposal_id__in=ids).order_by("created_at", "id").values(*SPENDING_FIELDS)
    )


async def proposal_of_kpi(kpi_id: int) -> int | None:
    """The id of the proposal a KPI is of, or None when there is no such KPI. One SQL statement."""
    proposal_id = await Kpi.filter(id=kpi_id).first().values_list("proposal_id", flat=True)
    return cast("int | None", proposal_id)  # tortoise types a flat values_list of one row as a tuple
