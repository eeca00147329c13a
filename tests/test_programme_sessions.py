"""Programme sessions (issue 12, item 5): the seeded bimtek over GraphQL, anonymously; the seed's checks; batching.

The Pekanbaru 2018 seed (conftest) gives programme gm100sc-2018 the four
bimtek of the report: 4-5 July, 14-15 August, 13-14 September and 22 October
2018, the OPD attending each, the mayor and the universities at the fourth,
where the master plan was finalised and the commitment signed.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from paths import data

from council.programmes.models import Programme
from council.programmes.session_models import ProgrammeSession, SessionAttendance, SessionKind, SessionOutput
from council.seeds.loader import BUILTIN_DIR, SeedError, load_seed

OPDS = [
    "diskominfotik",
    "pupr",
    "dlhk",
    "dishub",
    "disdukcapil",
    "dpmptsp",
    "disdik",
    "diskes",
    "diskopukm",
    "bappeda",
    "bapenda",
    "setda",
]
SESSIONS = """
{ programmes { code sessions {
    id kind title startsOn endsOn place
    attendance { present role member { username } organization { code kind } }
    outputs { title url masterPlanVersion }
} } }
"""
MAX_STATEMENTS = 8
"""Upper bound for :data:`SESSIONS`, whatever the number of sessions: city, programmes, sessions,
attendance, outputs, members, organisations (and the city's today, when asked)."""


def _pekanbaru(body: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in data(body)["programmes"] if p["code"] == "gm100sc-2018")


async def test_the_seeded_programme_has_the_four_bimtek_in_order_read_anonymously(gql):
    programme = _pekanbaru(await gql(SESSIONS))
    sessions = programme["sessions"]
    assert [(s["kind"], s["title"], s["startsOn"], s["endsOn"]) for s in sessions] == [
        ("BIMTEK", "Bimbingan Teknis I", "2018-07-04", "2018-07-05"),
        ("BIMTEK", "Bimbingan Teknis II", "2018-08-14", "2018-08-15"),
        ("BIMTEK", "Bimbingan Teknis III", "2018-09-13", "2018-09-14"),
        ("BIMTEK", "Bimbingan Teknis IV", "2018-10-22", "2018-10-22"),
    ]
    for session in sessions[:3]:
        orgs = [a["organization"]["code"] for a in session["attendance"]]
        assert orgs == ["kemenkominfo", "technical_team", *OPDS]
        assert all(a["member"] is None and a["present"] for a in session["attendance"])
    fourth = sessions[3]
    by_org = {(a["organization"]["code"], (a["member"] or {}).get("username")) for a in fourth["attendance"]}
    assert {(code, None) for code in OPDS} <= by_org
    assert {("unri", None), ("pcr", None), ("council", "walikota")} <= by_org
    assert len(fourth["attendance"]) == 20
    assert [o["title"] for o in fourth["outputs"]] == [
        "Masterplan Pekanbaru Smart City (final)",
        "Komitmen bersama percepatan Pekanbaru Smart City Madani",
    ]
    assert sessions[2]["outputs"] == [
        {"title": "Draf masterplan Pekanbaru Smart City", "url": None, "masterPlanVersion": None}
    ]
    assert len({s["id"] for s in sessions}) == 4


async def test_loading_the_seed_again_adds_no_session():
    report = await load_seed("pekanbaru-2018")
    assert (report.sessions.created, report.sessions.existing) == (0, 4)
    assert await ProgrammeSession.all().count() == 4
    assert await SessionAttendance.all().count() == 3 * 14 + 20


def _seed_with_session(tmp_path: Path, change: Any) -> Path:
    """The built-in seed with a new programme holding one session, changed by ``change``."""
    seed = yaml.safe_load((BUILTIN_DIR / "pekanbaru-2018.yaml").read_text())
    seed["programme"] |= {"code": "sessions-test", "year": 2030}
    session = {
        "kind": "council_meeting",
        "title": "Rapat Dewan",
        "starts_on": "2030-01-10",
        "place": "Kantor Wali Kota",
        "attendance": ["council", {"member": "kepala.pupr", "role": "narasumber"}],
        "outputs": [{"title": "Notulen", "url": "https://example.org/notulen.pdf", "master_plan_version": 2}],
    }
    seed["programme"]["sessions"] = [session]
    change(session)
    path = tmp_path / "sessions.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False, allow_unicode=True))
    return path


async def test_a_new_session_records_members_organisations_and_outputs(tmp_path: Path, gql):
    report = await load_seed(_seed_with_session(tmp_path, lambda s: None))
    assert report.sessions.created == 1
    body = await gql(SESSIONS)
    programme = next(p for p in data(body)["programmes"] if p["code"] == "sessions-test")
    [session] = programme["sessions"]
    assert (session["kind"], session["startsOn"], session["endsOn"], session["place"]) == (
        "COUNCIL_MEETING",
        "2030-01-10",
        "2030-01-10",
        "Kantor Wali Kota",
    )
    assert [(a["organization"]["code"], a["member"], a["role"]) for a in session["attendance"]] == [
        ("council", None, None),
        ("pupr", {"username": "kepala.pupr"}, "narasumber"),
    ]
    assert session["outputs"] == [
        {"title": "Notulen", "url": "https://example.org/notulen.pdf", "masterPlanVersion": 2}
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda s: s.__setitem__("kind", "workshop"),
            "sessions.0.kind: unknown session kind 'workshop' (one of bimtek, council_meeting, other)",
        ),
        (
            lambda s: s.__setitem__("ends_on", "2030-01-09"),
            "sessions.0: ends_on 2030-01-09 is before starts_on 2030-01-10",
        ),
        (
            lambda s: s["attendance"].append("dinas-antah"),
            "sessions[0] (title 'Rapat Dewan', line ",
        ),
        (
            lambda s: s["attendance"].append({"organization": "kepala.pupr"}),
            "sessions[0] (title 'Rapat Dewan', line ",
        ),
        (
            lambda s: s["outputs"].append({"title": "Foto", "url": "ftp://x"}),
            "sessions.0.outputs.1.url: must be an http or https URL",
        ),
    ],
    ids=["bad_kind", "ends_before_starts", "unknown_organisation", "username_as_organisation", "bad_url"],
)
async def test_bad_sessions_are_refused_naming_file_and_entry(tmp_path: Path, change: Any, reason: str) -> None:
    path = _seed_with_session(tmp_path, change)
    before = await ProgrammeSession.all().count(), await SessionAttendance.all().count()
    with pytest.raises(SeedError) as refused:
        await load_seed(path)
    lines = str(refused.value).splitlines()
    assert any(line.startswith(f"{path}: programme (code sessions-test, line ") and reason in line for line in lines), (
        lines
    )
    assert not await Programme.filter(code="sessions-test").exists()
    assert (await ProgrammeSession.all().count(), await SessionAttendance.all().count()) == before


async def test_an_unknown_attendance_names_what_is_unknown(tmp_path: Path) -> None:
    with pytest.raises(SeedError) as refused:
        await load_seed(_seed_with_session(tmp_path, lambda s: s["attendance"].append("dinas-antah")))
    assert str(refused.value).endswith(
        "attendance.2: unknown organisation or member 'dinas-antah' (neither in this file nor in the database)"
    )
    with pytest.raises(SeedError) as refused:
        await load_seed(_seed_with_session(tmp_path, lambda s: s["attendance"].append({"organization": "kepala.pupr"})))
    assert str(refused.value).endswith(
        "attendance.2: unknown organisation 'kepala.pupr' (neither in this file nor in the database)"
    )


async def test_sessions_with_attendance_cost_a_bounded_number_of_statements(gql, count_statements):
    count_statements.statements.clear()
    first = _pekanbaru(await gql(SESSIONS))
    few = len(count_statements.statements)

    programme = await Programme.get(code="gm100sc-2018")
    start = date(2018, 11, 1)
    await ProgrammeSession.bulk_create(
        [
            ProgrammeSession(
                programme_id=programme.id,
                kind=SessionKind.COUNCIL_MEETING,
                title=f"Rapat Dewan {i}",
                starts_on=start + timedelta(days=7 * i),
                ends_on=start + timedelta(days=7 * i),
            )
            for i in range(30)
        ]
    )
    meetings = await ProgrammeSession.filter(title__startswith="Rapat Dewan ").values_list("id", flat=True)
    copy = await SessionAttendance.filter(session__title="Bimbingan Teknis IV").values(
        "member_id", "organization_id", "present", "role"
    )
    await SessionAttendance.bulk_create([SessionAttendance(session_id=s, **row) for s in meetings for row in copy])
    await SessionOutput.bulk_create([SessionOutput(session_id=s, title="Notulen") for s in meetings])

    count_statements.statements.clear()
    many = _pekanbaru(await gql(SESSIONS))
    print(f"SQL statements: 4 sessions -> {few}, 34 sessions -> {len(count_statements.statements)}")
    assert len(many["sessions"]) == 34 and many["sessions"][:4] == first["sessions"]
    assert all(len(s["attendance"]) == 20 for s in many["sessions"][4:])
    assert len(count_statements.statements) == few <= MAX_STATEMENTS
