"""A member's tasks (issue 15): ``viewer { tasks taskCount taskCounts }`` and the ``myTasks`` subscription.

Everything goes through GraphQL over HTTP (the ``p`` driver of tests/paths.py)
and a real websocket; only the review assignments are written through the ORM,
as ``assignReviewers`` is not on this branch yet.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from paths import CHAIR, OTHER_OPD_OFFICER, OWNER_HEAD, OWNER_OFFICER, TECH_REVIEWER, Paths, members_with, voters
from ws_client import LiveClient

from council import clock
from council.api.ids import from_global_id
from council.auth.scopes import scopes_for_roles
from council.auth.tokens import issue_access_token
from council.enums import Role
from council.organizations.models import Member
from council.reviews.models import ReviewAssignment
from council.tasks.queries import MAX_STATEMENTS

VOTER = voters()[0]

TASKS = """
query($first: Int, $after: String) {
  viewer {
    id taskCount taskCounts { kind count }
    tasks(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { kind title dueAt createdAt proposal { id } commitment { id } milestone { id title } } }
    }
  }
}"""
OTHERS = """
query($id: ID!) { proposal(id: $id) { author { username taskCount taskCounts { count } tasks { totalCount edges { cursor } } } } }
"""
LIGHT = "{ viewer { taskCount taskCounts { count } tasks(first: 100) { edges { node { kind title dueAt proposal { id } } } } } }"
SIGN = "mutation($id: ID!) { signCommitment(input: {commitmentId: $id}) { errors { code } } }"
ADD_MILESTONE = """mutation($input: AddMilestoneInput!) { addMilestone(input: $input) { errors { code field } } }"""
COMPLETE_MILESTONE = (
    "mutation($input: CompleteMilestoneInput!) { completeMilestone(input: $input) { errors { code } } }"
)
MY_TASKS = "subscription { myTasks { count counts { kind count } } }"


async def viewer(p: Paths, username: str, first: int = 100, after: str | None = None) -> dict[str, Any]:
    return dict((await p.call(TASKS, {"first": first, "after": after}, username))["viewer"])


async def tasks(p: Paths, username: str) -> list[dict[str, Any]]:
    return [e["node"] for e in (await viewer(p, username))["tasks"]["edges"]]


def about(found: list[dict[str, Any]], kind: str, pid: str) -> list[dict[str, Any]]:
    return [t for t in found if t["kind"] == kind and (t["proposal"] or {}).get("id") == pid]


async def test_vote_then_close_vote_for_the_right_members(p: Paths) -> None:
    pid = await p.at("quick_win_approval")
    mine = about(await tasks(p, VOTER), "VOTE", pid)
    assert len(mine) == 1 and mine[0]["dueAt"] is not None
    assert about(await tasks(p, OWNER_OFFICER), "VOTE", pid) == []  # no seat
    assert about(await tasks(p, CHAIR), "CLOSE_VOTE", pid) == []  # voting goes on
    await p.vote(pid, VOTER)
    assert about(await tasks(p, VOTER), "VOTE", pid) == []  # voted
    await p.expire_ballot(pid)  # the last deadline passed: the chair may close it
    assert len(about(await tasks(p, CHAIR), "CLOSE_VOTE", pid)) == 1
    assert about(await tasks(p, VOTER), "CLOSE_VOTE", pid) == []  # not the chair
    assert about(await tasks(p, voters()[1]), "VOTE", pid) == []  # too late to vote
    p.ok(await p.transition(pid, "close_vote", CHAIR), "close_vote")
    assert about(await tasks(p, CHAIR), "CLOSE_VOTE", pid) == []


async def test_review_for_the_technical_team_and_for_assignees(p: Paths) -> None:
    pid = await p.at("technical_review")
    assert len(about(await tasks(p, TECH_REVIEWER), "REVIEW", pid)) == 1
    university = [m.username for m in members_with(Role.UNIVERSITY_REVIEWER.value)]
    assert about(await tasks(p, university[0]), "REVIEW", pid) == []  # not assigned
    reviewer = await Member.get(username=university[0])
    chief = await Member.get(username=TECH_REVIEWER)
    now = clock.now()
    due = (now + timedelta(days=5)).date()
    await ReviewAssignment.create(
        proposal_id=from_global_id(pid)[1],
        organization_id=reviewer.organization_id,
        round=1,
        due_on=due,
        assigned_by=chief,
        created_at=now,
        updated_at=now,
    )
    assigned = about(await tasks(p, university[0]), "REVIEW", pid)
    assert len(assigned) == 1 and assigned[0]["dueAt"] is not None
    others = [u for u in university if (await Member.get(username=u)).organization_id != reviewer.organization_id]
    for other in others[:1]:
        assert about(await tasks(p, other), "REVIEW", pid) == []  # another university
    await p.review(pid, university[0])
    await p.review(pid, TECH_REVIEWER)
    assert about(await tasks(p, university[0]), "REVIEW", pid) == []  # reviewed this round
    assert about(await tasks(p, TECH_REVIEWER), "REVIEW", pid) == []


async def test_report_progress_and_milestones_for_the_owning_opd(p: Paths) -> None:
    pid = await p.at("implementation")
    assert len(about(await tasks(p, OWNER_OFFICER), "REPORT_PROGRESS", pid)) == 1
    assert about(await tasks(p, OTHER_OPD_OFFICER), "REPORT_PROGRESS", pid) == []
    await p.report(pid, 10)
    assert about(await tasks(p, OWNER_OFFICER), "REPORT_PROGRESS", pid) == []  # reported this month
    today = clock.now().date()
    for title, days in (("Segera", 3), ("Nanti", 60)):
        payload = await p.mutate(
            ADD_MILESTONE,
            "addMilestone",
            {"proposalId": pid, "title": title, "dueOn": (today + timedelta(days=days)).isoformat()},
            OWNER_OFFICER,
        )
        assert payload["errors"] == []
    due = about(await tasks(p, OWNER_HEAD), "MILESTONE_DUE", pid)
    assert [t["milestone"]["title"] for t in due] == ["Segera"] and due[0]["dueAt"] is not None  # within 7 days only
    assert about(await tasks(p, OTHER_OPD_OFFICER), "MILESTONE_DUE", pid) == []
    done = await p.mutate(
        COMPLETE_MILESTONE, "completeMilestone", {"milestoneId": due[0]["milestone"]["id"]}, OWNER_OFFICER
    )
    assert done["errors"] == []
    assert about(await tasks(p, OWNER_HEAD), "MILESTONE_DUE", pid) == []  # done


async def test_sign_commitment_until_signed(p: Paths) -> None:
    signing = [t for t in await tasks(p, OWNER_HEAD) if t["kind"] == "SIGN_COMMITMENT"]
    assert len(signing) == 1 and signing[0]["commitment"]["id"] and signing[0]["dueAt"] is None
    assert [t for t in await tasks(p, OWNER_OFFICER) if t["kind"] == "SIGN_COMMITMENT"] == []  # not a signatory
    member = await Member.get(username=OWNER_HEAD)
    fresh = issue_access_token(
        member_id=member.id,
        username=member.username,
        scopes=sorted(scopes_for_roles(member.roles)),
        auth_time=int(clock.now().timestamp()),
    )
    body = await p.gql(SIGN, {"id": signing[0]["commitment"]["id"]}, token=fresh)
    assert body["data"]["signCommitment"]["errors"] == []
    assert [t for t in await tasks(p, OWNER_HEAD) if t["kind"] == "SIGN_COMMITMENT"] == []


async def test_counts_order_and_another_members_tasks(p: Paths) -> None:
    pids = [await p.at("quick_win_approval") for _ in range(3)]
    me = await viewer(p, VOTER)
    counts = {c["kind"]: c["count"] for c in me["taskCounts"]}
    assert set(counts) == {"VOTE", "REVIEW", "REPORT_PROGRESS", "MILESTONE_DUE", "SIGN_COMMITMENT", "CLOSE_VOTE"}
    assert me["taskCount"] == sum(counts.values()) == me["tasks"]["totalCount"] >= 3
    found = [e["node"] for e in me["tasks"]["edges"]]
    assert all(about(found, "VOTE", pid) for pid in pids)
    dues = [t["dueAt"] for t in found]
    assert dues == sorted(dues, key=lambda d: (d is None, d or ""))  # by dueAt, nulls last
    # another member's tasks are not revealed
    other = (await p.call(OTHERS, {"id": pids[0]}, VOTER))["proposal"]["author"]
    assert other["username"] == OWNER_OFFICER
    assert (other["taskCount"], other["tasks"], {c["count"] for c in other["taskCounts"]}) == (
        0,
        {"totalCount": 0, "edges": []},
        {0},
    )


async def test_pagination_walks_every_task_once(p: Paths) -> None:
    for _ in range(3):
        await p.at("quick_win_approval")
    everything = [e["node"] for e in (await viewer(p, VOTER))["tasks"]["edges"]]
    walked, after = [], None
    while True:
        page = (await viewer(p, VOTER, first=2, after=after))["tasks"]
        assert len(page["edges"]) <= 2 and page["pageInfo"]["hasPreviousPage"] == (after is not None)
        walked += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert walked == everything and len(walked) >= 3


async def test_statements_do_not_grow_with_the_proposals(p: Paths, count_statements: Any) -> None:
    async def measure(username: str) -> int:
        await p.bearer(username)  # its token made before (the fixture reads the member)
        before = len(count_statements.statements)
        await p.call(LIGHT, {}, username)
        return len(count_statements.statements) - before

    kinds = ("quick_win_approval", "technical_review", "implementation")
    for target in kinds:
        await p.at(target)
    small = {u: await measure(u) for u in (CHAIR, TECH_REVIEWER, OWNER_OFFICER, OWNER_HEAD)}
    for target in kinds * 2:
        await p.at(target)
    large = {u: await measure(u) for u in small}
    assert large == small, (small, large)
    assert max(large.values()) <= MAX_STATEMENTS + 3  # the tasks, the auth gate, the member row, the proposals


async def test_my_tasks_pushes_the_new_count_after_a_vote(ws_url: str, p: Paths, token: Any) -> None:
    pid = await p.at("quick_win_approval")
    async with LiveClient.connect(ws_url, {"Authorization": f"Bearer {await token(VOTER)}"}) as live:
        await live.subscribe("t", MY_TASKS)
        first = (await live.data("t"))["myTasks"]
        votes = {c["kind"]: c["count"] for c in first["counts"]}["VOTE"]
        assert votes >= 1 and first["count"] == sum(c["count"] for c in first["counts"])
        await p.vote(pid, VOTER)
        after = (await live.data("t"))["myTasks"]
        assert {c["kind"]: c["count"] for c in after["counts"]}["VOTE"] == votes - 1
        assert after["count"] == first["count"] - 1
        await p.at("quick_win_approval")  # a new ballot: one more
        again = (await live.data("t"))["myTasks"]
        assert again["count"] == first["count"]
