"""Audit events belong to a chain (kind, id), and the chains hashed before kinds existed still verify.

1. A SQLite database at migration 0004 holding events hashed by the rule of
   that time, migrated to 0005 by ``council migrate``: ``council audit verify``
   passes, and a tampered comment fails naming the chain (subprocesses on their
   own file, as tests/test_cli.py does).
2. A chain of another kind lives beside the proposal chains and is verified
   with them; its hashed body names its kind.
3. Concurrent appends to one chain from transactions that each lock the
   proposal row queue up instead of colliding (the point on PostgreSQL; SQLite
   serialises write transactions anyway).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from council.audit.chains import PROPOSAL, Chain, proposal_chain
from council.audit.models import AuditEvent
from council.audit.queries import events_for
from council.audit.service import ChainFault, append_event, event_hash, verify_chains
from council.auth.principal import SYSTEM
from council.proposals.models import Proposal
from council.proposals.queries import locked_row
from council.unit_of_work import unit_of_work

COUNCIL = str(Path(sys.executable).with_name("council"))
AT_0004 = """
import asyncio
from tortoise import Tortoise
from tortoise.migrations.api import migrate
from council.db import tortoise_config

async def main():
    try:
        await migrate(config=tortoise_config(), target="council.0004_oauth_consent")
    finally:
        await Tortoise.close_connections()

asyncio.run(main())
"""


def _env(db: Path, tmp_path: Path) -> dict[str, str]:
    return os.environ | {
        "COUNCIL_DATABASE_URL": f"sqlite://{db}",
        "COUNCIL_KEYS_DIR": str(tmp_path / "keys"),
        "COLUMNS": "200",
    }


def _run(args: list[str], db: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, env=_env(db, tmp_path), timeout=120)


def _hash_of_0004(
    proposal_id: int,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    trigger: str | None,
    from_state: str | None,
    to_state: str | None,
    comment: str,
    data: dict[str, Any],
    prev: str,
) -> str:
    """The hash rule as it was at migration 0004, copied here so that a change to the code cannot hide a break."""
    body = {
        "proposal": proposal_id,
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "trigger": trigger,
        "from": from_state,
        "to": to_state,
        "comment": comment,
        "data": data,
        "prev": prev,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _fill_at_0004(db: Path) -> None:
    """Two proposals with chains of 3 and 2 events, written as the code at 0004 wrote them."""
    t0 = datetime(2018, 3, 1, 2, 0, 0, 123456, tzinfo=UTC)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO organization (id, code, name, kind, created_at) "
            "VALUES (1, 'diskominfotik', 'Diskominfotik', 'opd', ?)",
            (t0.isoformat(),),
        )
        conn.execute(
            "INSERT INTO member (id, username, display_name, organization_id, roles, is_active, "
            "password_hash, created_at) VALUES (1, 'opd.kominfo', 'Rina', 1, '[\"opd_officer\"]', 1, '', ?)",
            (t0.isoformat(),),
        )
        for pid in (1, 2):
            conn.execute(
                "INSERT INTO proposal (id, title, summary, pillar, budget, organization_id, author_id, state, "
                "workflow_name, workflow_version, version, review_round, created_at, updated_at) "
                "VALUES (?, ?, 'summary', 'smart_governance', 2500000000, 1, 1, 'draft', 'default', 1, 1, 0, ?, ?)",
                (pid, f"Proposal {pid}", t0.isoformat(), t0.isoformat()),
            )
        steps = {
            1: [
                ("system", None, "created", None, None, "draft", "", {"source": "seed"}),
                ("opd.kominfo", 1, "updated", None, None, None, "", {"budget": 1000, "title": "Judul ü"}),
                ("opd.kominfo", 1, "transition", "submit", "draft", "technical_review", "Siap dinilai", {"version": 2}),
            ],
            2: [
                ("system", None, "created", None, None, "draft", "", {"source": "seed"}),
                ("opd.kominfo", 1, "transition", "withdraw", "draft", "withdrawn", "batal", {"version": 2}),
            ],
        }
        for pid, events in steps.items():
            prev = ""
            for seq, (actor, actor_id, action, trigger, source, dest, comment, data) in enumerate(events, start=1):
                at = t0 + timedelta(minutes=seq, microseconds=seq)
                digest = _hash_of_0004(pid, seq, at, actor, action, trigger, source, dest, comment, data, prev)
                conn.execute(
                    "INSERT INTO audit_event (proposal_id, seq, at, actor_id, actor_name, action, trigger, "
                    "from_state, to_state, comment, data, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        pid,
                        seq,
                        at.isoformat(),
                        actor_id,
                        actor,
                        action,
                        trigger,
                        source,
                        dest,
                        comment,
                        json.dumps(data, separators=(",", ":")),
                        prev,
                        digest,
                    ),
                )
                prev = digest


def test_chains_hashed_at_0004_verify_after_migration_0005(tmp_path: Path) -> None:
    db = tmp_path / "at-0004.sqlite3"
    at_0004 = _run([sys.executable, "-c", AT_0004], db, tmp_path)
    assert at_0004.returncode == 0, at_0004.stderr
    _fill_at_0004(db)

    migrated = _run([COUNCIL, "migrate"], db, tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "applied council.0005_audit_chains" in migrated.stdout
    assert "0001_initial" not in migrated.stdout
    with sqlite3.connect(db) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(audit_event)")}
        rows = conn.execute("SELECT chain_kind, chain_id, seq FROM audit_event ORDER BY id").fetchall()
        unique = [
            [col[2] for col in conn.execute(f"PRAGMA index_info('{index[1]}')")]
            for index in conn.execute("PRAGMA index_list(audit_event)")
            if index[2]
        ]
    assert "proposal_id" not in columns and {"chain_kind", "chain_id"} <= columns
    assert rows == [("proposal", 1, 1), ("proposal", 1, 2), ("proposal", 1, 3), ("proposal", 2, 1), ("proposal", 2, 2)]
    assert ["chain_kind", "chain_id", "seq"] in unique

    ok = _run([COUNCIL, "audit", "verify"], db, tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ok: 5 events in 2 chains verified" in ok.stdout

    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE audit_event SET comment = 'tidak batal' WHERE chain_kind = 'proposal' AND chain_id = 2 AND seq = 2"
        )
    bad = _run([COUNCIL, "audit", "verify"], db, tmp_path)
    assert bad.returncode == 1
    assert "proposal 2 event 2: hash does not match the content" in bad.stdout
    assert "proposal 1 " not in bad.stdout


async def test_a_chain_of_another_kind_is_verified_alongside_the_proposals() -> None:
    commitment = Chain("commitment", 99)  # no such commitment in the seed (its is 1)
    seeded_chains, seeded_events, _ = await verify_chains()
    async with in_transaction():  # the write recipe would lock the commitment's row here
        first = await append_event(commitment, SYSTEM, "created", to_state="agreed", data={"rupiah": 1000})
        second = await append_event(commitment, SYSTEM, "updated", comment="tahap 2")
    assert (first.chain_kind, first.chain_id, first.seq, first.prev_hash) == ("commitment", 99, 1, "")
    assert (second.seq, second.prev_hash) == (2, first.hash)

    body = {
        "chain": "commitment",
        "id": 99,
        "seq": 1,
        "at": first.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": "system",
        "action": "created",
        "trigger": None,
        "from": None,
        "to": "agreed",
        "comment": "",
        "data": {"rupiah": 1000},
        "prev": "",
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first.hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    same_content_as_proposal_99 = event_hash(
        chain=proposal_chain(99),
        seq=1,
        at=first.at,
        actor_name="system",
        action="created",
        trigger=None,
        from_state=None,
        to_state="agreed",
        comment="",
        data={"rupiah": 1000},
        prev_hash="",
    )
    assert same_content_as_proposal_99 != first.hash, "a kind never shares a hashed body with another"

    assert (await verify_chains()) == (seeded_chains + 1, seeded_events + 2, [])
    proposal_1 = (await events_for([1]))[1]
    assert proposal_1 and all(e["proposal_id"] == 1 and e["id"] not in (first.id, second.id) for e in proposal_1)

    await AuditEvent.filter(id=second.id).update(comment="tahap 3")
    _, _, faults = await verify_chains()
    assert faults == [ChainFault(commitment, 2, "hash does not match the content")]


async def test_concurrent_appends_to_one_chain_queue_up_behind_the_proposal_lock() -> None:
    pid = await Proposal.filter(title__isnull=False).order_by("id").first().values_list("id", flat=True)
    before = await AuditEvent.filter(chain_kind=PROPOSAL, chain_id=pid).count()
    writers = 8

    async def append(n: int) -> None:  # the write recipe's steps: one transaction, the row locked, the event
        async with unit_of_work(SYSTEM, proposal_chain(pid)) as work:
            await locked_row(pid)
            await asyncio.sleep(0.01)  # hold the lock while the other writers wait on it
            await work.record("escalation", data={"writer": n})

    await asyncio.gather(*(append(n) for n in range(writers)))
    rows = (await events_for([pid]))[pid]
    assert [e["seq"] for e in rows] == list(range(1, before + writers + 1))
    assert sorted(e["data"]["writer"] for e in rows[before:]) == list(range(writers))
    for previous, event in zip(rows, rows[1:], strict=False):
        assert event["prev_hash"] == previous["hash"]
    assert (await verify_chains())[2] == []
