"""What a quick win achieves and costs, in GraphQL: the ``Kpi``, ``KpiMeasurement`` and ``SpendingReport`` types.

The ``Proposal`` fields ``kpis``, ``spending`` and ``budgetRealised`` are the
resolvers below, attached in :mod:`council.api.types` with
``strawberry.field(resolver=...)``; the mutations are in
:mod:`council.api.outcome_mutations`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry

from council.api.ids import to_global_id
from council.api.scalars import Rupiah
from council.implementation import queries as domain  # the room's vocabulary, re-exported by its read side
from council.implementation.kpis import achievement_percent, latest_measurement
from council.implementation.spending import realised

if TYPE_CHECKING:
    from council.implementation.queries import KpiDirection as KpiDirection
else:
    KpiDirection = strawberry.enum(
        domain.KpiDirection, description="Which way a KPI improves: UP (more is better) or DOWN (less is better)."
    )


@strawberry.type(description="One measured value of a KPI for one period.")
class KpiMeasurement:
    period: str = strawberry.field(description="YYYY, YYYY-MM or YYYY-Qn.")
    value: float
    note: str
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> KpiMeasurement:
        return cls(period=row["period"], value=row["value"], note=row["note"], recorded_at=row["recorded_at"])


@strawberry.type(description="An outcome indicator of a quick win, from baseline towards target, in unit.")
class Kpi:
    id: strawberry.ID
    name: str
    unit: str
    baseline: float
    target: float
    direction: KpiDirection
    row: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Kpi:
        return cls(
            id=strawberry.ID(to_global_id("Kpi", row["id"])),
            name=row["name"],
            unit=row["unit"],
            baseline=row["baseline"],
            target=row["target"],
            direction=domain.KpiDirection(row["direction"]),
            row=row,
        )

    async def _measurements(self, info: strawberry.Info) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await info.context.loaders.measurements.load(self.row["id"])
        return rows

    @strawberry.field(
        description="By period ascending: by the period's last day, then its first (2018-Q3 < 2018 < 2018-Q4 < "
        "2018-12)."
    )
    async def measurements(self, info: strawberry.Info) -> list[KpiMeasurement]:
        return [KpiMeasurement.from_row(r) for r in await self._measurements(info)]

    @strawberry.field(description="The measurement of the latest period, or null.")
    async def latest(self, info: strawberry.Info) -> KpiMeasurement | None:
        row = latest_measurement(await self._measurements(info))
        return KpiMeasurement.from_row(row) if row else None

    @strawberry.field(
        description="(latest - baseline) / (target - baseline) * 100, capped to 0..100; null without measurements."
    )
    async def achievement_percent(self, info: strawberry.Info) -> float | None:
        return achievement_percent(self.row, await self._measurements(info))


@strawberry.type(description="Money the owning OPD spent on a quick win in one period.")
class SpendingReport:
    id: strawberry.ID
    amount: Rupiah = strawberry.field(description="Whole rupiah (IDR), above 0.")
    period: str = strawberry.field(description="YYYY, YYYY-MM or YYYY-Qn.")
    note: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SpendingReport:
        return cls(
            id=strawberry.ID(to_global_id("SpendingReport", row["id"])),
            amount=row["amount"],
            period=row["period"],
            note=row["note"],
            created_at=row["created_at"],
        )


async def proposal_kpis(root: Any, info: strawberry.Info) -> list[Kpi]:
    """``Proposal.kpis``: its KPIs, in the order defined."""
    return [Kpi.from_row(r) for r in await info.context.loaders.kpis.load(root.row["id"])]


async def proposal_spending(root: Any, info: strawberry.Info) -> list[SpendingReport]:
    """``Proposal.spending``: its spending reports, oldest first."""
    return [SpendingReport.from_row(r) for r in await info.context.loaders.spending.load(root.row["id"])]


async def proposal_budget_realised(root: Any, info: strawberry.Info) -> Rupiah:
    """``Proposal.budgetRealised``: the sum of its spending reports, 0 without."""
    return Rupiah(realised(await info.context.loaders.spending.load(root.row["id"])))


__all__ = [
    "Kpi",
    "KpiDirection",
    "KpiMeasurement",
    "SpendingReport",
    "proposal_budget_realised",
    "proposal_kpis",
    "proposal_spending",
]
