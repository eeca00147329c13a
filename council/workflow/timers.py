"""Timer rows: scheduled on entering a state with a deadline, cancelled on leaving it, claimed once.

The proposal service calls :func:`schedule` and :func:`cancel_pending`
inside the transition's transaction; the scheduler
(:mod:`council.decisions.scheduler`) lists :func:`due` timers and fires each
one after :func:`claim` won it. All times are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from council.workflow.models import Timer, TimerKind

TIMER_FIELDS = (
    "id",
    "proposal_id",
    "kind",
    "state",
    "trigger",
    "ballot_id",
    "milestone_id",
    "assignment_id",
    "due_at",
    "fired_at",
    "cancelled_at",
)


async def schedule(
    proposal_id: int,
    kind: TimerKind,
    state: str,
    due_at: datetime,
    now: datetime,
    *,
    trigger: str | None = None,
    ballot_id: int | None = None,
    milestone_id: int | None = None,
    assignment_id: int | None = None,
) -> int:
    """Create a timer of the proposal in ``state`` due at ``due_at``; its id. Call inside the caller's transaction."""
    timer = await Timer.create(
        proposal_id=proposal_id,
        kind=kind,
        state=state,
        trigger=trigger,
        ballot_id=ballot_id,
        milestone_id=milestone_id,
        assignment_id=assignment_id,
        due_at=due_at,
        created_at=now,
    )
    return timer.id


async def cancel_pending(proposal_id: int, now: datetime) -> int:
    """Cancel the proposal's timers that have neither fired nor been cancelled; how many. Inside a transaction."""
    return await Timer.filter(proposal_id=proposal_id, fired_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now
    )


async def cancel_milestone(milestone_id: int, now: datetime) -> int:
    """Cancel the milestone's pending timers (:attr:`TimerKind.MILESTONE_LATE`); how many. Inside a transaction."""
    return await Timer.filter(milestone_id=milestone_id, fired_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now
    )


async def due(now: datetime, limit: int = 100) -> list[dict[str, Any]]:
    """Pending timers with ``due_at <= now``, earliest first, as plain rows (at most ``limit``). One statement."""
    return await (
        Timer.filter(due_at__lte=now, fired_at__isnull=True, cancelled_at__isnull=True)
        .order_by("due_at", "id")
        .limit(limit)
        .values(*TIMER_FIELDS)
    )


async def claim(timer_id: int, worker: str, now: datetime) -> bool:
    """Mark the timer fired by ``worker`` if it is still pending: True when this call won it.

    A compare-and-set (``UPDATE ... WHERE fired_at IS NULL AND cancelled_at
    IS NULL AND claimed_by IS NULL``), the same on SQLite and PostgreSQL.
    Call it inside the transaction that does the timer's work: if that rolls
    back, so does the claim, and the timer fires at a later tick.
    """
    won = await Timer.filter(
        id=timer_id, fired_at__isnull=True, cancelled_at__isnull=True, claimed_by__isnull=True
    ).update(fired_at=now, claimed_by=worker)
    return won == 1


async def record_outcome(timer_id: int, outcome: str) -> None:
    """Say what firing the timer did (``closed: approved``, ``extended``, ``escalated``, ``stale`` ...)."""
    await Timer.filter(id=timer_id).update(outcome=outcome[:255])


async def cancel_assignments(assignment_ids: list[int], now: datetime) -> int:
    """Cancel the pending reminders of these review assignments; how many. Inside a transaction."""
    return await Timer.filter(
        assignment_id__in=assignment_ids, fired_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now)
