"""Programme sessions in GraphQL: ``Programme.sessions`` returns these types; public, like the programme."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import strawberry

from council.api.ids import to_global_id
from council.api.members import Member, Organization
from council.programmes import session_models as domain

if TYPE_CHECKING:
    from council.programmes.session_models import SessionKind
else:
    SessionKind = strawberry.enum(domain.SessionKind, description="What kind of meeting a programme session is.")


@strawberry.type(description="One attendance at a session: an organisation as a whole (member null) or a member of it.")
class SessionAttendance:
    present: bool = strawberry.field(description="False for someone invited who did not come.")
    role: str | None = strawberry.field(description="Free text, e.g. narasumber (speaker); null when not given.")
    member_id: strawberry.Private[int | None]
    organization_id: strawberry.Private[int]

    @strawberry.field(description="The member who attended; null when the organisation attended as a whole.")
    async def member(self, info: strawberry.Info) -> Member | None:
        if self.member_id is None:
            return None
        row = await info.context.loaders.member.load(self.member_id)
        return Member.from_row(row) if row else None

    @strawberry.field(description="The organisation that attended (the member's, for a member).")
    async def organization(self, info: strawberry.Info) -> Organization:
        return Organization.from_row(await info.context.loaders.organization.load(self.organization_id))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SessionAttendance:
        return cls(
            present=row["present"],
            role=row["role"],
            member_id=row["member_id"],
            organization_id=row["organization_id"],
        )


@strawberry.type(description="A document a session produced.")
class SessionOutput:
    title: str
    url: str | None = strawberry.field(description="Where the document can be read; null when not published.")
    master_plan_version: int | None = strawberry.field(
        description="The number of the master plan version this output is, when it is one; else null."
    )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SessionOutput:
        return cls(title=row["title"], url=row["url"], master_plan_version=row["master_plan_version_number"])


@strawberry.type(description="A dated session of a programme (bimtek, council meeting), both days inclusive.")
class ProgrammeSession:
    id: strawberry.ID
    kind: SessionKind
    title: str
    starts_on: date
    ends_on: date
    place: str | None
    notes: str | None

    @strawberry.field(description="Who attended, in the order recorded.")
    async def attendance(self, info: strawberry.Info) -> list[SessionAttendance]:
        rows = await info.context.loaders.session_attendance.load(int(self.pk))
        return [SessionAttendance.from_row(r) for r in rows]

    @strawberry.field(description="What the session produced, in order.")
    async def outputs(self, info: strawberry.Info) -> list[SessionOutput]:
        rows = await info.context.loaders.session_outputs.load(int(self.pk))
        return [SessionOutput.from_row(r) for r in rows]

    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ProgrammeSession:
        return cls(
            id=strawberry.ID(to_global_id("ProgrammeSession", row["id"])),
            kind=domain.SessionKind(row["kind"]),
            title=row["title"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            place=row["place"],
            notes=row["notes"],
            pk=row["id"],
        )
