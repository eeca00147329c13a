"""KPIs and spending in GraphQL: ``defineKpi``, ``recordMeasurement``, ``reportSpending`` (owning OPD).

Each calls one service of :mod:`council.implementation` (the write recipe)
and returns its payload by ids (:func:`council.api.mutations.mutation_recipe`).
"""

from __future__ import annotations

import strawberry

from council.api.errors import UserError
from council.api.ids import from_global_id
from council.api.mutations import mutation_recipe
from council.api.outcomes import Kpi, KpiDirection
from council.api.proposals import ProposalPayload, load_proposal, proposal_pk
from council.api.scalars import Rupiah
from council.api.types import Proposal
from council.implementation import kpis, spending


@strawberry.input
class DefineKpiInput:
    proposal_id: strawberry.ID
    name: str = strawberry.field(description="1-255 characters, unique in the proposal (ignoring case).")
    unit: str = strawberry.field(description="1-64 characters, e.g. persen, pengunjung/bulan.")
    baseline: float
    target: float = strawberry.field(description="Differs from baseline: above it for UP, below it for DOWN.")
    direction: KpiDirection


@strawberry.input
class RecordMeasurementInput:
    kpi_id: strawberry.ID
    period: str = strawberry.field(
        description="YYYY, YYYY-MM or YYYY-Qn; one measurement per period (a second one: CONFLICT)."
    )
    value: float
    note: str | None = None


@strawberry.input
class ReportSpendingInput:
    proposal_id: strawberry.ID
    amount: Rupiah = strawberry.field(description="Whole rupiah, above 0.")
    period: str = strawberry.field(description="YYYY, YYYY-MM or YYYY-Qn.")
    note: str | None = strawberry.field(
        default=None, description="Required when the spending would exceed budgetApproved (INVALID_INPUT)."
    )


@strawberry.type
class KpiPayload:
    kpi_id: strawberry.Private[int | None] = None
    proposal_id: strawberry.Private[int | None] = None

    @strawberry.field(description="The KPI defined or measured (its proposal is the writer's own, so readable).")
    async def kpi(self, info: strawberry.Info) -> Kpi | None:
        if self.kpi_id is None or self.proposal_id is None:
            return None
        rows = await info.context.loaders.kpis.load(self.proposal_id)
        return next((Kpi.from_row(r) for r in rows if r["id"] == self.kpi_id), None)

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        return None if self.proposal_id is None else await load_proposal(info, self.proposal_id)

    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OutcomeMutations:
    @strawberry.mutation(
        description="Define a KPI of a quick win in implementation (owning OPD). Needs implementation:write."
    )
    @mutation_recipe(KpiPayload)
    async def define_kpi(self, info: strawberry.Info, input: DefineKpiInput) -> KpiPayload:
        pk = proposal_pk(input.proposal_id)
        kpi_id = await kpis.define_kpi(
            info.context.principal,
            pk,
            name=input.name,
            unit=input.unit,
            baseline=input.baseline,
            target=input.target,
            direction=input.direction,
        )
        return KpiPayload(kpi_id=kpi_id, proposal_id=pk)

    @strawberry.mutation(
        description="Record a KPI's value for one period (owning OPD, implementation). Needs implementation:write."
    )
    @mutation_recipe(KpiPayload)
    async def record_measurement(self, info: strawberry.Info, input: RecordMeasurementInput) -> KpiPayload:
        kpi_id = from_global_id(input.kpi_id, "Kpi", "kpiId")[1]
        pk = await kpis.record_measurement(
            info.context.principal, kpi_id, period=input.period, value=input.value, note=input.note or ""
        )
        return KpiPayload(kpi_id=kpi_id, proposal_id=pk)

    @strawberry.mutation(
        description="Report money spent on a quick win in one period (owning OPD, implementation). Needs "
        "implementation:write."
    )
    @mutation_recipe(ProposalPayload)
    async def report_spending(self, info: strawberry.Info, input: ReportSpendingInput) -> ProposalPayload:
        pk = proposal_pk(input.proposal_id)
        await spending.report_spending(
            info.context.principal, pk, amount=input.amount, period=input.period, note=input.note or ""
        )
        return ProposalPayload(proposal_id=pk)
