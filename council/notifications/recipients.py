"""Who is told what: from one outbox event to the notices it makes, recipients read from the database.

The event vocabulary is the issue 15 contract's (``council.unit_of_work``
announcements of the proposal chain). Recipients are computed when the event
is handled, not when it was written, so a member who voted in between is not
reminded, and a member who joined the owning OPD since is told of its decision:

- ``transition`` into a state with a vote: ``ballot_opened`` to the ballot's
  electorate (:attr:`council.voting.models.Ballot.electorate`) less those who
  voted already;
- ``transition`` out of a state with a vote (the ballot closed, not
  cancelled): ``proposal_decided`` to the owning organisation's members;
- ``transition`` by ``request_revision``: ``revision_requested`` to the owning
  organisation's members;
- ``assigned`` (``assignment_ids``, ``due_on``): ``review_assigned`` to each
  assignment's reviewer, and to the university reviewers of an assigned
  organisation;
- ``reminder`` (``kind``, ``member_ids``, ``organization_ids``, ``due_at``):
  ``vote_reminder`` / ``review_reminder`` to those members (less those who
  voted since, for a vote) and the university reviewers of those organisations;
- ``escalation`` with ``notify`` (roles): ``escalation`` to the active holders
  of those roles.

Whether a recipient gets an e-mail (active, with an address, the kind not
turned off) is the consumer's part (:mod:`council.notifications.consumer`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from council.enums import AssignmentStatus, BallotResult, Role
from council.notifications.models import NotificationKind
from council.organizations.models import Member
from council.outbox.relay import OutboxRecord
from council.reviews.models import ReviewAssignment
from council.voting.models import Ballot, Vote
from council.workflow.registry import get_registry

REVISION_TRIGGER = "request_revision"
"""The trigger that sends a proposal back to its OPD (the shipped workflows' name)."""


@dataclass
class Notice:
    """One kind of message about one proposal to a set of members; ``facts`` fill the templates."""

    kind: NotificationKind
    proposal_id: int
    member_ids: set[int]
    facts: dict[str, Any] = field(default_factory=dict)


async def notices(event: OutboxRecord, proposal: dict[str, Any]) -> list[Notice]:
    """The notices ``event`` (of the proposal chain) makes; ``proposal`` is its row.

    ``proposal`` holds ``id``, ``title``, ``state``, ``organization_id``,
    ``workflow_name``, ``workflow_version``. Facts hold texts per language
    where they need one (``state`` as ``{"id": ..., "en": ...}``); ``due_at``
    is a UTC datetime or a date (None without one).
    """
    payload, pid = event.payload, proposal["id"]
    if event.action == "transition":
        return await _transition(event, proposal)
    if event.action == "assigned":
        return await _assigned(payload, pid)
    if event.action == "reminder":
        return await _reminder(payload, pid)
    if event.action == "escalation" and payload.get("notify"):
        state = _state_label(proposal, str(payload.get("state") or proposal["state"]))
        holders = await holders_of(str(r) for r in payload["notify"])
        return [Notice(NotificationKind.ESCALATION, pid, holders, {"state": state})]
    return []


async def _transition(event: OutboxRecord, proposal: dict[str, Any]) -> list[Notice]:
    payload, pid = event.payload, proposal["id"]
    try:
        definition = get_registry().engine_for(proposal).definition
    except KeyError:  # its workflow file is gone: nothing to say rather than a batch that never passes
        return []
    found: list[Notice] = []
    to_state = str(payload.get("to_state") or "")
    target = definition.states.get(to_state)
    from_state = payload.get("from_state")
    source = definition.states.get(str(from_state)) if from_state else None
    closed = await _closed_ballot(pid, event.created_at, source is not None and source.vote is not None, from_state)
    if closed is not None and closed["result"] in {
        BallotResult.APPROVED,
        BallotResult.REJECTED,
        BallotResult.NO_QUORUM,
    }:
        found.append(
            Notice(
                NotificationKind.PROPOSAL_DECIDED,
                pid,
                await organization_members(proposal["organization_id"]),
                {"result": str(closed["result"]), "state": _state_label(proposal, to_state)},
            )
        )
    if target is not None and target.vote is not None:
        ballot = await Ballot.filter(proposal_id=pid, opens_at__lte=event.created_at).order_by("-round").first()
        if ballot is not None and ballot.closed_at is None:
            voted = set(await Vote.filter(ballot_id=ballot.id).values_list("member_id", flat=True))
            due = ballot.closes_at
            found.append(
                Notice(NotificationKind.BALLOT_OPENED, pid, set(ballot.electorate or ()) - voted, {"due_at": due})
            )
    if payload.get("trigger") == REVISION_TRIGGER:
        members = await organization_members(proposal["organization_id"])
        found.append(Notice(NotificationKind.REVISION_REQUESTED, pid, members, {"comment": payload.get("comment")}))
    return found


async def _closed_ballot(
    proposal_id: int, at: datetime, left_a_vote: bool, from_state: object
) -> dict[str, Any] | None:
    """The ballot this transition closed: the proposal's last closed one, if ``from_state`` had a vote.

    An event without ``from_state`` (written before the contract added it)
    is read by the ballot's ``closed_at``, which the transition set to its time.
    """
    if from_state is not None and not left_a_vote:
        return None
    query = Ballot.filter(proposal_id=proposal_id, closed_at__isnull=False, closed_at__lte=at)
    if from_state is None:
        query = query.filter(closed_at=at)
    return await query.order_by("-round").first().values("id", "result")


async def _assigned(payload: dict[str, Any], pid: int) -> list[Notice]:
    ids = [int(i) for i in payload.get("assignment_ids") or ()]
    rows = await ReviewAssignment.filter(id__in=ids, status=AssignmentStatus.PENDING).values(
        "reviewer_id", "organization_id"
    )
    members = {r["reviewer_id"] for r in rows if r["reviewer_id"] is not None}
    members |= await reviewers_of(r["organization_id"] for r in rows if r["organization_id"] is not None)
    due = _day(payload.get("due_on"))
    return [Notice(NotificationKind.REVIEW_ASSIGNED, pid, members, {"due_at": due})]


async def _reminder(payload: dict[str, Any], pid: int) -> list[Notice]:
    try:
        kind = NotificationKind(str(payload.get("kind")))
    except ValueError:
        return []
    if kind not in {NotificationKind.VOTE_REMINDER, NotificationKind.REVIEW_REMINDER}:
        return []
    members = {int(m) for m in payload.get("member_ids") or ()}
    members |= await reviewers_of(int(o) for o in payload.get("organization_ids") or ())
    if kind == NotificationKind.VOTE_REMINDER and payload.get("ballot_id"):
        ballot = await Ballot.filter(id=int(payload["ballot_id"])).first().values("closed_at")
        if ballot is None or ballot["closed_at"] is not None:
            return []
        members -= set(await Vote.filter(ballot_id=int(payload["ballot_id"])).values_list("member_id", flat=True))
    if kind == NotificationKind.REVIEW_REMINDER and payload.get("assignment_id"):
        status = (
            await ReviewAssignment.filter(id=int(payload["assignment_id"])).first().values_list("status", flat=True)
        )
        if status is not None and str(status) != AssignmentStatus.PENDING:
            return []
    due_at = payload.get("due_at")
    due = datetime.fromisoformat(str(due_at)) if due_at else None
    return [Notice(kind, pid, members, {"due_at": due})]


async def organization_members(organization_id: int) -> set[int]:
    """Ids of the active members of the organisation."""
    ids = await Member.filter(organization_id=organization_id, is_active=True).values_list("id", flat=True)
    return set(cast("list[int]", ids))


async def holders_of(roles: Iterable[str]) -> set[int]:
    """Ids of the active members holding any of ``roles``."""
    wanted = set(roles)
    rows = await Member.filter(is_active=True).values_list("id", "roles")
    return {m for m, held in rows if wanted & set(held or ())}


async def reviewers_of(organization_ids: Iterable[int]) -> set[int]:
    """Ids of the active university reviewers of the organisations."""
    ids = sorted(set(organization_ids))
    if not ids:
        return set()
    rows = await Member.filter(organization_id__in=ids, is_active=True).values_list("id", "roles")
    return {m for m, held in rows if Role.UNIVERSITY_REVIEWER.value in (held or ())}


def _state_label(proposal: dict[str, Any], state: str) -> dict[str, str]:
    try:
        spec = get_registry().engine_for(proposal).definition.states.get(state)
    except KeyError:
        spec = None
    labels = dict(spec.label) if spec is not None else {}
    return {lang: labels.get(lang) or labels.get("en") or state for lang in ("id", "en")}


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
