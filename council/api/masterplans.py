"""The master plan in GraphQL: ``masterPlan``, its types, and ``addMasterPlanVersion``, ``commentOnMasterPlan``,
``finalizeMasterPlan``.

Reading: the plan, its versions and its acceleration programmes are public
(anonymous callers too), like the programme they belong to; comments are
read by signed-in members only (an anonymous caller gets an empty list):
they are the working discussion of the council, not a publication.
Who may write is :data:`council.auth.policy.OPERATIONS`; the writes are
:mod:`council.masterplans.service`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from council.api.errors import UserError
from council.api.ids import from_global_id, to_global_id
from council.api.members import Member
from council.api.mutations import mutation_recipe
from council.api.pillars import PillarInfo
from council.errors import DomainError
from council.masterplans import rules, service
from council.programmes import queries as programme_queries


async def _member(info: strawberry.Info, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    row = await info.context.loaders.member.load(member_id)
    return Member.from_row(row) if row else None


@strawberry.type(description="An acceleration programme of the master plan, for one pillar; proposals link to it.")
class PlanProgramme:
    id: strawberry.ID
    code: str
    title: str
    row: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PlanProgramme:
        return cls(
            id=strawberry.ID(to_global_id("PlanProgramme", row["id"])), code=row["code"], title=row["title"], row=row
        )

    @strawberry.field(description="Its pillar, labelled in the request's language (from the plan's programmes).")
    async def pillar(self, info: strawberry.Info) -> PillarInfo:
        code = self.row["pillar"]
        for programme_id in await info.context.loaders.plan_coverage.load(self.row["plan_id"]):
            for row in await info.context.loaders.pillars.load(programme_id):
                if row["code"] == code:
                    return PillarInfo.from_row(row, info.context.lang)
        return PillarInfo(code=code, label=code)


@strawberry.type(description="A member's comment on a version of the master plan. Signed-in members read them.")
class MasterPlanComment:
    id: strawberry.ID
    text: str
    created_at: datetime
    row: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MasterPlanComment:
        return cls(
            id=strawberry.ID(to_global_id("MasterPlanComment", row["id"])),
            text=row["text"],
            created_at=row["created_at"],
            row=row,
        )

    @strawberry.field
    async def author(self, info: strawberry.Info) -> Member | None:
        return await _member(info, self.row["author_id"])


@strawberry.type(description="One version of the master plan: Markdown text with a section per pillar.")
class MasterPlanVersion:
    id: strawberry.ID
    number: int = strawberry.field(description="1 for the first version, then one more for each.")
    text: str = strawberry.field(description="Markdown (CommonMark); clients render it without raw HTML.")
    created_at: datetime
    row: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MasterPlanVersion:
        return cls(
            id=strawberry.ID(to_global_id("MasterPlanVersion", row["id"])),
            number=row["number"],
            text=row["text"],
            created_at=row["created_at"],
            row=row,
        )

    @strawberry.field(description="SHA-256 (hex) of the UTF-8 text: what the plan's audit chain records.")
    def text_hash(self) -> str:
        return rules.text_hash(self.text)

    @strawberry.field(description="Who wrote it (null for a version loaded without an author).")
    async def author(self, info: strawberry.Info) -> Member | None:
        return await _member(info, self.row["author_id"])

    @strawberry.field(description="Comments on this version, oldest first; empty for anonymous callers.")
    async def comments(self, info: strawberry.Info) -> list[MasterPlanComment]:
        if not info.context.principal.is_authenticated:
            return []
        return [MasterPlanComment.from_row(r) for r in await info.context.loaders.plan_comments.load(self.row["id"])]


@strawberry.type(description="The city's master plan: versions, its acceleration programmes; read-only once finalised.")
class MasterPlan:
    id: strawberry.ID
    title: str
    finalized_at: datetime | None = strawberry.field(description="When the council chair finalised it (UTC).")
    row: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> MasterPlan:
        return cls(
            id=strawberry.ID(to_global_id("MasterPlan", row["id"])),
            title=row["title"],
            finalized_at=row["finalized_at"],
            row=row,
        )

    @strawberry.field(description="Every version, oldest (number 1) first.")
    async def versions(self, info: strawberry.Info) -> list[MasterPlanVersion]:
        return [MasterPlanVersion.from_row(r) for r in await info.context.loaders.plan_versions.load(self.row["id"])]

    @strawberry.field(description="The latest version, or null before the first.")
    async def current_version(self, info: strawberry.Info) -> MasterPlanVersion | None:
        rows = await info.context.loaders.plan_versions.load(self.row["id"])
        return MasterPlanVersion.from_row(rows[-1]) if rows else None

    @strawberry.field(description="Who finalised it (the council chair), or null.")
    async def finalized_by(self, info: strawberry.Info) -> Member | None:
        return await _member(info, self.row["finalized_by_id"])

    @strawberry.field(description="Its acceleration programmes, in order: what proposals link to.")
    async def programmes(self, info: strawberry.Info) -> list[PlanProgramme]:
        return [PlanProgramme.from_row(r) for r in await info.context.loaders.plan_programmes.load(self.row["id"])]


async def plan_of_programme(info: strawberry.Info, programme_id: int) -> MasterPlan | None:
    """The GraphQL plan of a programme (through the loaders), or None when it has none."""
    plan_id = await info.context.loaders.plan_of_programme.load(programme_id)
    row = await info.context.loaders.master_plan.load(plan_id) if plan_id is not None else None
    return MasterPlan.from_row(row) if row else None


async def plan_programme_of(info: strawberry.Info, plan_programme_id: int | None) -> PlanProgramme | None:
    """The GraphQL plan programme of a proposal's link (through the loaders), or None."""
    if plan_programme_id is None:
        return None
    row = await info.context.loaders.plan_programme.load(plan_programme_id)
    return PlanProgramme.from_row(row) if row else None


@strawberry.type
class MasterPlanQueries:
    @strawberry.field(
        description="A master plan by id, or without id the current programme's; null when absent. Public."
    )
    async def master_plan(self, info: strawberry.Info, id: strawberry.ID | None = None) -> MasterPlan | None:
        if id is None:
            programme_id = await programme_queries.current_programme_id(await info.context.loaders.today())
            return None if programme_id is None else await plan_of_programme(info, programme_id)
        try:
            pk = from_global_id(id, "MasterPlan")[1]
        except DomainError:  # a malformed id reads as absent, like programme(id:)
            return None
        row = await info.context.loaders.master_plan.load(pk)
        return MasterPlan.from_row(row) if row else None


@strawberry.input
class AddMasterPlanVersionInput:
    master_plan_id: strawberry.ID
    text: str = strawberry.field(description="The whole plan in Markdown, a section per pillar.")


@strawberry.input
class CommentOnMasterPlanInput:
    version_id: strawberry.ID
    text: str


@strawberry.input
class FinalizeMasterPlanInput:
    master_plan_id: strawberry.ID


@strawberry.type
class MasterPlanPayload:
    plan_id: strawberry.Private[int | None] = None
    version_id: strawberry.Private[int | None] = None
    comment_id: strawberry.Private[int | None] = None

    @strawberry.field
    async def master_plan(self, info: strawberry.Info) -> MasterPlan | None:
        row = await info.context.loaders.master_plan.load(self.plan_id) if self.plan_id is not None else None
        return MasterPlan.from_row(row) if row else None

    @strawberry.field(description="The version added or commented on.")
    async def version(self, info: strawberry.Info) -> MasterPlanVersion | None:
        if self.plan_id is None:
            return None
        rows = await info.context.loaders.plan_versions.load(self.plan_id)
        return next((MasterPlanVersion.from_row(r) for r in rows if r["id"] == self.version_id), None)

    @strawberry.field(description="The comment added (commentOnMasterPlan).")
    async def comment(self, info: strawberry.Info) -> MasterPlanComment | None:
        if self.version_id is None or self.comment_id is None:
            return None
        rows = await info.context.loaders.plan_comments.load(self.version_id)
        return next((MasterPlanComment.from_row(r) for r in rows if r["id"] == self.comment_id), None)

    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class MasterPlanMutations:
    @strawberry.mutation(description="Add the next version of the plan (technical team, admin); not once finalised.")
    @mutation_recipe(MasterPlanPayload)
    async def add_master_plan_version(
        self, info: strawberry.Info, input: AddMasterPlanVersionInput
    ) -> MasterPlanPayload:
        pk = from_global_id(input.master_plan_id, "MasterPlan", "masterPlanId")[1]
        version_id = await service.add_version(info.context.principal, pk, input.text)
        return MasterPlanPayload(plan_id=pk, version_id=version_id)

    @strawberry.mutation(
        description="Comment on a version (council members and chair, technical team, university reviewers); "
        "not once the plan is finalised."
    )
    @mutation_recipe(MasterPlanPayload)
    async def comment_on_master_plan(self, info: strawberry.Info, input: CommentOnMasterPlanInput) -> MasterPlanPayload:
        version_id = from_global_id(input.version_id, "MasterPlanVersion", "versionId")[1]
        plan_id, comment_id = await service.comment(info.context.principal, version_id, input.text)
        return MasterPlanPayload(plan_id=plan_id, version_id=version_id, comment_id=comment_id)

    @strawberry.mutation(description="Finalise the plan as its latest version (the council chair); then read-only.")
    @mutation_recipe(MasterPlanPayload)
    async def finalize_master_plan(self, info: strawberry.Info, input: FinalizeMasterPlanInput) -> MasterPlanPayload:
        pk = from_global_id(input.master_plan_id, "MasterPlan", "masterPlanId")[1]
        await service.finalize(info.context.principal, pk)
        return MasterPlanPayload(plan_id=pk)
