"""The scheduler: fire due timers exactly once, however many processes run one.

Every ``council serve`` process runs :func:`running` in its lifespan and
``council worker`` runs it alone. Each tick lists the due timers and fires
each in its own transaction: lock the proposal row (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL: a proposal another process is working on is left for
the next tick; SQLite has one writer at a time anyway), claim the timer by
compare-and-set (:func:`council.workflow.timers.claim`), then act as the
system through the same path as a member's transition
(:func:`council.decisions.service.step`), so the audit chain records it; a
milestone's LATE timer marks it late
(:func:`council.implementation.milestones.mark_late`); a reminder records
and announces ``reminder`` (:mod:`council.decisions.reminders`); an SLA
escalation announces ``escalation`` with the roles the file says to ``notify``. A
crash before the commit undoes the claim too: the timer fires at a later tick.
The first tick runs at start, so a timer that fell due while nothing ran
fires then.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime
from typing import Any

from council import clock, metrics
from council.audit.chains import proposal_chain
from council.auth.principal import SYSTEM
from council.db import is_postgres
from council.decisions.reminders import review_reminder, vote_reminder
from council.decisions.service import count_transitions, schedule_vote_reminder, step
from council.enums import BallotResult
from council.errors import DomainError
from council.implementation.milestones import mark_late
from council.proposals.queries import locked_row, proposal_rows
from council.proposals.unit import ProposalWork
from council.unit_of_work import UnitOfWork, unit_of_work
from council.voting.ballots import extend_ballot, open_ballot_row, outcome
from council.voting.queries import live_tallies
from council.workflow import timers
from council.workflow.durations import format_duration
from council.workflow.models import TimerKind
from council.workflow.registry import get_registry

log = logging.getLogger("council.scheduler")

DEFAULT_INTERVAL = 5.0
"""Seconds between two ticks when the settings say nothing else."""
BATCH = 100
"""Timers fired per tick at most (the rest wait for the next tick)."""


def worker_name() -> str:
    """A name for this scheduler in ``Timer.claimed_by``: host, process id and a random tag."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


async def tick(worker: str, stop: asyncio.Event | None = None) -> list[str]:
    """Fire every timer due now (the clock); the outcomes of those this call fired.

    Timers another scheduler fired first, or whose proposal is busy, are
    left out (the busy ones come back at the next tick). Once ``stop`` is set,
    the timer in hand finishes and the others wait for the next scheduler.
    """
    fired = []
    for timer in await timers.due(clock.now(), BATCH):
        if stop is not None and stop.is_set():
            break
        result = await fire(timer, worker)
        if result is not None:
            fired.append(result)
    return fired


async def fire(timer: dict[str, Any], worker: str) -> str | None:
    """Fire one timer row (:data:`~council.workflow.timers.TIMER_FIELDS`) if this call wins it; its outcome.

    One unit of work as the system (:mod:`council.unit_of_work`): claim, act,
    record the outcome, commit, then publish. A refusal by the workflow (a
    guard of an SLA's trigger) is recorded as the outcome and the timer is
    done; any other error is logged and the timer fires at a later tick.
    """
    pid = timer["proposal_id"]
    try:
        async with unit_of_work(SYSTEM, proposal_chain(pid)) as work:
            if not await _claim(timer, worker, work.now):
                return None
            result = await _act(timer, work)
            await timers.record_outcome(timer["id"], result)
        count_transitions(work, "timer")
    except DomainError as exc:
        result = f"refused: {exc.code.value}: {exc.message('en')}"
        async with unit_of_work(SYSTEM, proposal_chain(pid)) as work:
            if not await timers.claim(timer["id"], worker, work.now):
                return None
            await timers.record_outcome(timer["id"], result)
        _count_fired(timer, work.now)
        log.warning("timer %s of proposal %s %s", timer["id"], pid, result)
        return result
    except Exception:
        log.exception("timer %s of proposal %s failed; it fires again at a later tick", timer["id"], pid)
        return None
    _count_fired(timer, work.now)
    log.info("timer %s (%s) of proposal %s: %s", timer["id"], timer["kind"], pid, result)
    return result


def _count_fired(timer: dict[str, Any], fired_at: datetime) -> None:
    """Count a committed firing and its lag (``fired_at - due_at``, seconds) in :mod:`council.metrics`."""
    kind = str(timer["kind"])
    metrics.TIMERS_FIRED.labels(kind=kind).inc()
    metrics.TIMER_LAG.labels(kind=kind).observe(max(0.0, (fired_at - timer["due_at"]).total_seconds()))


async def _claim(timer: dict[str, Any], worker: str, now: datetime) -> bool:
    """Lock the proposal and win the timer, in the caller's transaction; False when busy or already taken.

    PostgreSQL: the proposal row first (``SKIP LOCKED``), as every writer of
    a proposal locks it before its timers, so no two transactions wait on
    each other in opposite order. SQLite: the claim is the transaction's
    first statement, so it takes the database's write lock (waiting up to
    the busy timeout) on a fresh snapshot, never on a stale read.
    """
    if is_postgres():
        if await locked_row(timer["proposal_id"], skip_locked=True) is None:
            return False
    return await timers.claim(timer["id"], worker, now)


async def _act(timer: dict[str, Any], work: UnitOfWork) -> str:
    """Do what the timer is for, inside the claiming unit of work; what happened."""
    row = await proposal_rows([timer["proposal_id"]])
    if timer["proposal_id"] not in row or row[timer["proposal_id"]]["state"] != timer["state"]:
        return "stale: the proposal left the state"
    w = ProposalWork(work, row[timer["proposal_id"]], get_registry().engine_for(row[timer["proposal_id"]]))
    if str(timer["kind"]) == TimerKind.BALLOT_DEADLINE:
        return await _ballot_deadline(timer, w)
    if str(timer["kind"]) == TimerKind.MILESTONE_LATE:
        return await mark_late(w, timer)
    if str(timer["kind"]) == TimerKind.VOTE_REMINDER:
        return await vote_reminder(w, timer)
    if str(timer["kind"]) == TimerKind.REVIEW_REMINDER:
        return await review_reminder(w, timer)
    sla = w.definition.state(w.row["state"]).sla
    after = format_duration(sla.after) if sla else None
    if timer["trigger"]:
        spec = await step(w, timer["trigger"], f"SLA: more than {after} in {w.row['state']}")
        return f"fired {spec.trigger}: {spec.dest}"
    await w.record(
        "escalation",
        from_state=w.row["state"],
        data={
            "state": w.row["state"],
            "timer": timer["id"],
            "due_at": timer["due_at"].isoformat(),
            "after": after,
            "notify": list(sla.notify) if sla else [],
        },
    )
    w.announce("escalation", state=w.row["state"], notify=list(sla.notify) if sla else [])
    return "escalated"


async def _ballot_deadline(timer: dict[str, Any], w: ProposalWork) -> str:
    """Close the ballot by its deadline and move the proposal, or extend it once when it has no quorum."""
    ballot = await open_ballot_row(w.id)
    if ballot is None or ballot["id"] != timer["ballot_id"]:
        return "stale: the ballot is closed"
    yes, no, abstain = (await live_tallies([ballot["id"]]))[ballot["id"]]
    result = outcome(ballot, yes, no, abstain)
    if result == BallotResult.NO_QUORUM and ballot["on_no_quorum"] == "extend" and not ballot["extended"]:
        closes_at = await extend_ballot(ballot)
        if closes_at is not None:
            await timers.schedule(
                w.id,
                TimerKind.BALLOT_DEADLINE,
                w.row["state"],
                closes_at,
                w.now,
                trigger=timer["trigger"],
                ballot_id=ballot["id"],
            )
            vote = w.definition.state(w.row["state"]).vote
            if vote is not None:
                await schedule_vote_reminder(w.id, w.row["state"], vote, ballot["id"], closes_at, w.now)
            await w.record(
                "ballot_extended",
                data={
                    "ballot": ballot["id"],
                    "previous_closes_at": ballot["closes_at"].isoformat(),
                    "closes_at": closes_at.isoformat(),
                    "voted": yes + no + abstain,
                    "quorum_required": ballot["quorum_required"],
                },
            )
            w.announce("ballot_extended", ballot_id=ballot["id"])
            return "extended"
    spec = await step(w, timer["trigger"], by_deadline=True)
    return f"closed {result.value}: {spec.dest}"


class Scheduler:
    """A loop that ticks every ``interval`` seconds until ``stop`` is set (the first tick at once)."""

    def __init__(self, interval: float = DEFAULT_INTERVAL, worker: str | None = None) -> None:
        self.interval = interval
        self.worker = worker or worker_name()

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until ``stop`` is set; an error in a tick is logged and the loop goes on."""
        log.info("scheduler %s: firing due timers every %s s", self.worker, self.interval)
        while not stop.is_set():
            try:
                await tick(self.worker, stop)
            except Exception:
                log.exception("scheduler %s: tick failed", self.worker)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)


@asynccontextmanager
async def running(interval: float) -> AsyncIterator[Scheduler | None]:
    """Run a :class:`Scheduler` in the background while the context is open; none when ``interval <= 0``.

    On exit the loop is stopped after the timer in hand (:func:`tick`).
    """
    if interval <= 0:
        yield None
        return
    scheduler, stop = Scheduler(interval), asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop), name="council-scheduler")
    try:
        yield scheduler
    finally:
        stop.set()
        await task
