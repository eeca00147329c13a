"""GraphQL types of people: the Relay ``Node`` interface, ``Organization`` and ``Member``.

Near the leaves of the GraphQL room (it imports only :mod:`council.api.webhooks`, a leaf, for
``Organization.webhookEndpoints``), so every type module (proposals, programmes, the master plan) can
name a member without an import cycle.
"""

from __future__ import annotations

from typing import Any

import strawberry

from council import enums as domain
from council.api.enums import OrganizationKind, Role
from council.api.ids import from_global_id, to_global_id
from council.api.webhooks import WebhookEndpoint, organization_endpoints


@strawberry.interface(description="An object with a Relay global ID.")
class Node:
    id: strawberry.ID


@strawberry.type
class Organization(Node):
    code: str
    name: str
    kind: OrganizationKind

    @strawberry.field(
        description="The organisation's webhook endpoints (administrators only; an empty list for anyone else)."
    )
    async def webhook_endpoints(self, info: strawberry.Info) -> list[WebhookEndpoint]:
        _, pk = from_global_id(self.id, "Organization")
        return await organization_endpoints(info.context.principal, pk)

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
