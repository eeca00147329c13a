"""Reviewer assignment through GraphQL over HTTP (issue 15): assignReviewers, declineAssignment,
Proposal.assignments, quick-win version 2's assigned-only review and version 1 unchanged.

Proposals belong to ``paths.OWNER_ORG`` and start on the default workflow (quick-win version 2, whose
technical review says ``review: {assigned_only: true}``); a version 1 proposal is made by setting the
version of a fresh draft (the only way an old proposal exists in a fresh database).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from paths import ASSIGN_REVIEWERS, OWNER_ORG, Paths

from council import clock
from council.api.ids import from_global_id
from council.outbox.models import OutboxEvent
from council.proposals.models import Proposal
from council.workflow.registry import get_registry

TEAM, TEAM_2 = "tim.teknis1", "tim.teknis2"
UNRI, UIR, PCR = "reviewer.unri", "reviewer.uir", "reviewer.pcr"
COUNCIL = "rektor.unri"

ASSIGNMENTS = """query($id: ID!) { proposal(id: $id) {
  state availableActions availableTransitions
  assignments { id status dueOn round declineReason reviewer { username } organization { code } }
} }"""
DECLINE = """mutation($input: DeclineAssignmentInput!) {
  declineAssignment(input: $input) { assignment { id status declineReason } proposal { id } errors { code field } } }"""
ORGS = "query { organizations { id code } }"


def due(days: int = 10) -> str:
    return (clock.now() + timedelta(days=days)).date().isoformat()


async def assign(
    p: Paths,
    pid: str,
    as_: str = TEAM,
    *,
    people: tuple[str, ...] | list[str] = (),
    orgs: tuple[str, ...] | list[str] = (),
    due_on: str | None = None,
) -> dict[str, Any]:
    ids = [await p.member_id(u) for u in people]
    codes = {o["code"]: o["id"] for o in (await p.call(ORGS, {}, TEAM))["organizations"]}
    return await p.mutate(
        ASSIGN_REVIEWERS,
        "assignReviewers",
        {
            "proposalId": pid,
            "reviewerIds": ids,
            "organizationIds": [codes.get(o, o) for o in orgs],
            "dueOn": due_on or due(),
        },
        as_,
    )


def codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def view(p: Paths, pid: str, as_: str = TEAM) -> dict[str, Any]:
    return (await p.call(ASSIGNMENTS, {"id": pid}, as_))["proposal"]


async def outbox(pid: str, action: str) -> list[dict[str, Any]]:
    pk = from_global_id(pid, "Proposal")[1]
    return await OutboxEvent.filter(subject_id=pk, action=action).order_by("id").values("payload")


async def test_the_team_assigns_and_the_rules_hold(p: Paths) -> None:
    pid = await p.at("technical_review")
    done = p.ok(await assign(p, pid, people=[UNRI], orgs=["uir"]))
    assert [a["status"] for a in done["assignments"]] == ["PENDING", "PENDING"]
    seen = await view(p, pid)
    assert [(a["reviewer"], a["organization"]) for a in seen["assignments"]] == [
        ({"username": UNRI}, None),
        (None, {"code": "uir"}),
    ]
    assert {a["dueOn"] for a in seen["assignments"]} == {due()}
    [event] = await outbox(pid, "assigned")
    assert event["payload"]["due_on"] == due()
    assert len(event["payload"]["assignment_ids"]) == 2
    # who may assign, and what
    assert codes(await assign(p, pid, as_=UNRI, people=[PCR])) == [("FORBIDDEN", None)]
    assert codes(await assign(p, pid, as_=COUNCIL, people=[PCR])) == [("FORBIDDEN", None)]
    assert codes(await assign(p, pid, people=[COUNCIL])) == [("INVALID_INPUT", "reviewerIds")]
    assert codes(await assign(p, pid)) == [("INVALID_INPUT", "reviewerIds")]  # nobody named
    assert codes(await assign(p, pid, orgs=[OWNER_ORG])) == [("INVALID_INPUT", "organizationIds")]  # an OPD
    assert codes(await assign(p, pid, people=[PCR], due_on=due(-2))) == [("INVALID_INPUT", "dueOn")]
    assert codes(await assign(p, pid, people=[UNRI])) == [("INVALID_INPUT", "reviewerIds")]  # duplicate: refused
    assert codes(await assign(p, pid, orgs=["uir"])) == [("INVALID_INPUT", "organizationIds")]
    assert len((await view(p, pid))["assignments"]) == 2, "nothing half-applied"
    # a draft is not reviewable
    draft = await p.new_proposal()
    assert codes(await assign(p, draft, people=[PCR])) == [("NOT_FOUND", "proposalId")]  # drafts are unreadable
    late = await p.at("quick_win_approval")
    assert codes(await assign(p, late, people=[PCR])) == [("INVALID_TRANSITION", None)]


async def test_only_assignees_review_on_version_2_and_reviews_complete_assignments(p: Paths) -> None:
    pid = await p.at("technical_review")
    refused = await p.mutate(
        "mutation($input: SubmitReviewInput!) { submitReview(input: $input) { errors { code } } }",
        "submitReview",
        {
            "proposalId": pid,
            "recommendation": "APPROVE",
            "scores": {"feasibility": 4, "impact": 4, "costEffectiveness": 4, "alignment": 4},
        },
        UNRI,
    )
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert "submitReview" not in (await view(p, pid, UNRI))["availableActions"]
    # an unassigned technical-team review is accepted but does not count for recommend
    await p.review(pid, TEAM_2, assign=False)
    assert "recommend" not in (await view(p, pid))["availableTransitions"]
    p.ok(await assign(p, pid, people=[TEAM], orgs=["unri"]))
    assert "submitReview" in (await view(p, pid, UNRI))["availableActions"]
    await p.review(pid, TEAM, assign=False)
    await p.review(pid, UNRI, assign=False)  # takes Universitas Riau's assignment
    seen = await view(p, pid)
    assert [a["status"] for a in seen["assignments"]] == ["DONE", "DONE"]
    assert "recommend" in seen["availableTransitions"]
    assert (await p.transition(pid, "recommend", TEAM))["errors"] == []


async def test_declines(p: Paths) -> None:
    pid = await p.at("technical_review")
    p.ok(await assign(p, pid, people=[UNRI, PCR]))
    first, second = (a["id"] for a in (await view(p, pid))["assignments"])
    no_reason = await p.mutate(DECLINE, "declineAssignment", {"assignmentId": first, "reason": "  "}, UNRI)
    assert codes(no_reason) == [("INVALID_INPUT", "reason")]
    not_mine = await p.mutate(DECLINE, "declineAssignment", {"assignmentId": first, "reason": "Sibuk."}, PCR)
    assert codes(not_mine) == [("NOT_FOUND", "assignmentId")]
    declined = p.ok(
        await p.mutate(DECLINE, "declineAssignment", {"assignmentId": first, "reason": "Konflik kepentingan."}, UNRI)
    )
    assert declined["assignment"]["status"] == "DECLINED"
    assert declined["assignment"]["declineReason"] == "Konflik kepentingan."
    again = await p.mutate(DECLINE, "declineAssignment", {"assignmentId": first, "reason": "Lagi."}, UNRI)
    assert codes(again) == [("INVALID_INPUT", "assignmentId")]
    [event] = await outbox(pid, "assignment_declined")
    assert event["payload"]["assignment_id"] == from_global_id(first, "ReviewAssignment")[1]
    # declined: UNRI may no longer review, and may be assigned again
    assert "submitReview" not in (await view(p, pid, UNRI))["availableActions"]
    p.ok(await assign(p, pid, people=[UNRI]))
    assert second


async def test_version_1_proposals_keep_todays_rule(p: Paths) -> None:
    pid = await p.new_proposal()
    await Proposal.filter(id=from_global_id(pid, "Proposal")[1]).update(workflow_version=1)
    p1 = Paths(p.gql, p.token, definition=get_registry().engine("quick-win", 1).definition)
    assert not p1.assigned_only()
    await p1.drive(pid, "quick_win_approval")  # reviews by anyone with a reviewer role, none assigned
    assert (await view(p, pid))["assignments"] == []


REVIEWERS = "query { reviewers { username roles organization { code } } }"


async def test_the_technical_team_sees_whom_it_may_assign_and_nobody_else_does(p: Paths) -> None:
    """``reviewers`` lists the active holders of a reviewer role for the assignment form; others get an empty list."""
    listed = (await p.call(REVIEWERS, {}, "tim.teknis1"))["reviewers"]
    names = [m["username"] for m in listed]
    assert {"tim.teknis1", "reviewer.unri"} <= set(names)
    assert all({"TECHNICAL_TEAM", "UNIVERSITY_REVIEWER"} & set(m["roles"]) for m in listed), listed
    assert "kepala.kominfo" not in names and "sekda" not in names
    for outsider in ("opd.kominfo", "sekda", "reviewer.unri"):
        assert (await p.call(REVIEWERS, {}, outsider))["reviewers"] == []
