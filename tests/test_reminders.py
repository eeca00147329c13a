"""Reminders and escalations the workflow file declares (issue 15), fired exactly once by the scheduler.

quick-win version 2: ``vote: {window: P7D, remind_before: PT24H}``, ``review: {remind_before: P2D}`` and
``sla: {after: P14D, escalate: true, notify: [technical_team, council_chair]}``. The clock is the test's
(``ballots.FakeClock``) and the scheduler ticks when the test says (``ballots.tick``); what a reminder
announces is read from the outbox rows its unit of work wrote.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from ballots import FakeClock, tick
from paths import ASSIGN_REVIEWERS, OWNER_ORG, Paths, voters

from council import clock as council_clock
from council.api.ids import from_global_id
from council.organizations.models import Member, Organization
from council.outbox.models import OutboxEvent
from council.settings import PROJECT_ROOT
from council.workflow.errors import WorkflowError
from council.workflow.loader import load_file
from council.workflow.models import Timer
from council.workflow.registry import get_registry

VOTERS = voters(OWNER_ORG)
QUICK_WIN_V2 = PROJECT_ROOT / "workflows" / "quick-win-v2.yaml"
DECLINE = """mutation($input: DeclineAssignmentInput!) {
  declineAssignment(input: $input) { errors { code field } } }"""
DECLARE = """mutation($input: DeclareConflictInput!) { declareConflict(input: $input) { errors { code } } }"""
ASSIGNMENTS = "query($id: ID!) { proposal(id: $id) { assignments { id } } }"
ORGS = "query { organizations(kind: UNIVERSITY) { id code } }"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(council_clock, "now", fake.now)
    return fake


def pk(pid: str) -> int:
    return from_global_id(pid, "Proposal")[1]


async def announced(pid: str, action: str) -> list[dict[str, Any]]:
    rows = await OutboxEvent.filter(subject_id=pk(pid), action=action).order_by("id").values_list("payload", flat=True)
    return list(rows)  # type: ignore[arg-type]


async def member_pks(*usernames: str) -> list[int]:
    return sorted(await Member.filter(username__in=usernames).values_list("id", flat=True))  # type: ignore[arg-type]


async def test_undecided_voters_are_reminded_once_before_the_close_and_again_after_an_extension(
    p: Paths, clock: FakeClock
) -> None:
    pid = await p.at("quick_win_approval")
    [opened] = [t for t in await Timer.filter(proposal_id=pk(pid), kind="vote_reminder").values("due_at", "ballot_id")]
    await p.vote(pid, VOTERS[0], "YES")
    await p.vote(pid, VOTERS[1], "NO")
    p.ok(await p.mutate(DECLARE, "declareConflict", {"proposalId": pid, "reason": "Kerabat pengusul."}, VOTERS[2]))
    clock.advance(days=5)
    assert await tick() == []
    clock.advance(days=1, minutes=1)  # 24 hours before the close, and a minute
    assert await tick() == ["reminded 4"]
    assert await tick() == [], "exactly once"
    [reminder] = await announced(pid, "reminder")
    assert reminder["kind"] == "vote_reminder" and reminder["ballot_id"] == opened["ballot_id"]
    assert reminder["member_ids"] == await member_pks(*VOTERS[3:])
    assert reminder["organization_ids"] == []
    assert reminder["due_at"] == (opened["due_at"] + timedelta(hours=24)).isoformat()
    # no quorum at the deadline (2 of 7, quorum 4): extended by the window, and the reminder re-armed
    clock.advance(days=1)
    assert await tick() == ["extended"]
    clock.advance(days=6, minutes=1)
    assert await tick() == ["reminded 4"]
    assert len(await announced(pid, "reminder")) == 2


async def test_assignees_are_reminded_before_the_due_date_unless_done_or_declined(p: Paths, clock: FakeClock) -> None:
    pid = await p.at("technical_review")
    due = (clock.now() + timedelta(days=5)).date().isoformat()
    uir = next(o["id"] for o in (await p.call(ORGS, {}, "tim.teknis1"))["organizations"] if o["code"] == "uir")
    people = [await p.member_id(u) for u in ("reviewer.unri", "reviewer.pcr")]
    p.ok(
        await p.mutate(
            ASSIGN_REVIEWERS,
            "assignReviewers",
            {"proposalId": pid, "reviewerIds": people, "organizationIds": [uir], "dueOn": due},
            "tim.teknis1",
        )
    )
    unri, pcr, university = (
        a["id"] for a in (await p.call(ASSIGNMENTS, {"id": pid}, "tim.teknis1"))["proposal"]["assignments"]
    )
    await p.review(pid, "reviewer.unri", assign=False)  # done: its reminder is cancelled
    p.ok(await p.mutate(DECLINE, "declineAssignment", {"assignmentId": pcr, "reason": "Sedang cuti."}, "reviewer.pcr"))
    clock.advance(days=2)
    assert await tick() == []
    clock.advance(days=2, hours=1)  # the due date ends 5 to 6 days from the start: 2 days before is past now
    assert await tick() == ["reminded 1"]
    assert await tick() == []
    [reminder] = await announced(pid, "reminder")
    assert reminder["kind"] == "review_reminder"
    assert reminder["assignment_id"] == from_global_id(university, "ReviewAssignment")[1]
    assert reminder["member_ids"] == await member_pks("reviewer.uir")
    assert reminder["organization_ids"] == [await Organization.get(code="uir").values_list("id", flat=True)]
    assert reminder["due_at"].startswith(due) or reminder["due_at"] > due
    assert unri


async def test_the_sla_escalation_names_who_to_notify_and_transitions_say_where_from(
    p: Paths, clock: FakeClock
) -> None:
    pid = await p.at("technical_review")
    [submitted] = [m for m in await announced(pid, "transition") if m["trigger"] == "submit"]
    assert (submitted["from_state"], submitted["to_state"]) == ("draft", "technical_review")
    clock.advance(days=14, minutes=1)
    assert await tick() == ["escalated"]
    assert await tick() == []
    [escalation] = await announced(pid, "escalation")
    assert escalation["state"] == "technical_review"
    assert escalation["notify"] == ["technical_team", "council_chair"]


# --- the workflow file's new keys are validated on load --------------------------------------


def _variant(tmp_path: Path, edit: Any) -> Path:
    raw = yaml.safe_load(QUICK_WIN_V2.read_text(encoding="utf-8"))
    edit({s["name"]: s for s in raw["states"]})
    path = tmp_path / "quick-win-v2.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _set(state: str, key: str, value: Any) -> Any:
    def edit(states: dict[str, dict[str, Any]]) -> None:
        if isinstance(value, dict) and isinstance(states[state].get(key), dict):
            states[state][key] = states[state][key] | value
        else:
            states[state][key] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "entry", "reason"),
    [
        (_set("quick_win_approval", "vote", {"remind_before": "P7D"}), "quick_win_approval).vote", "remind_before"),
        (_set("quick_win_approval", "vote", {"remind_before": "soon"}), "quick_win_approval).vote", "remind_before"),
        (_set("technical_review", "sla", {"notify": ["mayor"]}), "technical_review).sla", "unknown role 'mayor'"),
        (_set("technical_review", "sla", {"notify": []}), "technical_review).sla", "notify"),
        (_set("technical_review", "review", {"assigned_only": "yes"}), "technical_review).review", "assigned_only"),
        (
            _set("technical_review", "review", {"remind": "P2D"}),
            "technical_review).review",
            "unknown key(s) ['remind']",
        ),
        (_set("technical_review", "review", {"remind_before": "P0D"}), "technical_review).review", "remind_before"),
        (_set("draft", "review", {"assigned_only": True}), "draft).review", "reviewable: true"),
    ],
)
def test_bad_reminder_and_review_keys_are_refused_naming_the_file_and_entry(
    tmp_path: Path, edit: Any, entry: str, reason: str
) -> None:
    path = _variant(tmp_path, edit)
    with pytest.raises(WorkflowError) as caught:
        load_file(path)
    message = str(caught.value)
    assert str(path) in message and entry in message and reason in message, message


def test_the_default_workflow_is_version_2_and_version_1_stays() -> None:
    registry = get_registry()
    assert registry.default().version == 2
    v1, v2 = registry.engine("quick-win", 1).definition, registry.default()
    assert v1.states["technical_review"].review is None
    assert v2.states["technical_review"].review is not None and v2.states["technical_review"].review.assigned_only
    assert v2.states["technical_review"].sla is not None
    assert v2.states["technical_review"].sla.notify == ("technical_team", "council_chair")
    vote = v2.states["quick_win_approval"].vote
    assert vote is not None and vote.remind_before == timedelta(hours=24)
