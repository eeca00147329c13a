"""The ``webhooks`` outbox consumer: turn domain events into signed deliveries for the endpoints that may see them.

From outbox events (:mod:`council.outbox.relay`) to event types:

- ``transition``: ``proposal.transitioned`` always; also ``proposal.submitted``
  when the trigger is ``submit``, ``ballot.opened`` when the new state holds a
  vote, ``ballot.closed`` when the state left held one (the workflow file of
  the proposal says which states do);
- ``assigned``: ``proposal.assigned``;
- ``reminder`` of kind ``review_reminder``: ``review.due``;
- every other action: nothing (yet).

Who receives what (a partner must never hear of a proposal its organisation
may not read, :mod:`council.auth.policy`):

- ``proposal.assigned`` and ``review.due`` go only to the endpoints of the
  assigned organisations and of the assigned members' organisations, each
  with only its own assignments: an assignee may read what it is asked to
  review;
- every other event goes to the endpoints of the proposal's owning
  organisation, and, once the proposal is public (``published_at`` set, which
  anyone may read: :attr:`~council.auth.policy.ReadGrant.PUBLISHED`), to every
  endpoint subscribed to the event. A university's members may read submitted
  proposals that are not public yet, but its system hears of them only when
  they are assigned to it or become public: the narrower rule.

Endpoints subscribe per event type; disabled ones receive nothing. One
delivery is queued per endpoint and event type, idempotent by its
``message_id`` (``msg_`` + a hash of outbox id, endpoint and type): the relay
may hand an event again after a crash and nothing is queued twice. The
payload (the Standard Webhooks shape): ``{"type", "timestamp" (the event's
time, ISO 8601 UTC), "data": {"proposal": {"id" (global ID), "title",
"state" (when queued)}, ...}}``, with ``transition``, ``ballot``,
``assignments`` or ``assignment`` as the type needs.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from council import clock
from council.organizations.models import Member
from council.outbox import relay
from council.outbox.relay import OutboxRecord
from council.proposals.queries import proposal_rows
from council.reviews.models import ReviewAssignment
from council.voting.models import Ballot
from council.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from council.workflow.registry import get_registry

NAME = "webhooks"
"""The consumer's cursor name (:class:`~council.outbox.models.OutboxCursor`)."""


def global_id(type_name: str, pk: int) -> str:
    """A Relay global ID as the API gives it (:func:`council.api.ids.to_global_id`, which sits above this layer)."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def message_id(outbox_id: int, endpoint_id: int, event_type: str) -> str:
    """The ``webhook-id`` of one event for one endpoint: ``msg_`` + 32 hex digits, the same however often queued."""
    return "msg_" + hashlib.sha256(f"{outbox_id}:{endpoint_id}:{event_type}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Planned:
    """One event type to send about one outbox event: to ``organizations`` only, or (None) to the readers."""

    event_type: str
    data: dict[str, Any]
    organizations: dict[int, dict[str, Any]] | None = None
    """Per recipient organisation, data of its own (its assignments); None: the proposal's readers."""


async def plan(event: OutboxRecord, proposal: dict[str, Any]) -> list[Planned]:
    """The webhook events an outbox event makes (module docstring), with their data beside the proposal's."""
    payload = event.payload
    if event.action == "transition":
        return await _transition(event, proposal)
    if event.action == "assigned":
        ids = [int(i) for i in payload.get("assignment_ids", [])]
        by_org = await _assignments_by_organization(ids)
        return [Planned("proposal.assigned", {"dueOn": payload.get("due_on")}, by_org)] if by_org else []
    if event.action == "reminder" and payload.get("kind") == "review_reminder":
        ids = [int(payload["assignment_id"])] if payload.get("assignment_id") else []
        by_org = await _assignments_by_organization(ids)
        for org in payload.get("organization_ids", []):
            by_org.setdefault(int(org), {"assignments": []})
        data = {"dueAt": payload.get("due_at")}
        return [Planned("review.due", data, by_org)] if by_org else []
    return []


async def _transition(event: OutboxRecord, proposal: dict[str, Any]) -> list[Planned]:
    payload = event.payload
    to_state, from_state = str(payload.get("to_state", "")), payload.get("from_state")
    data = {"transition": {"trigger": payload.get("trigger"), "fromState": from_state, "toState": to_state}}
    planned = [Planned("proposal.transitioned", data)]
    if payload.get("trigger") == "submit":
        planned.insert(0, Planned("proposal.submitted", data))
    try:
        states = get_registry().engine_for(proposal).definition.states
    except KeyError:
        states = {}
    ballots = Ballot.filter(proposal_id=event.subject_id)
    if to_state in states and states[to_state].vote is not None:
        opened = await ballots.order_by("-id").first().values("id", "opens_at", "closes_at")
        if opened is not None:
            ballot = {"id": global_id("Ballot", opened["id"]), "closesAt": _iso(opened["closes_at"])}
            planned.append(Planned("ballot.opened", data | {"ballot": ballot}))
    left_a_vote = from_state in states and states[str(from_state)].vote is not None
    closed = await (
        ballots.filter(closed_at__isnull=False)
        .order_by("-closed_at", "-id")
        .first()
        .values("id", "closed_at", "result")
    )
    if closed is not None and (left_a_vote or (from_state is None and closed["closed_at"] == event.created_at)):
        ballot = {
            "id": global_id("Ballot", closed["id"]),
            "result": closed["result"],
            "closedAt": _iso(closed["closed_at"]),
        }
        planned.append(Planned("ballot.closed", data | {"ballot": ballot}))
    return planned


async def _assignments_by_organization(ids: list[int]) -> dict[int, dict[str, Any]]:
    """``{organisation id: {"assignments": [...]}}``: each assigned organisation, or assignee's, with its own."""
    if not ids:
        return {}
    rows = await ReviewAssignment.filter(id__in=ids).values("id", "organization_id", "reviewer_id", "due_on", "round")
    reviewers = {r["reviewer_id"] for r in rows if r["reviewer_id"] is not None}
    members = {m["id"]: m for m in await Member.filter(id__in=reviewers).values("id", "username", "organization_id")}
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        member = members.get(row["reviewer_id"]) if row["reviewer_id"] is not None else None
        org = row["organization_id"] if row["organization_id"] is not None else (member or {}).get("organization_id")
        if org is None:
            continue
        item = {
            "id": global_id("ReviewAssignment", row["id"]),
            "dueOn": row["due_on"].isoformat() if row["due_on"] is not None else None,
            "round": row["round"],
            "reviewer": member["username"] if member else None,
        }
        found.setdefault(org, {"assignments": []})["assignments"].append(item)
    return found


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _wants(endpoint: dict[str, Any], event_type: str) -> bool:
    return event_type in (endpoint["events"] or [])


async def queue(events: list[OutboxRecord]) -> int:
    """Queue the deliveries of ``events`` (module docstring); how many new ones. Idempotent by ``message_id``."""
    events = [e for e in events if e.subject_kind == "proposal" and e.action in {"transition", "assigned", "reminder"}]
    if not events:
        return 0
    endpoints = await WebhookEndpoint.filter(disabled_at__isnull=True).values("id", "organization_id", "events")
    if not endpoints:
        return 0
    proposals = await proposal_rows(e.subject_id for e in events)
    now, new = clock.now(), []
    for event in events:
        proposal = proposals.get(event.subject_id)
        if proposal is None:
            continue
        about = {"id": global_id("Proposal", proposal["id"]), "title": proposal["title"], "state": proposal["state"]}
        for planned in await plan(event, proposal):
            for endpoint in endpoints:
                if not _wants(endpoint, planned.event_type):
                    continue
                if planned.organizations is None:
                    if endpoint["organization_id"] != proposal["organization_id"] and proposal["published_at"] is None:
                        continue
                    extra: dict[str, Any] = {}
                elif endpoint["organization_id"] in planned.organizations:
                    extra = planned.organizations[endpoint["organization_id"]]
                else:
                    continue
                body = {
                    "type": planned.event_type,
                    "timestamp": _iso(event.created_at),
                    "data": {"proposal": about} | planned.data | extra,
                }
                new.append((event.id, endpoint["id"], planned.event_type, body))
    return await _insert(new, now)


async def _insert(new: list[tuple[int, int, str, dict[str, Any]]], now: Any) -> int:
    """Create the deliveries whose message id is not queued yet (unique by endpoint, outbox event and type)."""
    if not new:
        return 0
    ids = {message_id(o, e, t) for o, e, t, _ in new}
    seen: set[str] = {
        str(m) for m in await WebhookDelivery.filter(message_id__in=list(ids)).values_list("message_id", flat=True)
    }
    rows = []
    for outbox_id, endpoint_id, event_type, body in new:
        mid = message_id(outbox_id, endpoint_id, event_type)
        if mid in seen:
            continue
        seen.add(mid)
        rows.append(
            WebhookDelivery(
                endpoint_id=endpoint_id,
                outbox_event_id=outbox_id,
                event_type=event_type,
                message_id=mid,
                payload=body,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    if rows:
        await WebhookDelivery.bulk_create(rows)
    return len(rows)


class WebhookConsumer:
    """The outbox consumer named ``webhooks``: :func:`queue` for each batch, inside the cursor's transaction."""

    name = NAME

    async def handle(self, events: list[OutboxRecord]) -> None:
        """Queue the deliveries of ``events``; raises (and the batch comes again) on a database error."""
        await queue(events)


def install() -> WebhookConsumer:
    """Register the ``webhooks`` consumer with the relay (the app's lifespan and ``council worker`` call it)."""
    consumer = WebhookConsumer()
    relay.register(consumer)
    return consumer
