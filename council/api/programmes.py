"""Programmes in GraphQL: ``programmes``, ``programme``, ``pillars``, and the types they return."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import strawberry

from council import enums as domain
from council.api.commitments import Commitment, programme_commitment
from council.api.ids import from_global_id, to_global_id
from council.api.masterplans import MasterPlan, plan_of_programme
from council.api.pillars import PillarInfo
from council.api.rollups import PillarProgress, programme_pillar_progress, programme_progress
from council.api.sessions import ProgrammeSession
from council.errors import DomainError
from council.programmes import queries, rules

if TYPE_CHECKING:
    from council.enums import PhaseStatus
else:
    PhaseStatus = strawberry.enum(
        domain.PhaseStatus, description="Where today, in the city's time zone, falls against a phase's dates."
    )


@strawberry.type(description="The city whose programmes these are, as its seed file gives it.")
class City:
    name: str
    province: str | None
    timezone: str = strawberry.field(description="IANA time zone, e.g. Asia/Jakarta.")
    locale: str = strawberry.field(description="BCP 47 locale, e.g. id-ID.")


@strawberry.type(description="A dated phase of a programme; both days inclusive, in the city's time zone.")
class ProgrammePhase:
    code: str
    name: str
    starts_on: date
    ends_on: date
    status: PhaseStatus = strawberry.field(description="From today's date in the city's time zone; never stored.")

    @classmethod
    def from_row(cls, row: dict[str, Any], today: date) -> ProgrammePhase:
        return cls(
            code=row["code"],
            name=row["name"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            status=rules.phase_status(row["starts_on"], row["ends_on"], today),
        )


@strawberry.type(description="One programme of the city (a year and stage of a national programme), public.")
class Programme:
    id: strawberry.ID
    name: str
    year: int
    code: str = strawberry.field(description="The seed file's key for the programme.")
    stage: str | None = strawberry.field(description="The stage of the national programme, e.g. II.")
    row: strawberry.Private[dict[str, Any]]
    progress: float | None = strawberry.field(
        resolver=programme_progress,
        description="Percent: its public quick wins (budget approved by a vote) weighted by budgetApproved, "
        "completed = 100, no progress yet = 0; null without quick wins. Public.",
    )
    pillar_progress: list[PillarProgress] = strawberry.field(
        resolver=programme_pillar_progress, description="One per pillar of the programme, in its pillar order. Public."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Programme:
        return cls(
            id=strawberry.ID(to_global_id("Programme", row["id"])),
            name=row["name"],
            year=row["year"],
            code=row["code"],
            stage=row["stage"],
            row=row,
        )

    @strawberry.field(description="The city running it (null before the city is seeded).")
    async def city(self, info: strawberry.Info) -> City | None:
        row = await info.context.loaders.city()
        return City(**row) if row else None

    @strawberry.field(description="Its phases, by start date.")
    async def phases(self, info: strawberry.Info) -> list[ProgrammePhase]:
        today = await info.context.loaders.today()
        return [ProgrammePhase.from_row(r, today) for r in await info.context.loaders.phases.load(self.row["id"])]

    @strawberry.field(description="The first of its phases whose status is ACTIVE, or null.")
    async def current_phase(self, info: strawberry.Info) -> ProgrammePhase | None:
        phases = await self.phases(info)
        return next((p for p in phases if p.status == domain.PhaseStatus.ACTIVE), None)

    @strawberry.field(description="Its pillars, in order; proposals of the programme name one by code.")
    async def pillars(self, info: strawberry.Info) -> list[PillarInfo]:
        lang = info.context.lang
        return [PillarInfo.from_row(r, lang) for r in await info.context.loaders.pillars.load(self.row["id"])]

    @strawberry.field(description="Its sessions (bimtek, council meetings), by start date. Public.")
    async def sessions(self, info: strawberry.Info) -> list[ProgrammeSession]:
        rows = await info.context.loaders.sessions.load(self.row["id"])
        return [ProgrammeSession.from_row(r) for r in rows]

    @strawberry.field(description="The master plan covering the programme, or null. Public.")
    async def master_plan(self, info: strawberry.Info) -> MasterPlan | None:
        return await plan_of_programme(info, self.row["id"])

    @strawberry.field(description="Its commitment (the newest, when a new text replaced one), or null when none.")
    async def commitment(self) -> Commitment | None:
        return await programme_commitment(self.row["id"])


async def programme_pk(info: strawberry.Info, id: strawberry.ID | None, field: str = "id") -> int | None:
    """The programme's primary key from a global ID, or (None) the current programme's; None when there is none.

    Raises:
        DomainError: INVALID_INPUT for a malformed ID or one of another type.
    """
    if id is None:
        return await queries.current_programme_id(await info.context.loaders.today())
    return from_global_id(id, "Programme", field)[1]


@strawberry.type
class ProgrammeQueries:
    @strawberry.field(description="The city's programmes, latest year first. Public.")
    async def programmes(self, info: strawberry.Info) -> list[Programme]:
        rows = await queries.programmes()
        for row in rows:
            info.context.loaders.programme.prime(row["id"], row)
        return [Programme.from_row(r) for r in rows]

    @strawberry.field(
        description="One programme, or without id the current one: the programme with a phase containing "
        "today (in the city's time zone), else the one of the latest year. Null when absent. Public."
    )
    async def programme(self, info: strawberry.Info, id: strawberry.ID | None = None) -> Programme | None:
        try:
            pk = await programme_pk(info, id)
        except DomainError:
            return None
        row = await info.context.loaders.programme.load(pk) if pk is not None else None
        return Programme.from_row(row) if row else None

    @strawberry.field(
        description="The pillars of a programme (without programmeId: the current programme's), in order, "
        "labelled in the request's language; empty when there is no such programme. Public."
    )
    async def pillars(self, info: strawberry.Info, programme_id: strawberry.ID | None = None) -> list[PillarInfo]:
        try:
            pk = await programme_pk(info, programme_id, "programmeId")
        except DomainError:
            return []
        if pk is None:
            return []
        lang = info.context.lang
        return [PillarInfo.from_row(r, lang) for r in await info.context.loaders.pillars.load(pk)]
