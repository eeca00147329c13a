"""The administrator's CLI: migrations gate, workflow validation, audit verification.

Each test runs the real ``council`` command in a subprocess on its own SQLite
file, so it never touches the database of the rest of the suite.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

COUNCIL = str(Path(sys.executable).with_name("council"))


def run(args: list[str], db: Path, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = (
        os.environ
        | {
            "COUNCIL_DATABASE_URL": f"sqlite://{db}",
            "COUNCIL_KEYS_DIR": str(tmp_path / "keys"),
            "COLUMNS": "200",
        }
        | env
    )
    return subprocess.run([COUNCIL, *args], capture_output=True, text=True, env=environment, timeout=120)


def test_serve_refuses_a_database_behind_its_migrations(tmp_path: Path) -> None:
    result = run(["serve", "--port", "0"], tmp_path / "fresh.sqlite3", tmp_path)
    assert result.returncode == 1
    assert "council migrate" in result.stderr
    assert "0001_initial" in result.stderr


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    first = run(["migrate"], db, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "applied council.0001_initial" in first.stdout
    second = run(["migrate"], db, tmp_path)
    assert second.returncode == 0 and "up to date" in second.stdout


def test_audit_verify_finds_a_tampered_event(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(["migrate"], db, tmp_path).returncode == 0
    assert run(["seed", "pekanbaru-2018"], db, tmp_path).returncode == 0
    ok = run(["audit", "verify"], db, tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "10 events in 10 chains verified" in ok.stdout  # 8 proposals, the master plan, the commitment
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE audit_event SET data = '{\"budget\":1}' WHERE seq = 1 AND chain_kind = 'proposal' AND chain_id = 2"
        )
    bad = run(["audit", "verify"], db, tmp_path)
    assert bad.returncode == 1
    assert "proposal 2 event 1: hash does not match the content" in bad.stdout


GOOD = """\
name: demo
version: 1
initial: draft
states:
  - {name: draft}
  - {name: review}
  - {name: done, final: true}
transitions:
  - {trigger: submit, source: draft, dest: review, roles: [opd_officer], scope: proposals:write}
  - {trigger: finish, source: review, dest: done, roles: [technical_team], scope: reviews:write}
"""

BAD = {
    "unknown_state": (
        GOOD.replace("dest: done", "dest: finished"),
        "transitions[1] (finish): unknown state 'finished'",
    ),
    "unreachable_state": (
        GOOD.replace("  - {name: done, final: true}", "  - {name: done, final: true}\n  - {name: limbo, final: true}"),
        "states (limbo): state 'limbo' cannot be reached from 'draft'",
    ),
    "unknown_guard": (
        GOOD.replace("scope: reviews:write}", "scope: reviews:write, guards: [enough_coffee]}"),
        "transitions[1] (finish): unknown guard 'enough_coffee'",
    ),
    "bad_guard_parameter": (
        GOOD.replace("scope: reviews:write}", "scope: reviews:write, guards: [{min_reviews: {count: -1}}]}"),
        "guard 'min_reviews': parameter 'count' has a bad value -1",
    ),
    "ambiguous_transitions": (
        GOOD + "  - {trigger: finish, source: review, dest: draft, roles: [technical_team], scope: reviews:write}\n",
        "transitions[2] (finish): same trigger and source 'review' as transitions[1] with the same guards",
    ),
    "unknown_role": (
        GOOD.replace("roles: [technical_team]", "roles: [mayor]"),
        "transitions[1] (finish): unknown role 'mayor'",
    ),
    "dead_end": (
        GOOD.replace(
            "  - {trigger: finish, source: review, dest: done, roles: [technical_team], scope: reviews:write}\n", ""
        )
        + "  - {trigger: skip, source: draft, dest: done, roles: [opd_officer], scope: proposals:write}\n",
        "states (review): state 'review' is not final and has no transition out",
    ),
    "quorum_above_one": (
        GOOD.replace("  - {name: review}", "  - {name: review, vote: {quorum: 1.5}}"),
        "states[1] (review).vote: quorum must be a share above 0 and below 1",
    ),
    "negative_window": (
        GOOD.replace("  - {name: review}", "  - {name: review, vote: {window: -P7D}}"),
        "states[1] (review).vote: window: '-P7D' is negative",
    ),
    "unknown_vote_key": (
        GOOD.replace("  - {name: review}", "  - {name: review, vote: {majority: 0.5}}"),
        "states[1] (review).vote: unknown key(s) ['majority']",
    ),
    "window_without_a_way_out": (
        GOOD.replace("  - {name: review}", "  - {name: review, vote: {window: P7D}}"),
        "a vote with a window needs a transition out of 'review' guarded by deadline_passed",
    ),
    "not_yaml": ("name: [unclosed\n", "not valid YAML"),
}


def test_workflow_check_accepts_the_shipped_definitions(tmp_path: Path) -> None:
    result = run(["workflows", "check"], tmp_path / "x.sqlite3", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ok: quick-win version 1, 7 states, 9 transitions" in result.stdout


@pytest.mark.parametrize("case", sorted(BAD))
def test_workflow_check_refuses_a_bad_definition(case: str, tmp_path: Path) -> None:
    text, reason = BAD[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(textwrap.dedent(text))
    result = run(["workflows", "check", str(path)], tmp_path / "x.sqlite3", tmp_path)
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert str(path) in message
    assert reason in message


def test_server_refuses_a_bad_workflow_folder(tmp_path: Path) -> None:
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "quick-win.yaml").write_text(BAD["unknown_guard"][0])
    db = tmp_path / "db.sqlite3"
    assert run(["migrate"], db, tmp_path).returncode == 0
    result = run(["seed", "pekanbaru-2018"], db, tmp_path, COUNCIL_WORKFLOWS_DIR=str(folder))
    assert result.returncode != 0
    assert "unknown guard 'enough_coffee'" in " ".join((result.stderr + result.stdout).split())
