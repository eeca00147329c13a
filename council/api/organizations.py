"""Organisations and members in GraphQL: ``viewer``, ``organizations``."""

from __future__ import annotations

import strawberry

from council import enums as domain
from council.api.enums import OrganizationKind
from council.api.members import Member, Organization
from council.auth.policy import OPERATIONS, REVIEWER_ROLES, denial
from council.organizations import queries


@strawberry.type
class OrganizationQueries:
    @strawberry.field(description="The signed-in member with the roles this request acts with, or null when anonymous.")
    async def viewer(self, info: strawberry.Info) -> Member | None:
        member_id = info.context.principal.member_id
        if member_id is None:
            return None
        row = await info.context.loaders.member.load(member_id)
        # The roles this request acts with: stored roles, or those mapped from an external provider's token.
        return Member.from_row(row | {"roles": sorted(info.context.principal.roles)}) if row else None

    @strawberry.field(
        description="Active members a review may be assigned to (university reviewers and the technical team), by "
        "organisation then name; for those who may assign reviewers (assignReviewers), empty for anyone else."
    )
    async def reviewers(self, info: strawberry.Info) -> list[Member]:
        if denial(info.context.principal, OPERATIONS["assignReviewers"]) is not None:
            return []
        return [Member.from_row(r) for r in await queries.active_members_with_roles(str(r) for r in REVIEWER_ROLES)]

    @strawberry.field(description="Organisations of the programme, by code.")
    async def organizations(self, kind: OrganizationKind | None = None) -> list[Organization]:
        rows = await queries.organizations(domain.OrganizationKind(kind).value if kind else None)
        return [Organization.from_row(r) for r in rows]
