"""Proposals: create, edit and move them through their workflow.

Every function takes the acting :class:`Principal` first and checks the
rights itself, so the CLI is as safe as the API. Each call is one database
transaction: permission, validation, compare-and-set on ``version``, effects
(ballots), audit event; all or nothing. Events are published after commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council import clock
from council.audit.chains import proposal_chain
from council.audit.service import append_event
from council.auth.policy import OPERATIONS, authorize, authorize_operation, can_read_proposal
from council.auth.principal import Principal
from council.enums import OrganizationKind
from council.errors import DomainError, ErrorCode, forbidden, invalid, not_found
from council.events import broadcaster, proposal_channel
from council.organizations.models import Organization
from council.proposals import rules
from council.proposals.models import Proposal
from council.proposals.queries import PROPOSAL_FIELDS, load_facts, lock
from council.voting import service as voting
from council.workflow import timers
from council.workflow.definition import TransitionSpec
from council.workflow.models import TimerKind
from council.workflow.registry import get_registry


def _conflict() -> DomainError:
    return DomainError(ErrorCode.CONFLICT, "conflict")


async def get_readable(actor: Principal, proposal_id: int) -> dict[str, Any]:
    """The proposal row if ``actor`` may read it.

    Raises:
        DomainError: NOT_FOUND when it does not exist or may not be read
            (existence is not revealed).
    """
    row = await Proposal.filter(id=proposal_id).first().values(*PROPOSAL_FIELDS)
    if row is None or not can_read_proposal(
        actor,
        organization_id=row["organization_id"],
        review_round=row["review_round"],
        published=row["published_at"] is not None,
    ):
        raise not_found("proposal", "proposalId")
    return row


async def create_proposal(actor: Principal, *, title: str, summary: str, pillar: object, budget: object) -> int:
    """Create a draft owned by the actor's organisation; return its id.

    ``budget`` is whole rupiah (int or digit string). The proposal starts in
    the default workflow's initial state, at that workflow's latest version.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (needs ``proposals:write`` and
            an OPD role in an OPD); INVALID_INPUT (title, summary, pillar,
            budget, or a title the organisation already uses).
    """
    authorize(actor, OPERATIONS["createProposal"])
    clean = {
        "title": rules.clean_title(title),
        "summary": rules.clean_summary(summary),
        "pillar": rules.clean_pillar(pillar),
        "budget": rules.clean_budget(budget),
    }
    org_kind = await Organization.filter(id=actor.organization_id).first().values_list("kind", flat=True)
    if org_kind is None or str(org_kind) != OrganizationKind.OPD:
        raise forbidden("missing_role", roles="opd_officer, opd_head (of an OPD)")
    workflow = get_registry().default()
    try:
        async with in_transaction():
            proposal = await Proposal.create(
                **clean,
                organization_id=actor.organization_id,
                author_id=actor.member_id,
                state=workflow.initial,
                workflow_name=workflow.name,
                workflow_version=workflow.version,
            )
            await lock(proposal.id)
            await append_event(proposal_chain(proposal.id), actor, "created", to_state=workflow.initial,
                               data={"budget": clean["budget"], "pillar": clean["pillar"].value})
    except IntegrityError:
        raise invalid("duplicate_title", "title", title=clean["title"]) from None
    await broadcaster.publish(proposal_channel(proposal.id), {"action": "created", "proposal_id": proposal.id})
    return proposal.id


async def update_proposal(actor: Principal, proposal_id: int, **changes: Any) -> None:
    """Edit a proposal's title, summary, pillar or budget (None = unchanged).

    Only in a state the workflow marks ``editable`` (``draft`` by default),
    only by an OPD officer or head of the owning organisation
    (:func:`council.auth.policy.operation_denial`, checked before the input).

    Raises:
        DomainError: NOT_FOUND, UNAUTHENTICATED, FORBIDDEN, INVALID_INPUT,
            INVALID_TRANSITION (state not editable), CONFLICT (changed meanwhile).
    """
    authorize(actor, OPERATIONS["updateProposal"])
    row = await get_readable(actor, proposal_id)
    definition = get_registry().engine_for(row).definition
    authorize_operation("updateProposal", actor, row["organization_id"], definition, row["state"])
    cleaners = {
        "title": rules.clean_title,
        "summary": rules.clean_summary,
        "pillar": rules.clean_pillar,
        "budget": rules.clean_budget,
    }
    updates = {k: cleaners[k](v) for k, v in changes.items() if v is not None}
    if not updates:
        return
    try:
        async with in_transaction():
            n = await Proposal.filter(id=proposal_id, version=row["version"]).update(
                **updates, version=row["version"] + 1, updated_at=clock.now()
            )
            if n != 1:
                raise _conflict()
            await lock(proposal_id)
            await append_event(proposal_chain(proposal_id), actor, "updated", data={
                k: (v.value if hasattr(v, "value") else v) for k, v in updates.items() if k != "summary"
            } | ({"summary": True} if "summary" in updates else {}))
    except IntegrityError:
        raise invalid("duplicate_title", "title", title=updates.get("title", "")) from None
    await broadcaster.publish(proposal_channel(proposal_id), {"action": "updated", "proposal_id": proposal_id})


async def transition(actor: Principal, proposal_id: int, trigger: str, comment: str = "") -> str:
    """Fire ``trigger`` on the proposal for ``actor``; return the new state.

    One atomic step (DESIGN.md): the row is locked at the version read, the
    engine checks role, scope, owner and guards on facts read under the lock,
    the state moves by compare-and-set, a ballot opens or closes and timers
    are scheduled or cancelled as the workflow file says, and an audit event
    is appended.

    Raises:
        DomainError: NOT_FOUND, INVALID_INPUT (unknown trigger, missing
            comment), INVALID_TRANSITION, UNAUTHENTICATED, FORBIDDEN,
            GUARD_FAILED, CONFLICT (another change won the race).
    """
    row = await get_readable(actor, proposal_id)
    comment = (comment or "").strip()
    if len(comment) > 10_000:
        raise invalid("too_long", "comment", max=10_000)
    async with in_transaction():
        await lock(proposal_id)
        locked = await Proposal.filter(id=proposal_id, version=row["version"]).first().values(*PROPOSAL_FIELDS)
        if locked is None:
            raise _conflict()
        spec = await step(actor, locked, trigger, comment)
    await publish_transition(proposal_id, trigger, spec.dest)
    return spec.dest


async def step(
    actor: Principal, row: dict[str, Any], trigger: str, comment: str = "", *, by_deadline: bool = False
) -> TransitionSpec:
    """Decide and apply ``trigger`` on a proposal row the caller locked in its open transaction.

    The shared core of :func:`transition` and of the timers (the scheduler
    acts as :data:`~council.auth.principal.SYSTEM`; ``by_deadline`` marks the
    close of a ballot by its deadline). The caller publishes after commit
    (:func:`publish_transition`).

    Raises:
        DomainError: as :meth:`~council.workflow.engine.WorkflowEngine.decide`; CONFLICT.
    """
    engine = get_registry().engine_for(row)
    now = clock.now()
    facts = await load_facts(row, now)
    spec = engine.decide(facts, actor, trigger, comment)
    await _apply(actor, row, spec, engine.definition.states, comment, now, by_deadline=by_deadline)
    return spec


async def publish_transition(proposal_id: int, trigger: str, to_state: str) -> None:
    """Tell subscribers that the proposal moved (after the commit)."""
    await broadcaster.publish(
        proposal_channel(proposal_id),
        {"action": "transition", "proposal_id": proposal_id, "trigger": trigger, "to_state": to_state},
    )


async def _apply(
    actor: Principal, row: dict[str, Any], spec: TransitionSpec, states: Any, comment: str, now: datetime,
    *, by_deadline: bool = False,
) -> None:
    source, dest = states[row["state"]], states[spec.dest]
    updates: dict[str, Any] = {"state": dest.name, "version": row["version"] + 1, "updated_at": now}
    review_round = row["review_round"]
    if dest.reviewable and not source.reviewable:
        review_round += 1
        updates["review_round"] = review_round
    if dest.public and row["published_at"] is None:
        updates["published_at"] = now
    n = await Proposal.filter(id=row["id"], version=row["version"]).update(**updates)
    if n != 1:
        raise _conflict()
    data: dict[str, Any] = {"version": updates["version"]}
    await timers.cancel_pending(row["id"], now)
    if source.vote is not None:
        data["ballot"] = await voting.close_ballot(actor, row, spec, now, by_deadline=by_deadline)
    if dest.vote is not None:
        ballot = await voting.open_ballot(row, dest.vote, review_round, now)
        data["ballot_opened"] = ballot.id
        if ballot.closes_at is not None:
            await timers.schedule(row["id"], TimerKind.BALLOT_DEADLINE, dest.name, ballot.closes_at, now,
                                  trigger=dest.vote.deadline_trigger, ballot_id=ballot.id)
    if dest.sla is not None:
        await timers.schedule(row["id"], TimerKind.SLA, dest.name, now + dest.sla.after, now,
                              trigger=dest.sla.trigger)
    await append_event(
        proposal_chain(row["id"]), actor, "transition", trigger=spec.trigger, from_state=source.name,
        to_state=dest.name, comment=comment, data=data, at=now,
    )
