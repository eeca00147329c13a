"""Milestones of a quick win over GraphQL (issue 13): planned, completed and reopened, rolled up into progress.

Proposals belong to ``paths.OWNER_ORG`` and are driven to ``implementation``
(public, ``progress: true``) by ``tests/paths.py``; every call carries a real
token of a seeded member. The LATE timer has its own module
(tests/test_milestone_timer.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from paths import OTHER_OPD_OFFICER, OWNER_HEAD, TECH_REVIEWER, Paths, ok

from council.api.ids import to_global_id
from council.audit.service import verify_chains

ERRORS = "errors { code field message }"
MILESTONE = "id title description dueOn weight status doneOn note evidence { id sha256 }"
ADD = f"""mutation($input: AddMilestoneInput!) {{
  addMilestone(input: $input) {{ milestone {{ {MILESTONE} }} proposal {{ id progressPercent }} {ERRORS} }}
}}"""
UPDATE = f"""mutation($input: UpdateMilestoneInput!) {{
  updateMilestone(input: $input) {{ milestone {{ {MILESTONE} }} proposal {{ id progressPercent }} {ERRORS} }}
}}"""
COMPLETE = f"""mutation($input: CompleteMilestoneInput!) {{
  completeMilestone(input: $input) {{ milestone {{ {MILESTONE} }} proposal {{ id progressPercent }} {ERRORS} }}
}}"""
REOPEN = f"""mutation($input: ReopenMilestoneInput!) {{
  reopenMilestone(input: $input) {{ milestone {{ {MILESTONE} }} proposal {{ id progressPercent }} {ERRORS} }}
}}"""
REPORT = f"""mutation($input: ReportProgressInput!) {{
  reportProgress(input: $input) {{ proposal {{ id progressPercent }} {ERRORS} }}
}}"""
VIEW = f"""
  state progressPercent availableTransitions blockedTransitions {{ trigger reasons }}
  milestones {{ {MILESTONE} }}
  history {{ action actor comment data }}
"""


async def add(p: Paths, pid: str, as_: str | None = "", **fields: Any) -> dict[str, Any]:
    """The addMilestone payload (errors not checked) as ``as_`` (default the owner officer; None: anonymous).

    Defaults: a title, due 2030-06-30, weight 1.
    """
    values = {"proposalId": pid, "title": "Tahap uji", "dueOn": "2030-06-30"} | fields
    return await p.mutate(ADD, "addMilestone", values, p.officer if as_ == "" else as_)


async def added(p: Paths, pid: str, **fields: Any) -> str:
    """Add a milestone as the owner officer; its global id."""
    return str(ok(await add(p, pid, **fields), "addMilestone")["milestone"]["id"])


async def complete(p: Paths, mid: str, as_: str | None = "", **fields: Any) -> dict[str, Any]:
    """The completeMilestone payload (errors not checked), as :func:`add` chooses the caller."""
    return await p.mutate(COMPLETE, "completeMilestone", {"milestoneId": mid} | fields, p.officer if as_ == "" else as_)


async def view(p: Paths, pid: str, as_: str | None = "") -> dict[str, Any]:
    found = await p.read(pid, VIEW, p.officer if as_ == "" else as_)
    assert found is not None
    return found


def codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


# --- the happy path: weights 1 and 3 --------------------------------------------------------------


async def test_weighted_roll_up_drives_progress_and_the_completion_guard(p: Paths) -> None:
    pid = await p.at("implementation")
    assert (await view(p, pid))["progressPercent"] is None

    payload = ok(await add(p, pid, title="  Pengadaan perangkat  ", description="Laptop dan server", weight=1))
    small = payload["milestone"]
    assert (small["title"], small["description"], small["weight"], small["status"]) == (
        "Pengadaan perangkat",
        "Laptop dan server",
        1,
        "PLANNED",
    )
    assert (small["dueOn"], small["doneOn"], small["note"], small["evidence"]) == ("2030-06-30", None, "", [])
    assert payload["proposal"]["progressPercent"] == 0, "milestones, none done: 0"
    big = await added(p, pid, title="Uji coba layanan", dueOn="2030-09-30", weight=3)

    done = ok(await complete(p, small["id"], note="Barang diterima."))
    assert done["milestone"]["status"] == "DONE" and done["milestone"]["note"] == "Barang diterima."
    assert done["milestone"]["doneOn"] is not None, "default: today in the city"
    assert done["proposal"]["progressPercent"] == 25

    now = await view(p, pid)
    assert now["availableTransitions"] == [], "progress_complete reads the roll-up: 25 is not 100"
    assert now["blockedTransitions"] == [
        {
            "trigger": "complete",
            "reasons": ["Needs progress of 100%, from the milestones or the latest report (now 25%)"],
        }
    ]
    refused = await p.transition(pid, "complete", p.officer)
    assert codes(refused) == [("GUARD_FAILED", None)]

    assert ok(await complete(p, big, doneOn="2026-01-15"))["proposal"]["progressPercent"] == 100
    assert (await view(p, pid))["availableTransitions"] == ["complete"]

    reopened = ok(
        await p.mutate(
            REOPEN, "reopenMilestone", {"milestoneId": small["id"], "reason": "Barang rusak."}, TECH_REVIEWER
        )
    )
    assert reopened["milestone"]["status"] == "IN_PROGRESS" and reopened["milestone"]["doneOn"] is None
    assert reopened["milestone"]["note"] == "Barang rusak."
    assert reopened["proposal"]["progressPercent"] == 75
    assert (await view(p, pid))["availableTransitions"] == []

    ok(await complete(p, small["id"], as_=OWNER_HEAD, doneOn="2026-02-01"))
    assert ok(await p.transition(pid, "complete", p.officer))["proposal"]["state"] == "completed"

    final = await view(p, pid)
    assert [m["title"] for m in final["milestones"]] == ["Pengadaan perangkat", "Uji coba layanan"], "by dueOn"
    actions = [e["action"] for e in final["history"]]
    assert actions[-7:] == [
        "milestone_added",
        "milestone_added",
        "milestone_completed",
        "milestone_completed",
        "milestone_reopened",
        "milestone_completed",
        "transition",
    ]
    first = next(e for e in final["history"] if e["action"] == "milestone_added")
    assert first["data"]["title"] == "Pengadaan perangkat" and first["data"]["due_on"] == "2030-06-30"
    assert first["data"]["weight"] == 1
    reopen_event = next(e for e in final["history"] if e["action"] == "milestone_reopened")
    assert (reopen_event["actor"], reopen_event["comment"]) == (TECH_REVIEWER, "Barang rusak.")
    assert (await verify_chains())[2] == []

    after = await add(p, pid)
    assert codes(after) == [("INVALID_TRANSITION", None)], "no milestone once the quick win is completed"


async def test_update_changes_fields_and_records_only_what_changed(p: Paths) -> None:
    pid = await p.at("implementation")
    mid = await added(p, pid, weight=2)
    payload = ok(
        await p.mutate(
            UPDATE,
            "updateMilestone",
            {"milestoneId": mid, "title": "Tahap baru", "weight": 2, "status": "IN_PROGRESS", "dueOn": "2031-01-31"},
            p.officer,
        )
    )
    m = payload["milestone"]
    assert (m["title"], m["weight"], m["status"], m["dueOn"]) == ("Tahap baru", 2, "IN_PROGRESS", "2031-01-31")
    event = (await view(p, pid))["history"][-1]
    assert event["action"] == "milestone_updated"
    assert event["data"]["changes"] == {"title": "Tahap baru", "status": "in_progress", "due_on": "2031-01-31"}

    length = len((await view(p, pid))["history"])
    ok(await p.mutate(UPDATE, "updateMilestone", {"milestoneId": mid, "title": "Tahap baru"}, p.officer))
    assert len((await view(p, pid))["history"]) == length, "nothing changed, nothing recorded"

    ok(await complete(p, mid))
    refused = await p.mutate(UPDATE, "updateMilestone", {"milestoneId": mid, "title": "Lagi"}, p.officer)
    assert codes(refused) == [("INVALID_TRANSITION", "milestoneId")], "a done milestone is the technical team's"


# --- reportProgress once milestones exist ---------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "This quick win's progress comes from its milestones"),
        ("id", "Kemajuan quick win ini dihitung dari tahapannya"),
    ],
)
async def test_report_progress_is_refused_once_the_quick_win_has_milestones(p: Paths, lang: str, text: str) -> None:
    pid = await p.at("implementation")
    ok(await p.mutate(REPORT, "reportProgress", {"proposalId": pid, "percent": 30}, p.officer))
    assert (await view(p, pid))["progressPercent"] == 30, "without milestones: the latest report"
    await added(p, pid)
    assert (await view(p, pid))["progressPercent"] == 0, "with milestones: their roll-up"

    refused = await p.mutate(
        REPORT,
        "reportProgress",
        {"proposalId": pid, "percent": 60, "note": "Separuh"},
        p.officer,
        headers={"Accept-Language": lang},
    )
    assert codes(refused) == [("INVALID_INPUT", "percent")] and refused["proposal"] is None
    assert refused["errors"][0]["message"].startswith(text)
    assert (await view(p, pid))["history"][-1]["action"] == "milestone_added", "nothing recorded"


# --- who may ------------------------------------------------------------------------------------


async def test_another_opd_and_other_roles_are_refused(p: Paths) -> None:
    pid = await p.at("implementation")
    mid = await added(p, pid)
    before = await view(p, pid)

    assert codes(await add(p, pid, as_=OTHER_OPD_OFFICER)) == [("FORBIDDEN", None)]
    assert codes(await complete(p, mid, as_=OTHER_OPD_OFFICER)) == [("FORBIDDEN", None)]
    update = {"milestoneId": mid, "title": "Bukan milik saya"}
    assert codes(await p.mutate(UPDATE, "updateMilestone", update, OTHER_OPD_OFFICER)) == [("FORBIDDEN", None)]
    assert codes(await add(p, pid, as_=TECH_REVIEWER)) == [("FORBIDDEN", None)], "planning is the OPD's"
    assert codes(await add(p, pid, as_=None)) == [("UNAUTHENTICATED", None)]
    assert codes(await complete(p, mid, as_=None)) == [("UNAUTHENTICATED", None)]
    narrow = await p.token(p.officer, scopes=["proposals:read", "proposals:write"])
    body = await p.gql(ADD, {"input": {"proposalId": pid, "title": "x", "dueOn": "2030-01-01"}}, token=narrow)
    assert codes(body["data"]["addMilestone"]) == [("FORBIDDEN", None)], "implementation:write is needed"

    ok(await complete(p, mid))
    reopen = {"milestoneId": mid, "reason": "Belum selesai."}
    assert codes(await p.mutate(REOPEN, "reopenMilestone", reopen, p.officer)) == [("FORBIDDEN", None)]
    assert codes(await p.mutate(REOPEN, "reopenMilestone", reopen | {"reason": "  "}, TECH_REVIEWER)) == [
        ("INVALID_INPUT", "reason")
    ]
    after = await view(p, pid)
    assert len(after["history"]) == len(before["history"]) + 1, "only the owner's completion was recorded"


async def test_a_draft_hides_its_milestones_and_refuses_them(p: Paths) -> None:
    draft = await p.new_proposal()
    assert codes(await add(p, draft)) == [("INVALID_TRANSITION", None)], "not in a progress state"
    assert codes(await add(p, draft, as_=OTHER_OPD_OFFICER)) == [("NOT_FOUND", "proposalId")], "not readable"


async def test_anonymous_reads_a_public_quick_wins_milestones(p: Paths) -> None:
    pid = await p.at("implementation")
    mid = await added(p, pid, title="Sosialisasi", weight=2)
    await added(p, pid, title="Peluncuran", dueOn="2030-12-31", weight=2)
    ok(await complete(p, mid))
    public = await p.read(pid, "progressPercent milestones { title status weight evidence { id } }", None)
    assert public == {
        "progressPercent": 50,
        "milestones": [
            {"title": "Sosialisasi", "status": "DONE", "weight": 2, "evidence": []},
            {"title": "Peluncuran", "status": "PLANNED", "weight": 2, "evidence": []},
        ],
    }


# --- bad input ----------------------------------------------------------------------------------


async def test_bad_input_is_a_user_error_never_a_500(p: Paths) -> None:
    pid = await p.at("implementation")
    mid = await added(p, pid)
    assert codes(await add(p, pid, title="   ")) == [("INVALID_INPUT", "title")]
    assert codes(await add(p, pid, title="x" * 256)) == [("INVALID_INPUT", "title")]
    assert codes(await add(p, pid, weight=0)) == [("INVALID_INPUT", "weight")]
    assert codes(await add(p, pid, weight=101)) == [("INVALID_INPUT", "weight")]
    assert codes(await add(p, pid, dueOn="1999-12-31")) == [("INVALID_INPUT", "dueOn")]
    assert codes(await add(p, pid, description="x" * 10_001)) == [("INVALID_INPUT", "description")]
    assert ok(await add(p, pid, title="x" * 255, weight=100))["milestone"]["weight"] == 100

    unknown = to_global_id("Milestone", 999_999)
    assert codes(await complete(p, unknown)) == [("NOT_FOUND", "milestoneId")]
    assert codes(await complete(p, "bm90LWFuLWlk")) == [("INVALID_INPUT", "milestoneId")]
    assert codes(await complete(p, pid)) == [("INVALID_INPUT", "milestoneId")], "a Proposal id"
    assert codes(await add(p, mid)) == [("INVALID_INPUT", "proposalId")], "a Milestone id"
    assert codes(await complete(p, mid, doneOn="2999-01-01")) == [("INVALID_INPUT", "doneOn")]
    assert codes(await complete(p, mid, evidenceIds=[pid])) == [("INVALID_INPUT", "evidenceIds")]
    missing = to_global_id("EvidenceFile", 424_242)
    assert codes(await complete(p, mid, evidenceIds=[missing])) == [("INVALID_INPUT", "evidenceIds")]
    update = {"milestoneId": mid, "status": "DONE"}
    assert codes(await p.mutate(UPDATE, "updateMilestone", update, p.officer)) == [("INVALID_INPUT", "status")]
    reopen = {"milestoneId": mid, "reason": "Belum."}
    assert codes(await p.mutate(REOPEN, "reopenMilestone", reopen, TECH_REVIEWER)) == [
        ("INVALID_TRANSITION", "milestoneId")
    ], "only a done milestone reopens"
    body = await p.gql(ADD, {"input": {"proposalId": pid, "title": "x", "dueOn": "31/12/2030"}}, token=None)
    assert "errors" in body and "Internal" not in str(body["errors"]), "a bad date is a validation error"

    ok(await complete(p, mid))
    assert codes(await complete(p, mid)) == [("INVALID_TRANSITION", "milestoneId")], "done once"
    assert [m["status"] for m in (await view(p, pid))["milestones"]] == ["DONE", "PLANNED"]


# --- the read path batches ----------------------------------------------------------------------

PAGE = """
query($n: Int) { proposals(first: $n) { edges { node {
  id state progressPercent availableTransitions blockedTransitions { trigger reasons }
  milestones { id title status weight dueOn doneOn evidence { id filename sha256 url uploadedAt } }
  progress { percent evidence { id contentType size } }
} } } }"""
PAGE_STATEMENTS = 12
"""Upper bound for :data:`PAGE`, whatever the page size: the viewer, the page and its count, and one
statement each for reviews, ballots, progress reports, milestones, and the evidence of each (10 are run)."""


async def _add_milestones_and_evidence() -> None:
    """Two milestones (weights 1 and 3) on every quick win of tests/test_sql_count.py, with evidence files."""
    from council.implementation.models import Milestone, MilestoneStatus, ProgressReport
    from council.proposals.models import Proposal
    from council.uploads.models import Upload

    rows = await Proposal.filter(state__in=["implementation", "completed"]).values("id", "state", "author_id")
    await Milestone.bulk_create(
        [
            Milestone(
                proposal_id=r["id"],
                title=f"Tahap {weight}",
                due_on=date(2019, 3, weight),
                weight=weight,
                status=MilestoneStatus.DONE if weight == 1 or r["state"] == "completed" else MilestoneStatus.LATE,
                done_on=date(2019, 3, 1) if weight == 1 or r["state"] == "completed" else None,
            )
            for r in rows
            for weight in (1, 3)
        ]
    )
    authors = {r["id"]: r["author_id"] for r in rows}
    files = [
        Upload(
            proposal_id=m["proposal_id"],
            uploader_id=authors[m["proposal_id"]],
            filename=f"bukti-{m['id']}.pdf",
            content_type="application/pdf",
            size=1234,
            sha256=f"{m['id']:064x}",
            storage_key=f"test/{m['id']}",
            milestone_id=m["id"],
        )
        for m in await Milestone.filter(status=MilestoneStatus.DONE).values("id", "proposal_id")
    ]
    files += [
        Upload(
            proposal_id=r["proposal_id"],
            uploader_id=r["author_id"],
            filename=f"laporan-{r['id']}.png",
            content_type="image/png",
            size=99,
            sha256=f"{r['id']:064x}",
            storage_key=f"test/r{r['id']}",
            progress_report_id=r["id"],
        )
        for r in await ProgressReport.all().values("id", "proposal_id", "author_id")
    ]
    await Upload.bulk_create(files)


async def test_a_page_of_quick_wins_with_milestones_and_evidence_is_bounded(gql, token, count_statements) -> None:
    from test_sql_count import VIEWER, _make_proposals, _show

    await _make_proposals()
    await _add_milestones_and_evidence()
    t = await token(VIEWER)
    measured, nodes = {}, []
    for n in (10, 100):
        count_statements.statements.clear()
        body = await gql(PAGE, {"n": n}, token=t)
        measured[n] = list(count_statements.statements)
        assert "errors" not in body, body["errors"]
        nodes = [e["node"] for e in body["data"]["proposals"]["edges"]]
    assert len(nodes) == 100
    for node in nodes:
        if node["state"] not in {"implementation", "completed"}:
            assert node["milestones"] == [] and node["progressPercent"] is None
            continue
        done = node["state"] == "completed"
        assert node["progressPercent"] == (100 if done else 25), "the roll-up, not the reports' 70"
        assert [m["status"] for m in node["milestones"]] == ["DONE", "DONE" if done else "LATE"]
        assert [len(m["evidence"]) for m in node["milestones"]] == [1, 1 if done else 0]
        first = node["milestones"][0]["evidence"][0]
        assert first["url"] == f"/uploads/{first['id']}" and first["filename"].startswith("bukti-")
        assert [len(r["evidence"]) for r in node["progress"]] == [1, 1]
        assert node["progress"][0]["evidence"][0]["contentType"] == "image/png"
    assert len(measured[10]) == len(measured[100]), _show(measured[10]) + "\n---\n" + _show(measured[100])
    assert len(measured[100]) <= PAGE_STATEMENTS, _show(measured[100])
