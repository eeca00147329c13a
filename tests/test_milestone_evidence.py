"""Evidence on milestones and progress reports (issue 13): uploaded by ``POST /uploads``, cited by id.

The files go through the real endpoint with real tokens (tests/test_uploads.py
tests the endpoint itself); the mutations take the ``EvidenceFile`` ids it
answers, attach them once, and put their SHA-256 into the audit chain.
"""

from __future__ import annotations

from typing import Any

import httpx
from paths import OTHER_OPD_OFFICER, Paths, ok
from test_milestones import COMPLETE, REPORT, added, codes, view
from test_uploads import JPEG, PDF, PNG

from council.audit.service import verify_chains

EVIDENCE = "evidence { id filename contentType size sha256 url uploadedAt }"
MILESTONES = f"milestones {{ id status {EVIDENCE} }}"
REPORTS = f"progress {{ percent note {EVIDENCE} }}"


async def upload(client: httpx.AsyncClient, p: Paths, pid: str, body: bytes, filename: str) -> dict[str, Any]:
    """``POST /uploads`` as the owner officer; the 201 answer."""
    response = await client.post(
        "/uploads",
        params={"proposalId": pid, "filename": filename},
        content=body,
        headers={"Authorization": f"Bearer {await p.bearer(p.officer)}"},
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_milestone_is_completed_with_evidence_whose_hashes_enter_the_chain(
    p: Paths, client: httpx.AsyncClient
) -> None:
    pid = await p.at("implementation")
    mid = await added(p, pid)
    files = [await upload(client, p, pid, PDF, "berita-acara.pdf"), await upload(client, p, pid, PNG, "foto.png")]
    assert (await client.get(files[0]["url"])).status_code == 404, "not attached: only the OPD reads it"

    done = ok(
        await p.mutate(
            COMPLETE, "completeMilestone", {"milestoneId": mid, "evidenceIds": [f["id"] for f in files]}, p.officer
        )
    )
    shown = done["milestone"]["evidence"]
    assert [(e["id"], e["sha256"]) for e in shown] == [(f["id"], f["sha256"]) for f in files]

    public = await p.read(pid, MILESTONES, None)
    assert public is not None
    [milestone] = public["milestones"]
    assert [(e["filename"], e["contentType"], e["size"], e["url"]) for e in milestone["evidence"]] == [
        ("berita-acara.pdf", "application/pdf", len(PDF), files[0]["url"]),
        ("foto.png", "image/png", len(PNG), files[1]["url"]),
    ]
    assert all(e["uploadedAt"] for e in milestone["evidence"])
    served = await client.get(files[0]["url"])
    assert served.status_code == 200 and served.content == PDF, "attached to a public proposal: anyone reads it"

    event = (await view(p, pid))["history"][-1]
    assert event["action"] == "milestone_completed"
    assert [(e["filename"], e["sha256"]) for e in event["data"]["evidence"]] == [
        ("berita-acara.pdf", files[0]["sha256"]),
        ("foto.png", files[1]["sha256"]),
    ]
    assert (await verify_chains())[2] == []


async def test_a_file_is_attached_once_and_only_to_its_own_proposal(p: Paths, client: httpx.AsyncClient) -> None:
    pid, other = await p.at("implementation"), await p.at("implementation")
    first, second, third = [await added(p, pid) for _ in range(3)]
    used = await upload(client, p, pid, PDF, "a.pdf")
    ok(await p.mutate(COMPLETE, "completeMilestone", {"milestoneId": first, "evidenceIds": [used["id"]]}, p.officer))
    foreign = await upload(client, p, other, JPEG, "b.jpg")
    fresh = await upload(client, p, pid, PNG, "c.png")
    before = await view(p, pid)

    for ids in ([used["id"]], [foreign["id"]], [fresh["id"], fresh["id"]], [fresh["id"], used["id"]]):
        refused = await p.mutate(COMPLETE, "completeMilestone", {"milestoneId": second, "evidenceIds": ids}, p.officer)
        assert codes(refused) == [("INVALID_INPUT", "evidenceIds")], ids
    refused = await p.mutate(
        COMPLETE, "completeMilestone", {"milestoneId": second, "evidenceIds": [fresh["id"]]}, OTHER_OPD_OFFICER
    )
    assert codes(refused) == [("FORBIDDEN", None)]

    after = await view(p, pid)
    assert len(after["history"]) == len(before["history"]) and after["milestones"] == before["milestones"]
    assert (await client.get(fresh["url"])).status_code == 404, "a refused completion attached nothing"
    ok(await p.mutate(COMPLETE, "completeMilestone", {"milestoneId": third, "evidenceIds": [fresh["id"]]}, p.officer))
    assert (await client.get(fresh["url"])).status_code == 200


async def test_a_progress_report_carries_evidence(p: Paths, client: httpx.AsyncClient) -> None:
    pid = await p.at("implementation")
    photo = await upload(client, p, pid, JPEG, "lokasi.jpg")
    payload = await p.mutate(
        REPORT,
        "reportProgress",
        {"proposalId": pid, "percent": 40, "note": "Fondasi", "evidenceIds": [photo["id"]]},
        p.officer,
    )
    assert ok(payload)["proposal"]["progressPercent"] == 40
    ok(await p.mutate(REPORT, "reportProgress", {"proposalId": pid, "percent": 50}, p.officer))

    found = await p.read(pid, REPORTS, None)
    assert found is not None
    assert [[e["id"] for e in r["evidence"]] for r in found["progress"]] == [[photo["id"]], []]
    assert found["progress"][0]["evidence"][0]["sha256"] == photo["sha256"]
    events = [e for e in (await view(p, pid))["history"] if e["action"] == "progress"]
    assert [e["data"].get("evidence") for e in events] == [
        [{"upload": events[0]["data"]["evidence"][0]["upload"], "filename": "lokasi.jpg", "sha256": photo["sha256"]}],
        None,
    ]
    again = await p.mutate(
        REPORT, "reportProgress", {"proposalId": pid, "percent": 60, "evidenceIds": [photo["id"]]}, p.officer
    )
    assert codes(again) == [("INVALID_INPUT", "evidenceIds")], "attached to the first report already"
