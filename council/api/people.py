"""The people in GraphQL: ``Node``, ``Organization`` and ``Member``, apart from the types that read programmes.

Here so that the commitment's types (:mod:`council.api.commitments`), which
``Programme`` shows, can name members without importing :mod:`council.api.types`
(which imports ``Programme``). :mod:`council.api.types` re-exports them.
"""

from __future__ import annotations

from typing import Any

import strawberry

from council import enums as domain
from council.api.enums import OrganizationKind, Role
from council.api.ids import to_global_id


@strawberry.interface(description="An object with a Relay global ID.")
class Node:
    id: strawberry.ID


@strawberry.type
class Organization(Node):
    code: str
    name: str
    kind: OrganizationKind

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Organization:
        return cls(
            id=strawberry.ID(to_global_id("Organization", row["id"])),
            code=row["code"],
            name=row["name"],
            kind=domain.OrganizationKind(row["kind"]),
        )


@strawberry.type
class Member(Node):
    username: str
    display_name: str
    roles: list[Role]
    organization_id: strawberry.Private[int]

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> Organization:
        return Organization.from_row(await info.context.loaders.organization.load(self.organization_id))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Member:
        return cls(
            id=strawberry.ID(to_global_id("Member", row["id"])),
            username=row["username"],
            display_name=row["display_name"],
            roles=[domain.Role(r) for r in row["roles"]],
            organization_id=row["organization_id"],
        )
