"""Decisions: fire a workflow trigger on a proposal, with every effect the workflow file declares.

A member's trigger (:func:`transition`) and a timer's (the scheduler,
:mod:`council.decisions.scheduler`) take the same path, :func:`step`, inside
the write recipe (:func:`council.proposals.unit.proposal_work`): the engine
decides on facts read under the proposal's lock, the state moves, the review
round turns, a ballot opens or closes, timers are scheduled or cancelled,
and one audit event records it; all or nothing, published after the commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from council import metrics
from council.auth.principal import Principal
from council.decisions.queries import load_facts
from council.errors import invalid
from council.proposals.models import Proposal
from council.proposals.unit import ProposalWork, proposal_work
from council.unit_of_work import UnitOfWork
from council.voting import ballots
from council.workflow import timers
from council.workflow.definition import TransitionSpec, VoteRule
from council.workflow.models import TimerKind

COMMENT_MAX = 10_000
"""Characters a transition's comment may hold."""


async def transition(actor: Principal, proposal_id: int, trigger: str, comment: str = "") -> str:
    """Fire ``trigger`` on the proposal for ``actor``; return the new state.

    One atomic step (DESIGN.md): in the write recipe, the engine checks role,
    scope, owner and guards on facts read under the proposal's lock, then
    :func:`step` applies the transition.

    Raises:
        DomainError: NOT_FOUND, INVALID_INPUT (comment too long, unknown
            trigger, missing comment), INVALID_TRANSITION, UNAUTHENTICATED,
            FORBIDDEN, GUARD_FAILED.
    """
    async with proposal_work(actor, proposal_id) as w:
        comment = (comment or "").strip()
        if len(comment) > COMMENT_MAX:
            raise invalid("too_long", "comment", max=COMMENT_MAX)
        spec = await step(w, trigger, comment)
    count_transitions(w.work, "member")
    return spec.dest


def count_transitions(work: UnitOfWork, fired_by: str) -> None:
    """Count in ``council_transitions_fired_total`` the transitions ``work`` announced; call after its commit.

    ``fired_by`` is ``member`` or ``timer``; the trigger label is a trigger
    of a workflow file (the engine refuses any other), so the series stay few.
    """
    for message in work.announcements:
        if message["action"] == "transition":
            metrics.TRANSITIONS_FIRED.labels(trigger=message["trigger"], fired_by=fired_by).inc()


async def step(w: ProposalWork, trigger: str, comment: str = "", *, by_deadline: bool = False) -> TransitionSpec:
    """Decide and apply ``trigger`` on the proposal ``w`` holds locked; the transition that fired.

    The shared core of :func:`transition` and of the timers (the scheduler
    acts as :data:`~council.auth.principal.SYSTEM`; ``by_deadline`` marks the
    close of a ballot by its deadline). Announces ``transition`` (``trigger``,
    ``from_state``, ``to_state``) for after the commit.

    Raises:
        DomainError: as :meth:`~council.workflow.engine.WorkflowEngine.decide`.
    """
    from_state = w.row["state"]
    facts = await load_facts(w.row, w.now)
    spec = w.engine.decide(facts, w.actor, trigger, comment)
    await _apply(w, spec, comment, by_deadline=by_deadline)
    w.announce("transition", trigger=spec.trigger, from_state=from_state, to_state=spec.dest)
    return spec


async def _apply(w: ProposalWork, spec: TransitionSpec, comment: str, *, by_deadline: bool = False) -> None:
    """The effects of ``spec`` on the locked proposal, as the workflow file declares them, and the audit event."""
    row, now, states = w.row, w.now, w.definition.states
    source, dest = states[row["state"]], states[spec.dest]
    updates: dict[str, Any] = {"state": dest.name, "version": row["version"] + 1, "updated_at": now}
    review_round = row["review_round"]
    if dest.reviewable and not source.reviewable:
        review_round += 1
        updates["review_round"] = review_round
    if dest.public and row["published_at"] is None:
        updates["published_at"] = now
    if dest.progress and row["budget_approved"] is None:
        # Approved: entering a state of implementation (the ballot's close, or any other way the file gives)
        # freezes the budget as the approved one; updateProposal can no longer change what was approved.
        updates["budget_approved"] = row["budget"]
    await Proposal.filter(id=row["id"]).update(**updates)
    data: dict[str, Any] = {"version": updates["version"]}
    if "budget_approved" in updates:
        data["budget_approved"] = str(updates["budget_approved"])
    await timers.cancel_pending(row["id"], now)
    if source.vote is not None:
        data["ballot"] = await ballots.close_ballot(w.actor, row, spec, now, by_deadline=by_deadline)
    if dest.vote is not None:
        ballot = await ballots.open_ballot(row, dest.vote, review_round, now)
        data["ballot_opened"] = ballot.id
        if ballot.closes_at is not None:
            await timers.schedule(
                row["id"],
                TimerKind.BALLOT_DEADLINE,
                dest.name,
                ballot.closes_at,
                now,
                trigger=dest.vote.deadline_trigger,
                ballot_id=ballot.id,
            )
            await schedule_vote_reminder(row["id"], dest.name, dest.vote, ballot.id, ballot.closes_at, now)
    if dest.sla is not None:
        await timers.schedule(row["id"], TimerKind.SLA, dest.name, now + dest.sla.after, now, trigger=dest.sla.trigger)
    await w.record(
        "transition", trigger=spec.trigger, from_state=source.name, to_state=dest.name, comment=comment, data=data
    )


async def schedule_vote_reminder(
    proposal_id: int, state: str, rule: VoteRule, ballot_id: int, closes_at: datetime, now: datetime
) -> int | None:
    """Arm the ballot's ``vote_reminder`` at ``closes_at - rule.remind_before``; its id, None without one.

    Nothing when the vote declares no ``remind_before`` or that moment has
    passed. Called when the ballot opens and when its deadline extends it.
    """
    if rule.remind_before is None or closes_at - rule.remind_before <= now:
        return None
    return await timers.schedule(
        proposal_id, TimerKind.VOTE_REMINDER, state, closes_at - rule.remind_before, now, ballot_id=ballot_id
    )
