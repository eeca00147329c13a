"""The record as open data: ``GET /open-data/`` and ``council export DIR``.

One record is built through the API on a quick-win variant whose ballot hides its tally and publishes its
votes (``votes_public: true``): a proposal voted on and in implementation, one whose hidden ballot is still
open with votes cast, a draft, and a proposal in technical review with a review. The package is downloaded
file by file, validated with ``frictionless`` (the CSV, the JSON and the JSON Lines resources, with their
keys), and searched for what is not public: none of it may appear anywhere.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import frictionless
import httpx
import pytest
from ballots import workflow_variant
from paths import OWNER_OFFICER, Paths, voters

from council.implementation.models import Kpi, KpiDirection, KpiMeasurement, Milestone, SpendingReport
from council.organizations.models import Member

COUNCIL = str(Path(sys.executable).with_name("council"))
DRAFT_TITLE = "RAHASIA draf lampu 7731"
REVIEW_COMMENT = "RAHASIA ulasan belum terbit 5521"
REVIEWED_TITLE = "RAHASIA usulan dalam kajian 4410"
OPEN_TITLE = "Usulan dengan suara tertutup"
DONE_TITLE = "Usulan yang sudah disetujui"


def pk(global_id: str) -> int:
    import base64

    return int(base64.b64decode(global_id).decode().rsplit(":", 1)[1])


@pytest.fixture
def published_votes(tmp_path: Path) -> Iterator[None]:
    """New proposals start on a quick-win variant: hidden tally, individual votes public once it is visible."""
    with workflow_variant(tmp_path / "workflows", vote={"hide_tally": True, "votes_public": True}):
        yield


@pytest.fixture
async def record(published_votes: None, gql: Any, token: Any) -> dict[str, int]:
    p = Paths(gql, token)
    done = await p.new_proposal(title=DONE_TITLE)
    await p.drive(done, "implementation")
    await p.report(done, 40)
    hidden = await p.new_proposal(title=OPEN_TITLE)
    await p.drive(hidden, "quick_win_approval")
    for voter in voters()[:2]:
        await p.vote(hidden, voter, "NO")
    draft = await p.new_proposal(title=DRAFT_TITLE)
    reviewed = await p.new_proposal(title=REVIEWED_TITLE)
    await p.drive(reviewed, "technical_review")
    await p.review(reviewed, "tim.teknis1", comment=REVIEW_COMMENT)
    ids = {"done": pk(done), "hidden": pk(hidden), "draft": pk(draft), "reviewed": pk(reviewed)}
    await implementation_rows(ids["done"], "Jalan")
    await implementation_rows(ids["reviewed"], "RAHASIA rencana")
    return ids


async def implementation_rows(proposal_id: int, label: str) -> None:
    """A milestone, a KPI with a measurement and a spending report (issue 13's tables; no API writes them yet)."""
    author = await Member.get(username=OWNER_OFFICER)
    await Milestone.create(proposal_id=proposal_id, title=f"{label} tahap 1", due_on=date(2027, 3, 1))
    kpi = await Kpi.create(
        proposal_id=proposal_id, name=f"{label} KPI", unit="persen", baseline=10, target=80, direction=KpiDirection.UP
    )
    await KpiMeasurement.create(kpi=kpi, period="2027-Q1", value=25.5, note=f"{label} ukur", author=author)
    await SpendingReport.create(
        proposal_id=proposal_id, amount=250_000_000, period="2027-01", note=label, author=author
    )


async def download(client: httpx.AsyncClient, folder: Path) -> dict[str, bytes]:
    """Every file the descriptor names, and the descriptor, saved into ``folder``; their bytes by name."""
    folder.mkdir(parents=True, exist_ok=True)
    index = await client.get("/open-data/")
    assert index.status_code == 200
    files = {"datapackage.json": (await client.get("/open-data/datapackage.json")).content}
    assert json.loads(files["datapackage.json"]) == index.json()
    for resource in index.json()["resources"]:
        response = await client.get(f"/open-data/{resource['path']}")
        assert response.status_code == 200, resource["path"]
        files[resource["path"]] = response.content
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return files


def rows(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[f"{name}.csv"].decode("utf-8"))))


def json_rows(files: dict[str, bytes], name: str) -> list[dict[str, Any]]:
    header, *lines = json.loads(files[f"{name}.json"])
    return [dict(zip(header, line, strict=True)) for line in lines]


async def test_the_package_validates_and_holds_the_public_record(
    client: httpx.AsyncClient, record: dict[str, int], tmp_path: Path
) -> None:
    files = await download(client, tmp_path / "open-data")
    report = frictionless.validate(str(tmp_path / "open-data" / "datapackage.json"))
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldNumber", "type", "note"])
    formats = {Path(t.place).suffix for t in report.tasks}
    assert formats == {".csv", ".json", ".jsonl"}
    assert all(t.valid and t.type == "table" for t in report.tasks)  # every file checked against its schema
    assert len(report.tasks) == len(json.loads(files["datapackage.json"])["resources"])

    proposals = {int(r["id"]): r for r in rows(files, "proposals")}
    assert {record["done"], record["hidden"]} <= proposals.keys()
    assert proposals[record["done"]]["state"] == "implementation"
    assert [r["id"] for r in json_rows(files, "proposals")] == list(proposals)  # the same rows, typed
    assert json_rows(files, "proposals")[0]["budget"] == int(rows(files, "proposals")[0]["budget"])
    ballots = {int(b["proposal_id"]): b for b in rows(files, "ballots")}
    assert ballots[record["done"]]["result"] == "approved" and int(ballots[record["done"]]["yes_count"]) > 0
    votes = rows(files, "votes")
    done_ballot = ballots[record["done"]]["id"]
    assert votes and {v["ballot_id"] for v in votes} == {done_ballot}  # the closed ballot's votes are public
    assert {v["choice"] for v in votes} == {"yes"}
    assert [r["percent"] for r in rows(files, "progress_reports")] == ["40"]
    assert len(rows(files, "reviews")) >= 4  # two per public proposal
    assert rows(files, "commitments") and rows(files, "master_plans") and rows(files, "pillars")
    for table in ("milestones", "kpis", "spending_reports"):
        assert [int(r["proposal_id"]) for r in rows(files, table)] == [record["done"]], table
    assert [r["value"] for r in rows(files, "kpi_measurements")] == ["25.5"]


async def test_the_exported_proposals_are_those_anyone_can_read(
    client: httpx.AsyncClient, gql: Any, record: dict[str, int]
) -> None:
    """The one rule: the anonymous API's proposals are exactly the package's (council.auth.policy)."""
    found = await gql("{ proposals(first: 100) { edges { node { id } } } }")
    anonymous = {pk(e["node"]["id"]) for e in found["data"]["proposals"]["edges"]}
    exported = {int(r["id"]) for r in csv.DictReader(io.StringIO((await client.get("/open-data/proposals.csv")).text))}
    assert exported == anonymous and {record["done"], record["hidden"]} <= exported


async def test_nothing_that_is_not_public_appears_in_any_file(
    client: httpx.AsyncClient, record: dict[str, int], tmp_path: Path
) -> None:
    files = await download(client, tmp_path / "open-data")
    for name, content in files.items():
        text = content.decode("utf-8")
        for secret in (DRAFT_TITLE, REVIEWED_TITLE, REVIEW_COMMENT, "RAHASIA"):
            assert secret not in text, (secret, name)

    proposal_ids = {int(r["id"]) for r in rows(files, "proposals")}
    assert record["draft"] not in proposal_ids and record["reviewed"] not in proposal_ids
    hidden = next(b for b in rows(files, "ballots") if int(b["proposal_id"]) == record["hidden"])
    assert (hidden["closed_at"], hidden["yes_count"], hidden["no_count"], hidden["abstain_count"]) == ("", "", "", "")
    hidden_json = next(b for b in json_rows(files, "ballots") if b["proposal_id"] == record["hidden"])
    assert (hidden_json["yes_count"], hidden_json["no_count"], hidden_json["abstain_count"]) == (None, None, None)
    assert all(v["ballot_id"] != hidden["id"] for v in rows(files, "votes"))  # public votes, but not yet visible

    chains = [json.loads(line) for line in files["audit.jsonl"].decode("utf-8").splitlines()]
    proposal_chains = {r["chain_id"] for r in chains if r["chain"] == "proposal"}
    assert proposal_chains == proposal_ids
    votes_on_hidden = [r for r in chains if r["chain_id"] == record["hidden"] and r["action"].startswith("vote")]
    assert len(votes_on_hidden) == 2 and all("choice" not in r["data"] for r in votes_on_hidden)
    assert '"no"' not in json.dumps([r["data"] for r in chains if r["chain_id"] == record["hidden"]])


async def test_council_export_writes_the_same_files(
    client: httpx.AsyncClient, record: dict[str, int], tmp_path: Path
) -> None:
    served = await download(client, tmp_path / "served")
    env = os.environ | {"COLUMNS": "200"}
    result = subprocess.run(
        [COUNCIL, "export", str(tmp_path / "exported")], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert f"wrote {len(served)} files" in result.stdout
    for name, content in served.items():
        assert (tmp_path / "exported" / name).read_bytes() == content, name
    verified = subprocess.run(
        [COUNCIL, "audit", "verify", "--file", str(tmp_path / "exported" / "audit.jsonl")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert verified.returncode == 0 and "ok:" in verified.stdout, verified.stdout + verified.stderr


async def test_answers_are_cacheable(client: httpx.AsyncClient, p: Paths) -> None:
    first = await client.get("/open-data/proposals.csv")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["content-type"].startswith("text/csv")
    again = await client.get("/open-data/proposals.csv", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert (await client.get("/open-data/datapackage.json", headers={"If-None-Match": etag})).status_code == 304
    await p.new_proposal(title="Usulan baru mengubah rekaman")  # a write: a new event, a new ETag
    changed = await client.get("/open-data/proposals.csv", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_unknown_files_are_not_found(client: httpx.AsyncClient) -> None:
    for name in ("members.csv", "proposals.xml", "audit.json", "..%2Fsettings.py"):
        response = await client.get(f"/open-data/{name}")
        assert response.status_code == 404, name


async def test_a_ballot_without_public_votes_publishes_counts_not_choices(
    tmp_path: Path, client: httpx.AsyncClient, gql: Any, p: Paths
) -> None:
    """``votes_public: false``: the vote events say who voted but not what, the votes resource stays empty."""
    with workflow_variant(tmp_path / "workflows", vote={"votes_public": False}):
        pid = await p.new_proposal(title="Usulan dengan suara tidak terbuka")
        await p.drive(pid, "implementation")
    answer = await gql(
        '{ proposal(id: "%s") { ballot { votesPublic result } history { action data } } }' % pid, token=None
    )
    proposal = answer["data"]["proposal"]
    assert proposal["ballot"] == {"votesPublic": False, "result": "APPROVED"}
    cast = [e["data"] for e in proposal["history"] if e["action"] == "vote_cast"]
    assert cast and all("choice" not in d for d in cast)
    files = await download(client, tmp_path / "open-data")
    ballot = next(b for b in rows(files, "ballots") if int(b["proposal_id"]) == pk(pid))
    assert ballot["votes_public"] == "false" and int(ballot["yes_count"]) > 0
    assert [v for v in rows(files, "votes") if v["ballot_id"] == ballot["id"]] == []
