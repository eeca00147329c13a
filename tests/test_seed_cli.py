"""``council seed`` through the command line: the built-in seed, custom files, bad files.

Each test runs the installed ``council`` script in a subprocess against its own
SQLite file (a copy of a migrated, or migrated and seeded, template) and
counts rows with the ``sqlite3`` module, read-only. These tests always use
SQLite, even when ``COUNCIL_TEST_DATABASE_URL`` names PostgreSQL: they need a
fresh database per test, which a shared server database is not.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

TABLES = ("organization", "member", "proposal", "audit_event")
PEKANBARU = {
    "organization": 19,
    "member": 24,
    "proposal": 8,
    "audit_event": 10,
}  # 8 proposals, the master plan, the commitment


def _council() -> str:
    beside = Path(sys.executable).parent / "council"
    found = str(beside) if beside.exists() else shutil.which("council")
    assert found, "the council console script is not installed"
    return found


COUNCIL = _council()


class Db:
    """A SQLite database file and the environment that points ``council`` at it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "db.sqlite3"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("COUNCIL_")}
        self.env["COUNCIL_DATABASE_URL"] = f"sqlite://{self.path}"
        self.env["PYTHONIOENCODING"] = "utf-8"

    def council(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [COUNCIL, *args], cwd=self.folder, env=self.env, capture_output=True, text=True, timeout=120
        )

    def counts(self) -> dict[str, int]:
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as con:
            return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as con:
            return con.execute(sql, params).fetchall()

    def copy_to(self, folder: Path) -> Db:
        other = Db(folder)
        for suffix in ("", "-wal", "-shm"):
            source = Path(f"{self.path}{suffix}")
            if source.exists():
                shutil.copy(source, f"{other.path}{suffix}")
        return other


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Db:
    db = Db(tmp_path_factory.mktemp("migrated"))
    result = db.council("migrate")
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture(scope="module")
def seeded(migrated: Db, tmp_path_factory: pytest.TempPathFactory) -> Db:
    db = migrated.copy_to(tmp_path_factory.mktemp("seeded"))
    result = db.council("seed", "pekanbaru-2018")
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture
def empty_db(migrated: Db, tmp_path: Path) -> Db:
    return migrated.copy_to(tmp_path)


@pytest.fixture
def seeded_db(seeded: Db, tmp_path: Path) -> Db:
    return seeded.copy_to(tmp_path)


def _row(stdout: str, kind: str) -> tuple[int, int]:
    match = re.search(rf"{kind}\W+(\d+)\W+(\d+)", stdout)
    assert match, stdout
    return int(match[1]), int(match[2])


DUMAI: dict[str, Any] = {
    "city": {"name": "Kota Dumai", "province": "Riau", "timezone": "Asia/Jakarta", "locale": "id-ID"},
    "organizations": [
        {"code": "dumai-diskominfo", "kind": "opd", "name": "Dinas Komunikasi dan Informatika Kota Dumai"},
        {"code": "dumai-dewan", "kind": "council", "name": "Dewan Smart City Dumai"},
    ],
    "members": [
        {"username": "opd.dumai", "name": "Budi Santoso", "organization": "dumai-diskominfo", "roles": ["opd_officer"]},
        {"username": "walikota.dumai", "name": "Agus Salim", "organization": "dumai-dewan", "roles": ["council_chair"]},
        # unri is not in this file: it is already in the database (Pekanbaru's seed)
        {"username": "dosen.unri", "name": "Sri Wahyuni", "organization": "unri", "roles": ["council_member"]},
    ],
    "proposals": [
        {
            "title": "Pelabuhan pintar Dumai",
            "summary": "Sistem informasi bongkar muat pelabuhan Dumai secara daring.",
            "pillar": "smart_mobility",
            "organization": "dumai-diskominfo",
            "author": "opd.dumai",
            "budget": 42500000000,
        },
        {
            "title": "Perpustakaan digital Dumai",
            "summary": "Layanan perpustakaan daring untuk pelajar Kota Dumai.",
            "pillar": "smart_people",
            "organization": "dumai-diskominfo",
            "author": "opd.dumai",
            "budget": 750000000,
        },
    ],
}


def _write(folder: Path, data: dict[str, Any], name: str = "dumai.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_pekanbaru_loads(empty_db: Db) -> None:
    result = empty_db.council("seed", "pekanbaru-2018")
    assert result.returncode == 0, result.stderr
    assert empty_db.counts() == PEKANBARU
    assert "Kota Pekanbaru" in result.stdout
    assert _row(result.stdout, "programmes") == (1, 0)
    assert _row(result.stdout, "master plans") == (1, 0)
    assert _row(result.stdout, "organisations") == (19, 0)
    assert _row(result.stdout, "members") == (24, 0)
    assert _row(result.stdout, "proposals") == (8, 0)
    assert _row(result.stdout, "commitments") == (1, 0)
    assert empty_db.query("SELECT code, year, stage FROM programme") == [("gm100sc-2018", 2018, "II")]
    assert empty_db.query("SELECT DISTINCT programme_id FROM proposal") == [(1,)]
    assert empty_db.query("SELECT name, timezone, locale FROM city") == [("Kota Pekanbaru", "Asia/Jakarta", "id-ID")]
    seats = [r for (r,) in empty_db.query("SELECT roles FROM member") if "council_" in r]
    assert len(seats) == 7
    chair = empty_db.query(
        "SELECT m.username, o.code FROM member m JOIN organization o ON o.id = m.organization_id "
        "WHERE m.roles LIKE '%council_chair%'"
    )
    assert chair == [("walikota", "council")]
    states = empty_db.query("SELECT DISTINCT state, workflow_name, workflow_version FROM proposal")
    assert states == [("draft", "quick-win", 2)]  # the seed's drafts start on the latest version
    events = empty_db.query("SELECT chain_kind, action, to_state, actor_name, seq FROM audit_event")
    assert set(events) == {
        ("proposal", "created", "draft", "system", 1),
        ("master_plan", "version_added", None, "system", 1),
        ("commitment", "created", "open", "system", 1),
    }
    linked = empty_db.query("SELECT COUNT(*) FROM proposal WHERE plan_programme_id IS NOT NULL")
    assert linked == [(4,)]
    # every proposal's author is an officer of the proposal's organisation
    mismatched = empty_db.query(
        "SELECT p.title FROM proposal p JOIN member m ON m.id = p.author_id "
        "WHERE m.organization_id != p.organization_id OR m.roles NOT LIKE '%opd_officer%'"
    )
    assert mismatched == []


def test_pekanbaru_twice_creates_nothing(seeded_db: Db) -> None:
    before = seeded_db.counts()
    assert before == PEKANBARU
    result = seeded_db.council("seed", "pekanbaru-2018")
    assert result.returncode == 0, result.stderr
    assert seeded_db.counts() == before
    assert _row(result.stdout, "programmes") == (0, 1)
    assert _row(result.stdout, "master plans") == (0, 1)
    assert _row(result.stdout, "organisations") == (0, 19)
    assert _row(result.stdout, "members") == (0, 24)
    assert _row(result.stdout, "proposals") == (0, 8)
    assert _row(result.stdout, "commitments") == (0, 1)


def test_custom_city_loads_and_budget_round_trips(seeded_db: Db) -> None:
    path = _write(seeded_db.folder, DUMAI)
    result = seeded_db.council("seed", str(path))
    assert result.returncode == 0, result.stderr
    assert "Kota Dumai" in result.stdout
    counts = seeded_db.counts()
    assert counts == {"organization": 21, "member": 27, "proposal": 10, "audit_event": 12}
    budget = seeded_db.query("SELECT budget FROM proposal WHERE title = ?", "Pelabuhan pintar Dumai")
    assert budget == [(42500000000,)]
    assert isinstance(budget[0][0], int)
    member = seeded_db.query(
        "SELECT o.code FROM member m JOIN organization o ON o.id = m.organization_id WHERE m.username = 'dosen.unri'"
    )
    assert member == [("unri",)]
    again = seeded_db.council("seed", str(path))
    assert again.returncode == 0, again.stderr
    assert seeded_db.counts() == counts
    assert _row(again.stdout, "proposals") == (0, 2)
    # the city stored by the first seed stays (a seed's rows already present are left as they are)
    assert seeded_db.query("SELECT name FROM city") == [("Kota Pekanbaru",)]


def _mutate(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(DUMAI)
    change(data)
    return data


def _set(section: str, index: int, key: str, value: Any) -> Any:
    return lambda d: d[section][index].__setitem__(key, value)


BAD_FILES = {
    "unknown_pillar": (
        _set("proposals", 1, "pillar", "smart_weather"),
        "proposals[1] (title 'Perpustakaan digital Dumai'",
        "Unknown pillar 'smart_weather'",
    ),
    "unknown_organization": (
        _set("members", 0, "organization", "dinas-hantu"),
        "members[0] (username opd.dumai",
        "unknown organisation 'dinas-hantu'",
    ),
    "duplicate_username": (
        lambda d: d["members"].append(dict(d["members"][0], name="Budi Lain")),
        "members[3] (username opd.dumai",
        "duplicate username",
    ),
    "negative_budget": (
        _set("proposals", 0, "budget", -1000),
        "proposals[0] (title 'Pelabuhan pintar Dumai'",
        "whole number of rupiah",
    ),
    "fractional_budget": (
        _set("proposals", 0, "budget", 1500000.5),
        "proposals[0] (title 'Pelabuhan pintar Dumai'",
        "whole number of rupiah",
    ),
    "missing_field": (
        lambda d: d["proposals"][1].pop("summary"),
        "proposals[1] (title 'Perpustakaan digital Dumai'",
        "missing field 'summary'",
    ),
    "title_too_long": (
        _set("proposals", 1, "title", "Perpustakaan " + "x" * 200),
        "proposals[1] (title 'Perpustakaan xxx",
        "Title is longer than 200 characters",
    ),
    "unknown_author": (
        _set("proposals", 0, "author", "hantu"),
        "proposals[0] (title 'Pelabuhan pintar Dumai'",
        "unknown author 'hantu'",
    ),
    "author_outside_organization": (
        _set("proposals", 0, "author", "opd.kominfo"),
        "proposals[0] (title 'Pelabuhan pintar Dumai'",
        "'opd.kominfo' is not a member of organisation 'dumai-diskominfo'",
    ),
    "unknown_role": (
        _set("members", 1, "roles", ["mayor"]),
        "members[1] (username walikota.dumai",
        "unknown role 'mayor'",
    ),
    "unknown_kind": (
        _set("organizations", 1, "kind", "parliament"),
        "organizations[1] (code dumai-dewan",
        "unknown organisation kind 'parliament'",
    ),
    "unknown_field": (
        _set("organizations", 0, "budget", 5),
        "organizations[0] (code dumai-diskominfo",
        "unknown field 'budget'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_refused_and_writes_nothing(seeded_db: Db, case: str) -> None:
    change, entry, reason = BAD_FILES[case]
    path = _write(seeded_db.folder, _mutate(change), f"{case}.yaml")
    before = seeded_db.counts()
    result = seeded_db.council("seed", str(path))
    assert result.returncode == 1, result.stdout
    assert f"{path}: {entry}" in result.stderr
    assert reason in result.stderr
    assert seeded_db.counts() == before
    assert seeded_db.query("SELECT code FROM organization WHERE code LIKE 'dumai-%'") == []


# One username rule (council.organizations.rules.clean_username) for `council members create` and the seed.
GOOD_USERNAMES = ["ab", "budi.santoso", "b_s-1", "9lives", "x" * 64]
BAD_USERNAMES = ["a", "Budi", "-budi", ".budi", "budi santoso", "budi\n", "client.budi", "x" * 65, "budi@dumai", ""]


def _member_by_cli_and_by_seed(
    seeded: Db, folder: Path, username: str
) -> tuple[Path, list[tuple[subprocess.CompletedProcess[str], Db]]]:
    """Create ``username`` with ``council members create`` on one copy and ``council seed`` on another."""
    (folder / "cli").mkdir()
    (folder / "seed").mkdir()
    by_cli, by_seed = seeded.copy_to(folder / "cli"), seeded.copy_to(folder / "seed")
    created = by_cli.council(
        "members",
        "create",
        "--name",
        "Nama Uji",
        "--organization",
        "council",
        "--role",
        "council_member",
        "--",
        username,
    )  # "--": "-budi" is no option
    entry = {"username": username, "name": "Nama Uji", "organization": "dumai-diskominfo", "roles": ["opd_officer"]}
    path = _write(by_seed.folder, _mutate(lambda d: d["members"].append(entry)))
    seeded_file = by_seed.council("seed", str(path))
    return path, [(created, by_cli), (seeded_file, by_seed)]


@pytest.mark.parametrize("username", GOOD_USERNAMES)
def test_a_good_username_is_taken_by_the_cli_and_the_seed(seeded: Db, tmp_path: Path, username: str) -> None:
    _, results = _member_by_cli_and_by_seed(seeded, tmp_path, username)
    for result, db in results:
        assert result.returncode == 0, result.stderr
        assert db.query("SELECT count(*) FROM member WHERE username = ?", username) == [(1,)]


@pytest.mark.parametrize("username", BAD_USERNAMES)
def test_a_bad_username_is_refused_by_the_cli_and_the_seed(seeded: Db, tmp_path: Path, username: str) -> None:
    path, results = _member_by_cli_and_by_seed(seeded, tmp_path, username)
    for result, db in results:
        assert result.returncode == 1, result.stdout
        message = " ".join(result.stderr.split())
        assert f"username {username!r} must be 2 to 64 of a-z 0-9 . _ -" in message, result.stderr
        assert db.counts() == PEKANBARU
    seed_errors = results[1][0].stderr
    assert f"{path}: members[3] (username" in seed_errors, seed_errors


def test_bad_yaml_is_refused(seeded_db: Db) -> None:
    path = seeded_db.folder / "broken.yaml"
    text = "city: {name: Kota Dumai, timezone: Asia/Jakarta}\norganizations: [\n  {code: x\n"
    path.write_text(text, encoding="utf-8")
    before = seeded_db.counts()
    result = seeded_db.council("seed", str(path))
    assert result.returncode == 1
    assert f"{path}: line " in result.stderr
    assert "not valid YAML" in result.stderr
    assert seeded_db.counts() == before


@pytest.mark.parametrize("text", ["- just\n- a list\n", "", "plain text\n"])
def test_not_a_mapping_is_refused(empty_db: Db, text: str) -> None:
    path = empty_db.folder / "list.yaml"
    path.write_text(text, encoding="utf-8")
    result = empty_db.council("seed", str(path))
    assert result.returncode == 1
    assert f"{path}: document: must be a mapping" in result.stderr
    assert empty_db.counts() == dict.fromkeys(TABLES, 0)


def test_every_problem_is_listed(empty_db: Db) -> None:
    def change(d: dict[str, Any]) -> None:
        d["pillars"] = [{"code": "smart_mobility", "label": {"id": "Mobilitas", "en": "Mobility"}}]
        d["proposals"][0]["budget"] = -1
        d["proposals"][1]["pillar"] = "smart_weather"

    path = _write(empty_db.folder, _mutate(change), "two.yaml")
    result = empty_db.council("seed", str(path))
    assert result.returncode == 1
    assert f"{path}: proposals[0]" in result.stderr
    assert f"{path}: proposals[1]" in result.stderr
    assert (
        "unknown pillar 'smart_weather'; the pillars of the city's first programme are smart_mobility" in result.stderr
    )


def test_unknown_source(empty_db: Db) -> None:
    result = empty_db.council("seed", "atlantis-2030")
    assert result.returncode == 1
    assert "atlantis-2030: document: no such file" in result.stderr
    assert "pekanbaru-2018" in result.stderr


def test_refuses_a_database_behind_migrations(tmp_path: Path) -> None:
    db = Db(tmp_path)
    result = db.council("seed", "pekanbaru-2018")
    assert result.returncode == 1
    assert "council migrate" in result.stderr
