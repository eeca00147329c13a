"""Programmes as data (issue 12): programmes, phases and pillars over GraphQL, the seed format, migration 0008.

The Pekanbaru 2018 seed (conftest) holds one programme (gm100sc-2018, stage II,
Pekanbaru's six pillars); ``tests/seeds/national-2019.yaml`` adds a second
one with the national six dimensions. Times are moved with ``council.clock.now``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from paths import data

from council import clock
from council.programmes.models import Pillar, Programme, ProgrammePhase
from council.proposals.models import Proposal
from council.seeds.loader import SeedError, load_seed

SEEDS = Path(__file__).parent / "seeds"
NATIONAL = SEEDS / "national-2019.yaml"
PEKANBARU_CODES = [
    "smart_governance",
    "smart_people",
    "smart_economy",
    "smart_environment",
    "smart_living",
    "smart_mobility",
]
NATIONAL_CODES = [
    "smart_governance",
    "smart_branding",
    "smart_economy",
    "smart_living",
    "smart_society",
    "smart_environment",
]

PROGRAMME_FIELDS = """
  id name year code stage
  city { name timezone }
  phases { code name startsOn endsOn status }
  currentPhase { code status }
  pillars { code label }
"""
PROGRAMMES = "{ programmes { %s } }" % PROGRAMME_FIELDS
PROGRAMME = "query($id: ID) { programme(id: $id) { %s } }" % PROGRAMME_FIELDS
PILLARS = "query($id: ID) { pillars(programmeId: $id) { code label } }"
CREATE = """
mutation($input: CreateProposalInput!) {
  createProposal(input: $input) {
    proposal { id pillar { code label } programme { code } }
    errors { code field message }
  }
}
"""
UPDATE = """
mutation($input: UpdateProposalInput!) {
  updateProposal(input: $input) { proposal { pillar { code } } errors { code field message } }
}
"""
LIST = "query($pillar: String) { proposals(first: 50, filter: {pillar: $pillar}) { totalCount edges { node { title pillar { code } } } } }"


def at(moment: str) -> Any:
    """A replacement for ``clock.now`` fixed at ``moment`` (ISO 8601 with offset)."""
    fixed = datetime.fromisoformat(moment).astimezone(UTC)
    return lambda: fixed


async def ids_by_code(gql: Any) -> dict[str, str]:
    return {p["code"]: p["id"] for p in data(await gql(PROGRAMMES))["programmes"]}


def draft(pillar: str, title: str = "Usulan program", **more: Any) -> dict[str, Any]:
    return {"input": {"title": title, "summary": "Ringkasan.", "pillar": pillar, "budget": "1000"} | more}


async def test_the_pekanbaru_programme_is_public(gql) -> None:
    programmes = data(await gql(PROGRAMMES))["programmes"]  # anonymous
    assert len(programmes) == 1
    (programme,) = programmes
    assert programme | {"id": None} == {
        "id": None,
        "name": "Gerakan Menuju 100 Smart City",
        "year": 2018,
        "code": "gm100sc-2018",
        "stage": "II",
        "city": {"name": "Kota Pekanbaru", "timezone": "Asia/Jakarta"},
        "phases": [
            {
                "code": "mou",
                "name": "Penandatanganan MoU",
                "startsOn": "2018-05-08",
                "endsOn": "2018-05-08",
                "status": "DONE",
            },
            {
                "code": "bimtek",
                "name": "Bimbingan teknis dan penyusunan masterplan",
                "startsOn": "2018-07-04",
                "endsOn": "2018-10-22",
                "status": "DONE",
            },
            {
                "code": "quick_wins",
                "name": "Percepatan dan quick win",
                "startsOn": "2018-10-23",
                "endsOn": "2019-12-31",
                "status": "DONE",
            },
        ],
        "currentPhase": None,
        "pillars": [{"code": c, "label": c.replace("_", " ").capitalize()} for c in PEKANBARU_CODES],
    }
    current = data(await gql(PROGRAMME))["programme"]
    assert current == programme
    assert data(await gql(PROGRAMME, {"id": programme["id"]}))["programme"] == programme
    indonesian = data(await gql(PILLARS, headers={"Accept-Language": "id"}))["pillars"]
    assert indonesian[0] == {"code": "smart_governance", "label": "Tata kelola pemerintahan yang pintar"}
    assert data(await gql(PROGRAMME, {"id": "UHJvZ3JhbW1lOjk5"}))["programme"] is None  # Programme:99


async def test_phase_status_follows_today_in_the_city_time_zone(gql, monkeypatch: pytest.MonkeyPatch) -> None:
    # 3 July 2018, 17:30 UTC is already 4 July, 00:30 in Pekanbaru (WIB, UTC+7): the first bimtek day.
    monkeypatch.setattr(clock, "now", at("2018-07-03T17:30:00+00:00"))
    programme = data(await gql(PROGRAMME))["programme"]
    assert [(p["code"], p["status"]) for p in programme["phases"]] == [
        ("mou", "DONE"),
        ("bimtek", "ACTIVE"),
        ("quick_wins", "PLANNED"),
    ]
    assert programme["currentPhase"] == {"code": "bimtek", "status": "ACTIVE"}
    monkeypatch.setattr(clock, "now", at("2018-07-03T16:59:59+00:00"))  # 23:59:59 WIB on 3 July
    programme = data(await gql(PROGRAMME))["programme"]
    assert [p["status"] for p in programme["phases"]] == ["DONE", "PLANNED", "PLANNED"]
    assert programme["currentPhase"] is None


async def test_the_current_programme_is_the_one_running_today_else_the_latest(gql, monkeypatch) -> None:
    await load_seed(NATIONAL)
    ids = await ids_by_code(gql)
    assert list(ids) == ["gm100sc-2019", "gm100sc-2018"]  # latest year first

    async def current() -> str:
        return data(await gql(PROGRAMME))["programme"]["code"]

    async def current_pillars() -> list[str]:
        return [p["code"] for p in data(await gql(PILLARS))["pillars"]]

    assert await current() == "gm100sc-2019"  # today (2026): no phase runs, the latest year
    assert await current_pillars() == NATIONAL_CODES
    monkeypatch.setattr(clock, "now", at("2018-08-14T09:00:00+07:00"))  # bimtek II: the 2018 programme runs
    assert await current() == "gm100sc-2018"
    assert await current_pillars() == PEKANBARU_CODES
    monkeypatch.setattr(clock, "now", at("2019-10-01T09:00:00+07:00"))  # both run (2018 quick wins): latest year
    assert await current() == "gm100sc-2019"
    monkeypatch.setattr(clock, "now", at("2017-01-01T00:00:00+07:00"))  # none runs yet: the latest year
    assert await current() == "gm100sc-2019"
    assert data(await gql(PILLARS, {"id": ids["gm100sc-2018"]}))["pillars"][1]["code"] == "smart_people"


async def test_a_proposal_takes_a_pillar_of_its_own_programme(gql, token) -> None:
    await load_seed(NATIONAL)
    ids = await ids_by_code(gql)
    officer = await token("opd.kominfo")

    # No programmeId: the current programme (2019, national dimensions), where smart_people is unknown.
    refused = data(await gql(CREATE, draft("smart_people"), token=officer))["createProposal"]
    assert refused["proposal"] is None
    (error,) = refused["errors"]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "pillar")
    assert error["message"] == f"Unknown pillar 'smart_people'; the programme's pillars are {', '.join(NATIONAL_CODES)}"

    made = data(await gql(CREATE, draft("SMART_SOCIETY", "Warga pintar"), token=officer))["createProposal"]
    assert made["errors"] == []
    assert made["proposal"]["pillar"] == {"code": "smart_society", "label": "Smart society"}
    assert made["proposal"]["programme"] == {"code": "gm100sc-2019"}

    # The 2018 programme by id: its own six pillars, not the national ones.
    old = {"programmeId": ids["gm100sc-2018"]}
    refused = data(await gql(CREATE, draft("smart_branding", **old), token=officer))["createProposal"]
    assert refused["errors"][0]["code"] == "INVALID_INPUT"
    assert refused["errors"][0]["message"].endswith(f"are {', '.join(PEKANBARU_CODES)}")
    made_2018 = data(await gql(CREATE, draft("smart_people", "SDM digital", **old), token=officer))["createProposal"]
    assert made_2018["errors"] == []
    assert made_2018["proposal"]["programme"] == {"code": "gm100sc-2018"}
    indonesian = await gql(
        "query($id: ID!) { proposal(id: $id) { pillar { label } } }",
        {"id": made_2018["proposal"]["id"]},
        token=officer,
        headers={"Accept-Language": "id"},
    )
    assert data(indonesian)["proposal"]["pillar"]["label"] == "Penduduk yang pintar"

    # An edit is checked against the proposal's own programme.
    edit = {"proposalId": made_2018["proposal"]["id"]}
    refused = data(await gql(UPDATE, {"input": edit | {"pillar": "smart_society"}}, token=officer))["updateProposal"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID_INPUT", "pillar")]
    moved = data(await gql(UPDATE, {"input": edit | {"pillar": "smart_mobility"}}, token=officer))["updateProposal"]
    assert moved == {"proposal": {"pillar": {"code": "smart_mobility"}}, "errors": []}

    unknown = data(await gql(CREATE, draft("smart_people", programmeId="UHJvZ3JhbW1lOjk5"), token=officer))
    assert [(e["code"], e["field"]) for e in unknown["createProposal"]["errors"]] == [("NOT_FOUND", "programmeId")]

    listed = data(await gql(LIST, {"pillar": "smart_society"}, token=officer))["proposals"]
    assert [e["node"]["title"] for e in listed["edges"]] == ["Warga pintar"]


async def test_seed_pillars_in_both_places_are_refused_naming_both(tmp_path: Path) -> None:
    seed = yaml.safe_load(NATIONAL.read_text())
    seed["programme"] = seed.pop("programmes")[0]
    seed["pillars"] = [{"code": "smart_governance", "label": {"id": "Tata kelola", "en": "Governance"}}]
    path = tmp_path / "both.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False))
    before = await Programme.all().count(), await Pillar.all().count()
    with pytest.raises(SeedError) as refused:
        await load_seed(path)
    assert str(refused.value).startswith(f"{path}: programme (code gm100sc-2019, line ")
    assert "): pillars: given both here, line " in str(refused.value)
    assert "and at the top level (pillars, line " in str(refused.value)
    assert (await Programme.all().count(), await Pillar.all().count()) == before


@pytest.mark.parametrize(
    ("change", "entry", "reason"),
    [
        (
            lambda s: s["proposals"][0].__setitem__("pillar", "smart_people"),
            "proposals[0] (title 'Festival budaya Melayu daring', line ",
            "unknown pillar 'smart_people'; the pillars of programme gm100sc-2019 are " + ", ".join(NATIONAL_CODES),
        ),
        (
            lambda s: s["programmes"][0]["phases"][1].__setitem__("ends_on", "2019-08-01"),
            "programmes[0] (code gm100sc-2019, line ",
            "phases.1: ends_on 2019-08-01 is before starts_on 2019-09-01",
        ),
        (
            lambda s: s["programmes"][0]["pillars"].append({"code": "smart_living", "label": {"id": "x", "en": "x"}}),
            "programmes[0] (code gm100sc-2019, line ",
            "pillar code smart_living given twice",
        ),
        (
            lambda s: s["proposals"][0].__setitem__("programme", "gm100sc-2030"),
            "proposals[0] (title 'Festival budaya Melayu daring', line ",
            "unknown programme 'gm100sc-2030' (in this file: gm100sc-2019)",
        ),
        (
            lambda s: s.__setitem__("programme", s["programmes"][0]),
            "document",
            "give either 'programme' or 'programmes', not both",
        ),
    ],
    ids=["unknown_pillar", "phase_backwards", "pillar_twice", "unknown_programme", "programme_and_programmes"],
)
async def test_bad_programme_entries_are_refused(tmp_path: Path, change: Any, entry: str, reason: str) -> None:
    seed = yaml.safe_load(NATIONAL.read_text())
    change(seed)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False))
    with pytest.raises(SeedError) as refused:
        await load_seed(path)
    lines = str(refused.value).splitlines()
    assert any(line.startswith(f"{path}: {entry}") and line.endswith(reason) for line in lines), lines
    assert not await Programme.filter(code="gm100sc-2019").exists()


async def test_a_seed_proposal_with_a_pillar_the_database_programme_lacks_is_refused(tmp_path: Path) -> None:
    # No programme and no pillars in the file: the proposal joins the city's first programme, checked there.
    seed = yaml.safe_load(NATIONAL.read_text())
    del seed["programmes"]
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False))
    with pytest.raises(SeedError) as refused:
        await load_seed(path)
    assert str(refused.value) == (
        f"{path}: proposals[0] (title 'Festival budaya Melayu daring', line 7): "
        f"Unknown pillar 'smart_branding'; the programme's pillars are {', '.join(PEKANBARU_CODES)}"
    )
    assert not await Proposal.filter(title="Festival budaya Melayu daring").exists()


async def test_loading_a_programme_twice_changes_nothing() -> None:
    first = await load_seed(NATIONAL)
    again = await load_seed(NATIONAL)
    assert (first.programmes.created, again.programmes.created, again.programmes.existing) == (1, 0, 1)
    assert await ProgrammePhase.filter(programme__code="gm100sc-2019").count() == 2
    assert await Pillar.filter(programme__code="gm100sc-2019").count() == 6


COUNCIL = str(Path(sys.executable).with_name("council"))
AT_0007 = """
import asyncio
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from council.db import tortoise_config

async def main():
    try:
        await migrate(config=tortoise_config(), target="council.0007_signing_keys")
    finally:
        await Tortoise.close_connections()

asyncio.run(main())
"""


def test_migration_0008_moves_existing_proposals_into_the_first_programme(tmp_path: Path) -> None:
    """A SQLite database at 0007 with the data of that time (pillar codes of the old enum), then ``council migrate``."""
    db = tmp_path / "at-0007.sqlite3"
    env = os.environ | {"COUNCIL_DATABASE_URL": f"sqlite://{db}", "COUNCIL_KEYS_DIR": str(tmp_path / "keys")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)

    at_0007 = run(sys.executable, "-c", AT_0007)
    assert at_0007.returncode == 0, at_0007.stderr
    t0 = "2017-11-02T03:00:00+00:00"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO city (id, name, timezone, locale, province, updated_at) "
            "VALUES (1, 'Kota Pekanbaru', 'Asia/Jakarta', 'id-ID', 'Riau', ?)",
            (t0,),
        )
        conn.execute(
            "INSERT INTO organization (id, code, name, kind, created_at) VALUES (1, 'diskominfotik', 'Dinas', 'opd', ?)",
            (t0,),
        )
        conn.execute(
            "INSERT INTO member (id, username, display_name, organization_id, roles, is_active, password_hash, "
            "created_at) VALUES (1, 'opd.kominfo', 'Rina', 1, '[\"opd_officer\"]', 1, '', ?)",
            (t0,),
        )
        for pid, pillar in ((1, "smart_living"), (2, "smart_mobility")):
            conn.execute(
                "INSERT INTO proposal (id, title, summary, pillar, budget, organization_id, author_id, state, "
                "workflow_name, workflow_version, version, review_round, created_at, updated_at) "
                "VALUES (?, ?, 'summary', ?, 1000, 1, 1, 'draft', 'default', 1, 1, 0, ?, ?)",
                (pid, f"Usulan {pid}", pillar, t0, t0),
            )

    migrated = run(COUNCIL, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "applied council.0008_programmes" in migrated.stdout
    with sqlite3.connect(db) as conn:
        programmes = conn.execute("SELECT id, code, name, year, stage FROM programme").fetchall()
        pillars = conn.execute("SELECT code, labels FROM pillar WHERE programme_id = 1 ORDER BY position").fetchall()
        proposals = conn.execute("SELECT id, programme_id, pillar FROM proposal ORDER BY id").fetchall()
        unique = [
            [col[2] for col in conn.execute(f"PRAGMA index_info('{index[1]}')")]
            for index in conn.execute("PRAGMA index_list(proposal)")
            if index[2]
        ]
    assert programmes == [(1, "smart-city", "Kota Pekanbaru Smart City", 2017, None)]
    assert [code for code, _ in pillars] == PEKANBARU_CODES
    assert pillars[0][1] == '{"id":"Tata kelola pemerintahan yang pintar","en":"Smart governance"}'
    assert proposals == [(1, 1, "smart_living"), (2, 1, "smart_mobility")]
    assert ["organization_id", "title"] in unique  # the SQLite table rebuild keeps UNIQUE (organization, title)
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO proposal (title, summary, pillar, budget, organization_id, author_id, state, workflow_name, "
            "workflow_version, version, review_round, created_at, updated_at, programme_id) "
            "VALUES ('Usulan 1', 's', 'smart_living', 1, 1, 1, 'draft', 'default', 1, 1, 0, ?, ?, 1)",
            (t0, t0),
        )

    # The city's seed loads on top: its programme joins the migrated one, the existing rows stay.
    seeded = run(COUNCIL, "seed", "pekanbaru-2018")
    assert seeded.returncode == 0, seeded.stderr
    with sqlite3.connect(db) as conn:
        codes = [row[0] for row in conn.execute("SELECT code FROM programme ORDER BY id")]
        assert conn.execute("SELECT programme_id FROM proposal WHERE id <= 2").fetchall() == [(1,), (1,)]
    assert codes == ["smart-city", "gm100sc-2018"]
