"""GraphQL types of people: the Relay ``Node`` interface, ``Organization`` and ``Member``.

A leaf of the GraphQL room (imports no other type module but the leaf
:mod:`council.api.notifications`), so every type module (proposals, programmes,
the master plan) can name a member without an import cycle.
"""

from __future__ import annotations

from typing import Any

import strawberry

from council import enums as domain
from council.api.enums import OrganizationKind, Role
from council.api.ids import from_global_id, to_global_id
from council.api.notifications import NotificationPreferences, own_preferences


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
    language_code: strawberry.Private[str] = "id"

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> Organization:
        return Organization.from_row(await info.context.loaders.organization.load(self.organization_id))

    @strawberry.field(description="The member's e-mail address: the viewer's own only (null for anyone else).")
    async def email(self, info: strawberry.Info) -> str | None:
        found = await own_preferences(info, from_global_id(self.id)[1])
        return None if found is None else found.email

    @strawberry.field(description="The language of the member's e-mail: id (Bahasa Indonesia) or en.")
    def language(self) -> str:
        return self.language_code

    @strawberry.field(description="The viewer's own notification preferences (null for anyone else).")
    async def notification_preferences(self, info: strawberry.Info) -> NotificationPreferences | None:
        found = await own_preferences(info, from_global_id(self.id)[1])
        return None if found is None else NotificationPreferences.of(found)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Member:
        return cls(
            id=strawberry.ID(to_global_id("Member", row["id"])),
            language_code=row.get("language") or "id",
            username=row["username"],
            display_name=row["display_name"],
            roles=[domain.Role(r) for r in row["roles"]],
            organization_id=row["organization_id"],
        )
