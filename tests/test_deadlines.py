"""Deadlines that fire by themselves: ballot windows, the one extension, SLA escalations, exactly once.

The clock is the test's (``ballots.FakeClock`` in place of ``council.clock.now``)
and the scheduler ticks when the test says (``ballots.tick``; the test app's
own loop is off, ``COUNCIL_SCHEDULER_INTERVAL=0``). Proposals belong to
``paths.OWNER_ORG`` (7 seats, quorum 4) and run on the rules of quick-win
version 1 (:func:`without_reminders`): ``window: P7D``, ``on_no_quorum: extend``, technical review
``sla: {after: P14D, escalate: true}``. The last tests run real
``council worker`` and ``council serve`` processes on the test database,
with the real clock, for timers that fell due while nothing ran.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from ballots import FakeClock, tick, workflow_variant
from paths import OWNER_ORG, Paths, representative, voters

from council import clock as council_clock
from council.api.ids import from_global_id
from council.audit.service import verify_chains
from council.voting.models import Ballot
from council.workflow.models import Timer

VOTERS = voters(OWNER_ORG)
CHAIR = representative("council_chair")
WEEK = timedelta(days=7)
COUNCIL = str(Path(sys.executable).with_name("council"))
ONE = """query($id: ID!) { proposal(id: $id) {
  state availableTransitions
  ballot { closed result extended closesAt closedAt closedByDeadline closedBy { username } eligibleCount quorum
           votesCast tally { yes no abstain } }
  history { action actor trigger fromState toState data }
} }"""


@pytest.fixture(autouse=True)
def without_reminders(tmp_path: Path) -> Iterator[None]:
    """Version 1's rules as the default workflow (a copy numbered 2): no reminder timers among the deadlines.

    The reminders and assignments the shipped version 2 adds are tests/test_reminders.py's.
    """
    with workflow_variant(tmp_path / "plain"):
        yield


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(council_clock, "now", fake.now)
    return fake


async def view(p: Paths, pid: str) -> dict[str, Any]:
    return (await p.call(ONE, {"id": pid}, p.officer))["proposal"]


def pk(pid: str) -> int:
    return from_global_id(pid, "Proposal")[1]


async def timers_of(pid: str) -> list[dict[str, Any]]:
    return (
        await Timer.filter(proposal_id=pk(pid))
        .order_by("id")
        .values("kind", "state", "trigger", "due_at", "cancelled_at", "fired_at", "claimed_by", "outcome")
    )


async def cast(p: Paths, pid: str, choices: list[str]) -> None:
    for voter, choice in zip(VOTERS, choices, strict=False):
        await p.vote(pid, voter, choice)


# --- the ballot window ----------------------------------------------------------------------


async def test_the_ballot_closes_on_time_and_the_proposal_moves_on(p: Paths, clock: FakeClock) -> None:
    pid = await p.at("quick_win_approval")
    opened = clock.now()
    ballot = (await view(p, pid))["ballot"]
    assert ballot["closesAt"] == (opened + WEEK).isoformat()
    [timer] = [t for t in await timers_of(pid) if t["kind"] == "ballot_deadline"]
    assert (timer["due_at"], timer["trigger"], timer["state"]) == (opened + WEEK, "close_vote", "quick_win_approval")
    await cast(p, pid, ["YES", "YES", "NO", "YES"])

    clock.advance(days=7, seconds=-1)
    assert await tick() == []
    await p.vote(pid, VOTERS[4], "YES")  # one second before the deadline: still open
    clock.advance(seconds=1)
    refused = await p.call(
        "mutation($i: CastVoteInput!) { castVote(input: $i) { errors { code } } }",
        {"i": {"proposalId": pid, "choice": "NO"}},
        VOTERS[5],
    )
    assert refused["castVote"]["errors"] == [{"code": "VOTING_CLOSED"}], "no vote from the deadline on"

    assert await tick() == ["closed approved: implementation"]

    after = await view(p, pid)
    assert after["state"] == "implementation"
    b = after["ballot"]
    assert (b["closed"], b["result"], b["closedByDeadline"], b["closedBy"]) == (True, "APPROVED", True, None)
    assert b["closedAt"] == (opened + WEEK).isoformat()
    assert b["tally"] == {"yes": 4, "no": 1, "abstain": 0}
    last = after["history"][-1]
    assert (last["action"], last["actor"], last["trigger"], last["fromState"], last["toState"]) == (
        "transition",
        "system",
        "close_vote",
        "quick_win_approval",
        "implementation",
    )
    assert last["data"]["ballot"]["closed_by"] == "deadline"
    [timer] = [t for t in await timers_of(pid) if t["kind"] == "ballot_deadline"]
    assert timer["fired_at"] == opened + WEEK and timer["claimed_by"] == "test-scheduler"
    assert await tick() == [], "a timer fires once"
    assert (await verify_chains())[2] == []


async def test_quorum_without_majority_is_rejected_at_the_deadline(p: Paths, clock: FakeClock) -> None:
    pid = await p.at("quick_win_approval")
    await cast(p, pid, ["YES", "NO", "NO", "ABSTAIN"])
    clock.advance(days=7)
    assert await tick() == ["closed rejected: rejected"]
    b = (await view(p, pid))["ballot"]
    assert (b["result"], b["closedByDeadline"], b["tally"]) == ("REJECTED", True, {"yes": 1, "no": 2, "abstain": 1})


async def test_without_quorum_the_ballot_is_extended_once_then_rejected(p: Paths, clock: FakeClock) -> None:
    pid = await p.at("quick_win_approval")
    opened = clock.now()
    await cast(p, pid, ["YES", "YES"])

    clock.advance(days=7)
    assert await tick() == ["extended"]

    mid = await view(p, pid)
    assert mid["state"] == "quick_win_approval"
    assert (mid["ballot"]["closed"], mid["ballot"]["extended"]) == (False, True)
    assert mid["ballot"]["closesAt"] == (opened + 2 * WEEK).isoformat()
    event = mid["history"][-1]
    assert (event["action"], event["actor"]) == ("ballot_extended", "system")
    assert event["data"]["closes_at"] == (opened + 2 * WEEK).isoformat() and event["data"]["voted"] == 2
    assert "close_vote" not in mid["availableTransitions"]
    await p.vote(pid, VOTERS[2], "YES")  # the extension takes votes; still one short of the quorum

    clock.advance(days=7)
    assert await tick() == ["closed no_quorum: rejected"]

    after = await view(p, pid)
    assert after["state"] == "rejected"
    b = after["ballot"]
    assert (b["result"], b["closedByDeadline"], b["votesCast"], b["quorum"]) == ("NO_QUORUM", True, 3, 4)
    assert [t["outcome"] for t in await timers_of(pid) if t["kind"] == "ballot_deadline"] == [
        "extended",
        "closed no_quorum: rejected",
    ]
    assert await tick() == []


async def test_a_quorum_reached_in_the_extension_decides(p: Paths, clock: FakeClock) -> None:
    pid = await p.at("quick_win_approval")
    await cast(p, pid, ["YES"])
    clock.advance(days=7)
    assert await tick() == ["extended"]
    await cast(p, pid, ["YES", "YES", "YES", "NO"])
    clock.advance(days=3)
    assert await tick() == []
    clock.advance(days=4)
    assert await tick() == ["closed approved: implementation"]
    assert (await view(p, pid))["ballot"]["result"] == "APPROVED"


async def test_the_chair_may_close_after_the_last_deadline_before_the_scheduler_does(
    p: Paths, clock: FakeClock
) -> None:
    pid = await p.at("quick_win_approval")
    clock.advance(days=7)
    assert await tick() == ["extended"]
    clock.advance(days=7)
    offered = await p.call("query($id: ID!) { proposal(id: $id) { availableTransitions } }", {"id": pid}, CHAIR)
    assert offered["proposal"]["availableTransitions"] == ["close_vote"]
    moved = await p.transition(pid, "close_vote", CHAIR)
    assert moved["errors"] == [] and moved["proposal"]["state"] == "rejected"
    b = (await view(p, pid))["ballot"]
    assert (b["result"], b["closedByDeadline"], b["closedBy"]) == ("NO_QUORUM", False, {"username": CHAIR})
    assert await tick() == [], "leaving the state cancelled the timer"


async def test_on_no_quorum_reject_rejects_at_the_first_deadline(p: Paths, clock: FakeClock, tmp_path: Path) -> None:
    with workflow_variant(tmp_path / "wf", vote={"window": "PT36H", "on_no_quorum": "reject"}):
        p = Paths(p.gql, p.token)
        pid = await p.at("quick_win_approval")
        await cast(p, pid, ["YES", "YES", "YES"])
        clock.advance(hours=36)
        assert await tick() == ["closed no_quorum: rejected"]
        b = (await view(p, pid))["ballot"]
        assert (b["result"], b["extended"]) == ("NO_QUORUM", False)


async def test_leaving_the_state_cancels_its_timers(p: Paths, clock: FakeClock) -> None:
    closed = await p.at("quick_win_approval")
    await cast(p, closed, ["YES", "YES", "YES", "YES"])
    assert (await p.transition(closed, "close_vote", CHAIR))["errors"] == []
    withdrawn = await p.at("quick_win_approval")
    assert (await p.transition(withdrawn, "withdraw", p.officer))["errors"] == []
    for pid in (closed, withdrawn):
        deadline = [t for t in await timers_of(pid) if t["kind"] == "ballot_deadline"]
        assert [(t["cancelled_at"] is not None, t["fired_at"]) for t in deadline] == [(True, None)]

    clock.advance(days=30)

    assert await tick() == []
    assert (await view(p, withdrawn))["ballot"]["result"] == "CANCELLED"


# --- SLA ------------------------------------------------------------------------------------


async def test_a_review_longer_than_its_sla_is_escalated_without_changing_state(p: Paths, clock: FakeClock) -> None:
    pid = await p.at("technical_review")
    entered = clock.now()
    [sla] = await timers_of(pid)
    assert (sla["kind"], sla["state"], sla["due_at"], sla["trigger"]) == (
        "sla",
        "technical_review",
        entered + 2 * WEEK,
        None,
    )
    clock.advance(days=13)
    assert await tick() == []
    clock.advance(days=1)

    assert await tick() == ["escalated"]

    after = await view(p, pid)
    assert after["state"] == "technical_review"
    event = after["history"][-1]
    assert (event["action"], event["actor"], event["fromState"], event["toState"]) == (
        "escalation",
        "system",
        "technical_review",
        None,
    )
    assert event["data"]["after"] == "P14D" and event["data"]["state"] == "technical_review"
    clock.advance(days=30)
    assert await tick() == []
    # sent back and resubmitted: a new review, a new SLA timer
    assert (await p.transition(pid, "request_revision", "tim.teknis1", "Lengkapi."))["errors"] == []
    assert (await p.transition(pid, "submit", p.officer))["errors"] == []
    assert [t["kind"] for t in await timers_of(pid) if t["fired_at"] is None and t["cancelled_at"] is None] == ["sla"]


async def test_an_sla_left_in_time_never_fires(p: Paths, clock: FakeClock) -> None:
    pid = await p.at("technical_review")
    clock.advance(days=10)
    await p.drive(pid, "quick_win_approval")
    clock.advance(days=5)  # 15 days after entering review; 5 into the 7-day ballot
    assert await tick() == []
    assert "escalation" not in [e["action"] for e in (await view(p, pid))["history"]]


async def test_an_sla_may_fire_a_trigger_as_the_system(p: Paths, clock: FakeClock, tmp_path: Path) -> None:
    with workflow_variant(tmp_path / "wf", sla={"after": "P30D", "trigger": "request_revision"}):
        p = Paths(p.gql, p.token)
        pid = await p.at("technical_review")
        clock.advance(days=30)
        assert await tick() == ["fired request_revision: draft"]
        last = (await view(p, pid))["history"][-1]
        assert (last["actor"], last["trigger"], last["toState"]) == ("system", "request_revision", "draft")
        assert (await p.call("query($id: ID!) { proposal(id: $id) { history { comment } } }", {"id": pid}, p.officer))[
            "proposal"
        ]["history"][-1]["comment"] == "SLA: more than P30D in technical_review"


# --- exactly once ---------------------------------------------------------------------------


async def test_racing_schedulers_fire_each_timer_once(p: Paths, clock: FakeClock) -> None:
    pids = [await p.at("quick_win_approval") for _ in range(3)]
    await cast(p, pids[0], ["YES"] * 4)
    await cast(p, pids[1], ["NO"] * 4)
    review = await p.at("technical_review")
    clock.advance(days=15)

    results = await asyncio.gather(*(tick(f"scheduler-{i}") for i in range(4)))

    fired = sorted(o for r in results for o in r)
    assert fired == ["closed approved: implementation", "closed rejected: rejected", "escalated", "extended"], results
    for pid in [*pids, review]:
        history = (await view(p, pid))["history"]
        system = [e["action"] for e in history if e["actor"] == "system"]
        assert len(system) == 1, (pid, system)
    claimed = await Timer.filter(fired_at__isnull=False).values_list("claimed_by", flat=True)
    assert len(claimed) == 4 and set(claimed) <= {f"scheduler-{i}" for i in range(4)}
    assert sorted(
        await Timer.filter(fired_at__isnull=True, cancelled_at__isnull=True).values_list("kind", flat=True)
    ) == ["ballot_deadline"], "the extension's new deadline is pending"
    assert (await verify_chains())[2] == []


# --- real processes, the real clock ---------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    return os.environ | {"COLUMNS": "200"} | extra


async def _overdue(p: Paths, choices: list[str]) -> str:
    """A proposal whose ballot's deadline passed an hour ago (real clock), as if every server had been down."""
    pid = await p.at("quick_win_approval")
    await cast(p, pid, choices)
    past = council_clock.now() - timedelta(hours=1)
    await Ballot.filter(proposal_id=pk(pid)).update(closes_at=past)
    await Timer.filter(proposal_id=pk(pid), kind="ballot_deadline").update(due_at=past)
    return pid


async def test_council_worker_fires_what_fell_due_while_nothing_ran_exactly_once(p: Paths) -> None:
    pids = [await _overdue(p, ["YES"] * 4) for _ in range(3)]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([COUNCIL, "worker", "--once"], capture_output=True, text=True, env=_env(), timeout=120)

    results = await asyncio.gather(*(asyncio.to_thread(run) for _ in range(3)))

    for r in results:
        assert r.returncode == 0, r.stderr
    fired = [line for r in results for line in r.stdout.splitlines() if line.startswith("closed ")]
    assert fired == ["closed approved: implementation"] * 3, [r.stdout for r in results]
    for pid in pids:
        after = await view(p, pid)
        assert after["state"] == "implementation" and after["ballot"]["closedByDeadline"] is True
        assert [e["actor"] for e in after["history"]].count("system") == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Any]:
    """``server()`` starts ``council serve`` on a free port (scheduler every 0.2 s); stopped after the test."""
    procs: list[tuple[subprocess.Popen[bytes], Any]] = []

    def start() -> subprocess.Popen[bytes]:
        log = (tmp_path / f"serve{len(procs)}.log").open("wb")
        proc = subprocess.Popen(
            [COUNCIL, "serve", "--port", str(_free_port())],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_env(COUNCIL_SCHEDULER_INTERVAL="0.2", COUNCIL_LOG_LEVEL="warning"),
        )
        procs.append((proc, log))
        return proc

    yield start
    for proc, log in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


async def test_council_serve_runs_the_scheduler_and_catches_up_at_start(p: Paths, server: Any) -> None:
    pid = await _overdue(p, ["NO"] * 4)
    proc = server()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if (await view(p, pid))["state"] != "quick_win_approval":
            break
        await asyncio.sleep(0.2)
    assert proc.poll() is None, "council serve stopped"
    after = await view(p, pid)
    assert after["state"] == "rejected"
    assert (after["ballot"]["result"], after["ballot"]["closedByDeadline"]) == ("REJECTED", True)
