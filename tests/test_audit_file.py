"""``council audit verify --file``: the exported ``audit.jsonl`` checked with no database at all.

The file comes from ``GET /open-data/audit.jsonl`` after a proposal went through review and a vote; the
verifier runs as the real ``council`` command in a subprocess whose ``COUNCIL_DATABASE_URL`` names a port
nobody listens on, so any attempt to reach a database would fail the test. Exit codes: 0 ok, 1 a fault
(the first break named first), 2 the file cannot be read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from paths import Paths

COUNCIL = str(Path(sys.executable).with_name("council"))
NO_DATABASE = "postgres://nobody@127.0.0.1:9/none"
"""Port 9 (discard): nothing answers there, so a verifier that tried to connect would fail."""


def verify(path: Path, tmp_path: Path, database: str | None = NO_DATABASE) -> subprocess.CompletedProcess[str]:
    """``council audit verify --file path`` with ``COUNCIL_DATABASE_URL`` set to ``database`` (None: unset)."""
    env = os.environ | {"COUNCIL_DATABASE_URL": NO_DATABASE, "COUNCIL_KEYS_DIR": str(tmp_path / "k"), "COLUMNS": "200"}
    if database is None:
        del env["COUNCIL_DATABASE_URL"]
    return subprocess.run(
        [COUNCIL, "audit", "verify", "--file", str(path)], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.fixture
async def exported(client: httpx.AsyncClient, p: Paths, tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """audit.jsonl with a proposal voted on and in implementation, and its records."""
    pid = await p.new_proposal(title="Lampu jalan pintar")
    await p.drive(pid, "implementation")
    response = await client.get("/open-data/audit.jsonl")
    assert response.status_code == 200
    path = tmp_path / "audit.jsonl"
    path.write_bytes(response.content)
    return path, [json.loads(line) for line in response.text.splitlines()]


def _proposal_lines(records: list[dict[str, Any]]) -> list[int]:
    """0-based indexes of the lines of proposal chains."""
    return [i for i, r in enumerate(records) if r["chain"] == "proposal"]


async def test_the_exported_chains_verify_without_a_database(
    exported: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    path, records = exported
    assert len(_proposal_lines(records)) >= 6  # created, submitted, 2 reviews, recommended, votes, closed
    chains = {(r["chain"], r["chain_id"]) for r in records}
    for database in (NO_DATABASE, None):
        result = verify(path, tmp_path, database)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"ok: {len(records)} events in {len(chains)} chains verified" in result.stdout


async def test_one_byte_changed_names_that_event(exported: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    path, records = exported
    index = _proposal_lines(records)[2]
    lines = path.read_bytes().split(b"\n")
    at = lines[index].index(b'"actor":"') + len(b'"actor":"')
    lines[index] = lines[index][:at] + bytes([lines[index][at] ^ 1]) + lines[index][at + 1 :]  # one bit, one byte
    path.write_bytes(b"\n".join(lines))
    result = verify(path, tmp_path)
    assert result.returncode == 1
    r = records[index]
    first = f"first break: proposal {r['chain_id']} event {r['seq']} (line {index + 1}): hash does not match"
    assert first in result.stdout, result.stdout


async def test_a_removed_line_names_the_break(exported: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    path, records = exported
    index = _proposal_lines(records)[3]
    lines = path.read_text(encoding="utf-8").split("\n")
    del lines[index]
    path.write_text("\n".join(lines), encoding="utf-8")
    result = verify(path, tmp_path)
    assert result.returncode == 1
    gone, after = records[index], records[index + 1]
    assert (gone["chain_id"], gone["seq"] + 1) == (after["chain_id"], after["seq"])
    first = (
        f"first break: proposal {after['chain_id']} event {after['seq']} (line {index + 1}): expected seq {gone['seq']}"
    )
    assert first in result.stdout, result.stdout


async def test_unreadable_input(exported: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    path, _ = exported
    missing = verify(tmp_path / "nothing.jsonl", tmp_path)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[0] = lines[0][:-1]  # the closing brace gone: not JSON
    path.write_text("\n".join(lines), encoding="utf-8")
    broken = verify(path, tmp_path)
    assert broken.returncode == 1
    assert "first break: unreadable event (line 1): not valid JSON" in broken.stdout
