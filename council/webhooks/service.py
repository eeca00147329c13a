"""Webhook endpoints: create (the secret shown once), disable, list; the delivery log.

An administrator registers a partner system's URL for an organisation and
the events it wants (:data:`EVENT_TYPES`); the URL must pass the SSRF rule
(:func:`council.webhooks.urls.check_url`). The secret is a Standard Webhooks
secret, ``whsec_`` + base64 of 32 random bytes, returned once by
:func:`create_endpoint` and stored sealed with ``COUNCIL_KEYS_SECRET``
(:mod:`council.auth.sealing`), since Council needs it again to sign.

Writes run in the write recipe (:func:`council.unit_of_work.unit_of_work`):
one transaction, nothing half-applied. ``actor`` None is the operator at the
server's console (``council webhooks``), who needs no token; a member needs
the rules of :data:`council.auth.policy.OPERATIONS` (administrators only).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import Any

from council.auth.policy import OPERATIONS, authorize
from council.auth.principal import SYSTEM, Principal
from council.auth.sealing import sealer
from council.errors import DomainError, ErrorCode, invalid, not_found
from council.organizations.models import Organization
from council.unit_of_work import unit_of_work
from council.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from council.webhooks.urls import check_url

__all__ = ["EVENT_TYPES", "DeliveryStatus", "NewEndpoint", "create_endpoint", "deliveries", "disable_endpoint"]

EVENT_TYPES = (
    "proposal.submitted",
    "proposal.assigned",
    "review.due",
    "ballot.opened",
    "ballot.closed",
    "proposal.transitioned",
)
"""The event types an endpoint may subscribe to (issue 15 point 6); who receives each: :mod:`.consumer`."""
DESCRIPTION_MAX = 255
SECRET_BYTES = 32
"""Random bytes of a secret (the Standard Webhooks specification asks for 24 to 64)."""
ENDPOINT_FIELDS = (
    "id",
    "organization_id",
    "url",
    "events",
    "description",
    "created_by_id",
    "created_at",
    "failing_since",
    "disabled_at",
)
DELIVERY_FIELDS = (
    "id",
    "endpoint_id",
    "outbox_event_id",
    "event_type",
    "message_id",
    "status",
    "attempts",
    "next_attempt_at",
    "last_status_code",
    "last_error",
    "created_at",
    "delivered_at",
)


@dataclass(frozen=True)
class NewEndpoint:
    """A created endpoint: its row (:data:`ENDPOINT_FIELDS`) and its secret, which is never shown again."""

    endpoint: dict[str, Any]
    secret: str


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of :data:`SECRET_BYTES` random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def open_secret(sealed: str, endpoint_id: int) -> str:
    """The secret of an endpoint from its sealed column. Raises KeyStoreError with another keys secret."""
    return sealer().open(sealed, f"the secret of webhook endpoint {endpoint_id}").decode("ascii")


def clean_events(events: list[str]) -> list[str]:
    """The subscribed events, each once, in :data:`EVENT_TYPES` order.

    Raises:
        DomainError: INVALID_INPUT on ``events``: none given (``required``) or
            an unknown one (``webhook_event_unknown``).
    """
    wanted = [e.strip() for e in events]
    if not wanted:
        raise invalid("required", "events")
    for event in wanted:
        if event not in EVENT_TYPES:
            raise invalid("webhook_event_unknown", "events", value=event, known=", ".join(EVENT_TYPES))
    return [e for e in EVENT_TYPES if e in wanted]


async def create_endpoint(
    actor: Principal | None,
    *,
    organization_id: int | None = None,
    organization_code: str | None = None,
    url: str,
    events: list[str],
    description: str = "",
) -> NewEndpoint:
    """Register ``url`` for the organisation (by id, or by code for the CLI) and ``events``; the row and secret.

    Raises:
        DomainError: UNAUTHENTICATED / FORBIDDEN (not an administrator),
            NOT_FOUND (``organizationId``: no such organisation), INVALID_INPUT
            (``url``: :func:`~council.webhooks.urls.check_url`; ``events``:
            :func:`clean_events`; ``description`` too long).
    """
    if actor is not None:
        authorize(actor, OPERATIONS["createWebhookEndpoint"])
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise invalid("too_long", "description", max=DESCRIPTION_MAX)
    subscribed = clean_events(events)
    query = Organization.filter(id=organization_id) if organization_id is not None else None
    if query is None:
        query = Organization.filter(code=(organization_code or "").strip())
    organization = await query.first().values("id")
    if organization is None:
        raise not_found("organization", "organizationId")
    await check_url(url)
    secret = new_secret()
    async with unit_of_work(actor or SYSTEM, None) as work:
        row = await WebhookEndpoint.create(
            organization_id=organization["id"],
            url=url,
            events=subscribed,
            secret_sealed=sealer().seal(secret.encode("ascii")),
            description=description,
            created_by_id=actor.member_id if actor is not None else None,
            created_at=work.now,
        )
    return NewEndpoint({name: getattr(row, name) for name in ENDPOINT_FIELDS}, secret)


async def disable_endpoint(actor: Principal | None, endpoint_id: int) -> dict[str, Any]:
    """Disable an endpoint now (no more deliveries; pending ones fail); its row.

    Raises:
        DomainError: UNAUTHENTICATED / FORBIDDEN, NOT_FOUND (``endpointId``),
            CONFLICT (already disabled, ``webhook_endpoint_disabled``).
    """
    if actor is not None:
        authorize(actor, OPERATIONS["disableWebhookEndpoint"])
    async with unit_of_work(actor or SYSTEM, None) as work:
        row = await WebhookEndpoint.filter(id=endpoint_id).first()
        if row is None:
            raise not_found("webhook_endpoint", "endpointId")
        if row.disabled_at is not None:
            raise DomainError(ErrorCode.CONFLICT, "webhook_endpoint_disabled", field="endpointId")
        changed = await WebhookEndpoint.filter(id=endpoint_id, disabled_at__isnull=True).update(disabled_at=work.now)
        if not changed:
            raise DomainError(ErrorCode.CONFLICT, "webhook_endpoint_disabled", field="endpointId")
        await fail_pending(endpoint_id, "the endpoint is disabled")
    return (await endpoints(endpoint_ids=[endpoint_id]))[0]


async def fail_pending(endpoint_id: int, reason: str) -> int:
    """Mark the endpoint's pending deliveries failed with ``reason``, in the caller's transaction; how many."""
    return await WebhookDelivery.filter(endpoint_id=endpoint_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error=reason[:512]
    )


async def endpoints(
    *, organization_ids: list[int] | None = None, endpoint_ids: list[int] | None = None
) -> list[dict[str, Any]]:
    """Endpoint rows (:data:`ENDPOINT_FIELDS`, plus ``organization_code``) by id; filtered when asked. One statement."""
    query = WebhookEndpoint.all()
    if organization_ids is not None:
        query = query.filter(organization_id__in=organization_ids)
    if endpoint_ids is not None:
        query = query.filter(id__in=endpoint_ids)
    return list(await query.order_by("id").values(*ENDPOINT_FIELDS, organization_code="organization__code"))


async def deliveries(
    *, endpoint_ids: list[int] | None = None, limit: int = 50, newest_first: bool = True
) -> list[dict[str, Any]]:
    """The delivery log (:data:`DELIVERY_FIELDS`), newest first, of the endpoints named or all. One statement."""
    query = WebhookDelivery.all()
    if endpoint_ids is not None:
        query = query.filter(endpoint_id__in=endpoint_ids)
    order = "-id" if newest_first else "id"
    return list(await query.order_by(order).limit(limit).values(*DELIVERY_FIELDS))


async def rewrap_secrets() -> int:
    """Re-encrypt the endpoints' secrets with the first secret of ``COUNCIL_KEYS_SECRET`` (``council keys rewrap``).

    Returns:
        How many secrets were re-encrypted (those sealed with another secret).

    Raises:
        KeyStoreError: a secret opens with none of the keys secrets.
    """
    seal = sealer()
    count = 0
    for row in await WebhookEndpoint.all().values("id", "secret_sealed"):
        token = str(row["secret_sealed"])
        if seal.sealed_with_primary(token):
            continue
        plaintext = seal.open(token, f"the secret of webhook endpoint {row['id']}")
        count += await WebhookEndpoint.filter(id=row["id"], secret_sealed=token).update(
            secret_sealed=seal.seal(plaintext)
        )
    return count
