"""A milestone past its due date turns LATE by a database timer, exactly once (issue 13).

The clock is the test's (``ballots.FakeClock``) and the scheduler ticks when
the test says (``ballots.tick``), as in tests/test_deadlines.py. A
milestone due on day D turns late at the end of D in the city's time zone
(Pekanbaru: Asia/Jakarta, UTC+7), i.e. at D+1 00:00 WIB = D 17:00 UTC.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from ballots import FakeClock, tick
from paths import TECH_REVIEWER, Paths, ok
from test_milestones import COMPLETE, REOPEN, UPDATE, add, codes, view

from council import clock as council_clock
from council.api.ids import from_global_id
from council.audit.service import verify_chains
from council.events import broadcaster, proposal_channel
from council.workflow.models import Timer

CITY = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(council_clock, "now", fake.now)
    return fake


def today(clock: FakeClock) -> date:
    return clock.now().astimezone(CITY).date()


def end_of(day: date) -> datetime:
    """When a milestone due on ``day`` turns late: the next midnight in the city, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=CITY).astimezone(UTC)


def pk(gid: str) -> int:
    return from_global_id(gid)[1]


async def timers_of(mid: str) -> list[dict[str, Any]]:
    return (
        await Timer.filter(milestone_id=pk(mid))
        .order_by("id")
        .values("kind", "state", "due_at", "cancelled_at", "fired_at", "claimed_by", "outcome")
    )


async def new_milestone(p: Paths, pid: str, due: date, **fields: Any) -> str:
    return str(ok(await add(p, pid, dueOn=due.isoformat(), **fields))["milestone"]["id"])


async def status_of(p: Paths, pid: str, mid: str) -> str:
    return next(m["status"] for m in (await view(p, pid))["milestones"] if m["id"] == mid)


async def test_a_milestone_turns_late_at_the_end_of_its_due_day_once(p: Paths, clock: FakeClock) -> None:
    pid = await p.at("implementation")
    due = today(clock) + timedelta(days=2)
    mid = await new_milestone(p, pid, due, title="Pelatihan petugas")
    [timer] = await timers_of(mid)
    assert (timer["kind"], timer["state"], timer["due_at"]) == ("milestone_late", "implementation", end_of(due))
    assert end_of(due) == datetime.combine(due, time(17), tzinfo=UTC), "WIB is UTC+7"

    clock.to(end_of(due) - timedelta(seconds=1))
    assert await tick() == [], "still due today in Pekanbaru"
    assert await status_of(p, pid, mid) == "PLANNED"
    clock.to(end_of(due))
    async with broadcaster.subscribe(proposal_channel(pk(pid))) as queue:
        assert await tick() == [f"late: milestone {pk(mid)}"]
        message = await asyncio.wait_for(queue.get(), 5)
    assert (message["action"], message["milestone_id"]) == ("milestone_late", pk(mid))
    assert await tick() == [], "a timer fires once"

    now = await view(p, pid)
    assert next(m for m in now["milestones"] if m["id"] == mid)["status"] == "LATE"
    late = [e for e in now["history"] if e["action"] == "milestone_late"]
    assert len(late) == 1 and late[0]["actor"] == "system"
    assert late[0]["data"]["milestone"] == pk(mid) and late[0]["data"]["due_on"] == due.isoformat()
    [timer] = await timers_of(mid)
    assert timer["fired_at"] == end_of(due) and timer["outcome"] == f"late: milestone {pk(mid)}"

    refused = await p.mutate(UPDATE, "updateMilestone", {"milestoneId": mid, "status": "IN_PROGRESS"}, p.officer)
    assert codes(refused) == [("INVALID_INPUT", "status")], "late stays late while past due"
    done = ok(await p.mutate(COMPLETE, "completeMilestone", {"milestoneId": mid}, p.officer))
    assert done["milestone"]["status"] == "DONE" and done["milestone"]["doneOn"] == today(clock).isoformat()
    assert (await verify_chains())[2] == []


async def test_completion_cancels_and_a_new_due_date_re_arms(p: Paths, clock: FakeClock) -> None:
    pid = await p.at("implementation")
    first = await new_milestone(p, pid, today(clock) + timedelta(days=1))
    ok(await p.mutate(COMPLETE, "completeMilestone", {"milestoneId": first}, p.officer))
    assert [t["cancelled_at"] for t in await timers_of(first)] == [clock.now()]

    due = today(clock) + timedelta(days=3)
    later = due + timedelta(days=7)
    moved = await new_milestone(p, pid, due)
    ok(await p.mutate(UPDATE, "updateMilestone", {"milestoneId": moved, "dueOn": later.isoformat()}, p.officer))
    old, new = await timers_of(moved)
    assert old["cancelled_at"] == clock.now() and new["cancelled_at"] is None
    assert new["due_at"] == end_of(later)

    clock.to(end_of(due) + timedelta(days=1))
    assert await tick() == [], "the first milestone is done, the second's old timer cancelled"
    clock.to(end_of(later))
    assert await tick() == [f"late: milestone {pk(moved)}"]

    ahead = later + timedelta(days=30)
    payload = ok(
        await p.mutate(UPDATE, "updateMilestone", {"milestoneId": moved, "dueOn": ahead.isoformat()}, p.officer)
    )
    assert payload["milestone"]["status"] == "IN_PROGRESS", "a late milestone whose due date moves ahead is open again"
    assert [t["due_at"] for t in await timers_of(moved) if t["fired_at"] is None and t["cancelled_at"] is None] == [
        end_of(ahead)
    ]
    history = [e["action"] for e in (await view(p, pid))["history"]]
    assert history.count("milestone_late") == 1


async def test_reopening_re_arms_or_is_late_at_once(p: Paths, clock: FakeClock) -> None:
    pid = await p.at("implementation")
    due = today(clock) + timedelta(days=4)
    ahead = await new_milestone(p, pid, due, weight=1)
    past = await new_milestone(p, pid, today(clock) + timedelta(days=1), weight=1)
    for mid in (ahead, past):
        ok(await p.mutate(COMPLETE, "completeMilestone", {"milestoneId": mid}, p.officer))
    clock.advance(days=2)
    assert await tick() == [], "done milestones have no pending timer"

    for mid in (ahead, past):
        reopened = ok(
            await p.mutate(REOPEN, "reopenMilestone", {"milestoneId": mid, "reason": "Ulang."}, TECH_REVIEWER)
        )
    assert await status_of(p, pid, ahead) == "IN_PROGRESS"
    assert await status_of(p, pid, past) == "LATE", "reopened after its due date: late at once"
    assert reopened["proposal"]["progressPercent"] == 0
    assert [t["due_at"] for t in await timers_of(ahead) if t["cancelled_at"] is None] == [end_of(due)]
    assert all(t["cancelled_at"] is not None for t in await timers_of(past))

    clock.to(end_of(due))
    assert await tick() == [f"late: milestone {pk(ahead)}"]
    assert await status_of(p, pid, ahead) == "LATE"


async def test_racing_schedulers_mark_each_milestone_late_once(p: Paths, clock: FakeClock) -> None:
    pids = [await p.at("implementation") for _ in range(2)]
    due = today(clock)
    mids = [await new_milestone(p, pid, due, title=f"Tahap {i}") for pid in pids for i in range(2)]
    clock.to(end_of(due))

    results = await asyncio.gather(*(tick(f"scheduler-{i}") for i in range(4)))

    fired = sorted(o for r in results for o in r)
    assert fired == sorted(f"late: milestone {pk(m)}" for m in mids), results
    for pid in pids:
        history = (await view(p, pid))["history"]
        assert [e["action"] for e in history if e["actor"] == "system"] == ["milestone_late"] * 2
    claimed = await Timer.filter(kind="milestone_late", fired_at__isnull=False).values_list("claimed_by", flat=True)
    assert len(claimed) == 4 and set(claimed) <= {f"scheduler-{i}" for i in range(4)}
    assert await tick() == []
    assert (await verify_chains())[2] == []
