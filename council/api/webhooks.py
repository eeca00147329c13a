"""Webhooks in GraphQL (administrators): ``createWebhookEndpoint``, ``disableWebhookEndpoint`` and the types of
``Organization.webhookEndpoints`` (the field itself is on :class:`council.api.members.Organization`).

The secret is in ``createWebhookEndpoint``'s payload only: it is never readable again.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry

from council.api.errors import UserError
from council.api.ids import from_global_id, to_global_id
from council.api.mutations import mutation_recipe
from council.auth.policy import READ_WEBHOOK_ENDPOINTS, denial
from council.auth.principal import Principal
from council.webhooks import service

if TYPE_CHECKING:
    from council.webhooks.service import DeliveryStatus as WebhookDeliveryStatus
else:
    WebhookDeliveryStatus = strawberry.enum(
        service.DeliveryStatus,
        name="WebhookDeliveryStatus",
        description="PENDING (first try or a retry to come), DELIVERED (2xx) or FAILED (gave up after 24 hours).",
    )

DELIVERIES_MAX = 100


@strawberry.type(description="One event for one endpoint: its tries and the last answer.")
class WebhookDelivery:
    id: strawberry.ID
    event_type: str = strawberry.field(description="proposal.submitted, ballot.opened, ...")
    message_id: str = strawberry.field(description="The webhook-id header, the same on every retry.")
    status: WebhookDeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    next_attempt_at: datetime | None = strawberry.field(description="When the next try is due (pending only).")
    delivered_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> WebhookDelivery:
        pending = row["status"] == service.DeliveryStatus.PENDING
        return cls(
            id=strawberry.ID(to_global_id("WebhookDelivery", row["id"])),
            event_type=row["event_type"],
            message_id=row["message_id"],
            status=service.DeliveryStatus(row["status"]),
            attempts=row["attempts"],
            last_status_code=row["last_status_code"],
            last_error=row["last_error"] or "",
            created_at=row["created_at"],
            next_attempt_at=row["next_attempt_at"] if pending else None,
            delivered_at=row["delivered_at"],
        )


@strawberry.type(description="A partner system's URL receiving the events it subscribed to (administrators only).")
class WebhookEndpoint:
    id: strawberry.ID
    url: str
    events: list[str]
    description: str
    created_at: datetime
    disabled_at: datetime | None = strawberry.field(description="Set by an administrator or after 24 h of failure.")
    failing_since: datetime | None = strawberry.field(description="Since when every delivery has failed, or null.")
    pk: strawberry.Private[int]

    @strawberry.field(description="The delivery log, newest first.")
    async def deliveries(self, first: int = 20) -> list[WebhookDelivery]:
        rows = await service.deliveries(endpoint_ids=[self.pk], limit=max(0, min(first, DELIVERIES_MAX)))
        return [WebhookDelivery.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(to_global_id("WebhookEndpoint", row["id"])),
            url=row["url"],
            events=list(row["events"] or []),
            description=row["description"],
            created_at=row["created_at"],
            disabled_at=row["disabled_at"],
            failing_since=row["failing_since"],
            pk=row["id"],
        )


async def organization_endpoints(principal: Principal, organization_id: int) -> list[WebhookEndpoint]:
    """The organisation's endpoints for an administrator; an empty list for anyone else."""
    if denial(principal, READ_WEBHOOK_ENDPOINTS) is not None:
        return []
    return [WebhookEndpoint.from_row(r) for r in await service.endpoints(organization_ids=[organization_id])]


@strawberry.input
class CreateWebhookEndpointInput:
    organization_id: strawberry.ID
    url: str
    events: list[str] = strawberry.field(description="Event types: " + ", ".join(service.EVENT_TYPES) + ".")
    description: str | None = None


@strawberry.type
class CreateWebhookEndpointPayload:
    errors: list[UserError] = strawberry.field(default_factory=list)
    endpoint: WebhookEndpoint | None = None
    secret: str | None = strawberry.field(
        default=None, description="The signing secret (whsec_...), shown in this answer only."
    )


@strawberry.input
class DisableWebhookEndpointInput:
    endpoint_id: strawberry.ID


@strawberry.type
class DisableWebhookEndpointPayload:
    errors: list[UserError] = strawberry.field(default_factory=list)
    endpoint: WebhookEndpoint | None = None


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Register a partner system's endpoint for an organisation (administrators).")
    @mutation_recipe(CreateWebhookEndpointPayload)
    async def create_webhook_endpoint(
        self, info: strawberry.Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointPayload:
        _, organization_id = from_global_id(input.organization_id, "Organization", "organizationId")
        new = await service.create_endpoint(
            info.context.principal,
            organization_id=organization_id,
            url=input.url,
            events=input.events,
            description=input.description or "",
        )
        return CreateWebhookEndpointPayload(endpoint=WebhookEndpoint.from_row(new.endpoint), secret=new.secret)

    @strawberry.mutation(description="Stop sending to an endpoint; its pending deliveries fail (administrators).")
    @mutation_recipe(DisableWebhookEndpointPayload)
    async def disable_webhook_endpoint(
        self, info: strawberry.Info, input: DisableWebhookEndpointInput
    ) -> DisableWebhookEndpointPayload:
        _, endpoint_id = from_global_id(input.endpoint_id, "WebhookEndpoint", "endpointId")
        row = await service.disable_endpoint(info.context.principal, endpoint_id)
        return DisableWebhookEndpointPayload(endpoint=WebhookEndpoint.from_row(row))
