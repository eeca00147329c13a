"""GraphQL types of people: the Relay ``Node`` interface, ``Organization`` and ``Member``.

Near the leaves of the GraphQL room (it imports only the leaves :mod:`council.api.webhooks`, for
``Organization.webhookEndpoints``, and :mod:`council.api.notifications`, for the viewer's preferences), so
every type module (proposals, programmes, the master plan) can name a member without an import cycle.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry

from council import enums as domain
from council.api.enums import OrganizationKind, Role
from council.api.ids import from_global_id, to_global_id
from council.api.notifications import NotificationPreferences, own_preferences
from council.api.webhooks import WebhookEndpoint, organization_endpoints

_TASKS = strawberry.lazy("council.api.tasks")
"""Where the task types live: :mod:`council.api.tasks` names proposals, which name members (no import here)."""

MEMBER_RESOLVERS: dict[str, Callable[..., Awaitable[Any]]] = {}
"""Resolvers of Member fields that live above this leaf module, registered by their module when it is imported
(``tasks``, ``taskCount``, ``taskCounts``: :mod:`council.api.tasks`, which the schema imports)."""


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
    language_code: strawberry.Private[str] = "id"

    @strawberry.field
    async def organization(self, info: strawberry.Info) -> Organization:
        return Organization.from_row(await info.context.loaders.organization.load(self.organization_id))

    @strawberry.field(
        description="The viewer's tasks (issue 15), by dueAt (null last) then createdAt; another member's: empty."
    )
    async def tasks(
        self, info: strawberry.Info, first: int | None = 20, after: str | None = None
    ) -> Annotated[TaskConnection, _TASKS]:  # type: ignore[name-defined]  # noqa: F821  # lazy
        return await MEMBER_RESOLVERS["tasks"](self, info, first, after)

    @strawberry.field(description="How many tasks the viewer has; 0 for another member.")
    async def task_count(self, info: strawberry.Info) -> int:
        return int(await MEMBER_RESOLVERS["task_count"](self, info))

    @strawberry.field(description="The viewer's tasks per kind, every kind (0 included); all 0 for another member.")
    async def task_counts(self, info: strawberry.Info) -> list[Annotated[TaskCount, _TASKS]]:  # type: ignore[name-defined]  # noqa: F821  # lazy
        return list(await MEMBER_RESOLVERS["task_counts"](self, info))

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
