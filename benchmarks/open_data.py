"""Benchmark: the open-data export (``council export DIR``) at N public proposals, on PostgreSQL.

Prints figures; it is not a test. Run
``.venv/bin/python benchmarks/open_data.py --proposals 1000`` with ``COUNCIL_BENCH_DATABASE_URL`` (or
``COUNCIL_TEST_DATABASE_URL``) naming a PostgreSQL database that may be wiped (a ``sqlite://`` URL works too).

The database is wiped, migrated and seeded (Pekanbaru); then N published proposals in ``implementation`` are
written through the ORM in bulk, each with 2 reviews, a closed ballot with 5 votes, a progress report and a
chain of 12 audit events hashed by the project's own rule (:func:`council.audit.service.event_hash`), so the
chains verify. Measured: the export's wall time (:func:`council.opendata.package.export_to`, the same code as
``council export`` and ``GET /open-data/``), each file's size, the peak of Python memory allocated during
the export (tracemalloc), and the offline verification of ``audit.jsonl`` (:mod:`council.audit.record`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def prepare(n: int) -> None:
    """Wipe, migrate, seed, and add ``n`` public proposals with their reviews, ballots, votes and chains."""
    from tortoise import Tortoise, connections

    from council import clock
    from council.audit.chains import proposal_chain
    from council.audit.models import AuditEvent
    from council.audit.service import event_hash
    from council.db import migrate, tortoise_config
    from council.enums import BallotResult, Recommendation, VoteChoice
    from council.implementation.models import ProgressReport
    from council.organizations.models import Member, Organization
    from council.programmes.models import Programme
    from council.proposals.models import Proposal
    from council.reviews.models import Review
    from council.seeds.loader import load_seed
    from council.voting.models import Ballot, Vote

    url = os.environ["COUNCIL_DATABASE_URL"]
    if url.startswith("postgres"):
        await Tortoise.init(config=tortoise_config())
        await connections.get("default").execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await Tortoise.close_connections()
    await migrate()
    await Tortoise.init(config=tortoise_config())
    try:
        await load_seed("pekanbaru-2018")
        programme = await Programme.first()
        assert programme is not None
        opd = await Organization.filter(kind="opd").first()
        author = await Member.filter(organization_id=opd.id if opd else 0).first()
        reviewers = await Member.filter(roles__contains=["technical_team"]).limit(2)
        voters = [m for m in await Member.all() if {"council_member", "council_chair"} & set(m.roles or ())][:5]
        assert opd and author and len(reviewers) == 2 and len(voters) == 5
        now = clock.now()
        for start in range(0, n, 250):
            batch = range(start, min(n, start + 250))
            proposals = await Proposal.bulk_create(
                [
                    Proposal(
                        title=f"Usulan tolok ukur {i}",
                        summary=f"Ringkasan usulan tolok ukur nomor {i}, " * 8,
                        programme_id=programme.id,
                        pillar="smart_mobility",
                        budget=1_000_000_000 + i,
                        budget_approved=1_000_000_000 + i,
                        organization_id=opd.id,
                        author_id=author.id,
                        state="implementation",
                        workflow_name="quick-win",
                        workflow_version=1,
                        review_round=1,
                        published_at=now,
                    )
                    for i in batch
                ]
            )
            ids = [p.id for p in await Proposal.filter(title__in=[f"Usulan tolok ukur {i}" for i in batch])]
            await Review.bulk_create(
                [
                    Review(
                        proposal_id=pid,
                        reviewer_id=r.id,
                        organization_id=r.organization_id,  # type: ignore[attr-defined]
                        round=1,
                        recommendation=Recommendation.APPROVE,
                        feasibility=4,
                        impact=5,
                        cost_effectiveness=3,
                        alignment=5,
                        comment="Layak dilanjutkan; anggaran wajar.",
                    )
                    for pid in ids
                    for r in reviewers
                ]
            )
            await Ballot.bulk_create(
                [
                    Ballot(
                        proposal_id=pid,
                        round=1,
                        opens_at=now,
                        closes_at=now + timedelta(days=7),
                        eligible_count=7,
                        quorum_required=4,
                        closed_at=now,
                        result=BallotResult.APPROVED,
                        yes_count=5,
                        electorate=[v.id for v in voters],
                    )
                    for pid in ids
                ]
            )
            ballots = {b["proposal_id"]: b["id"] for b in await Ballot.filter(proposal_id__in=ids).values()}
            await Vote.bulk_create(
                [
                    Vote(ballot_id=ballots[pid], member_id=v.id, choice=VoteChoice.YES, cast_at=now, changed_at=now)
                    for pid in ids
                    for v in voters
                ]
            )
            await ProgressReport.bulk_create(
                [ProgressReport(proposal_id=pid, author_id=author.id, percent=40, note="Berjalan.") for pid in ids]
            )
            events = []
            for pid in ids:
                prev = ""
                steps = [
                    ("created", None, None, "draft", {"title": f"#{pid}"}),
                    ("transition", "submit", "draft", "technical_review", {}),
                    *[("review_submitted", None, None, None, {"reviewer": r.username}) for r in reviewers],
                    ("transition", "recommend", "technical_review", "quick_win_approval", {"ballot_opened": pid}),
                    *[("vote_cast", None, None, None, {"ballot": pid, "choice": "yes"}) for _ in voters],
                    ("transition", "close_vote", "quick_win_approval", "implementation", {"ballot": {"yes": 5}}),
                    ("progress_reported", None, None, None, {"percent": 40}),
                ]
                for seq, (action, trigger, src, dst, data) in enumerate(steps, start=1):
                    at = now + timedelta(seconds=seq)
                    digest = event_hash(
                        chain=proposal_chain(pid),
                        seq=seq,
                        at=at,
                        actor_name="system",
                        action=action,
                        trigger=trigger,
                        from_state=src,
                        to_state=dst,
                        comment="",
                        data=data,
                        prev_hash=prev,
                    )
                    events.append(
                        AuditEvent(
                            chain_kind="proposal",
                            chain_id=pid,
                            seq=seq,
                            at=at,
                            actor_name="system",
                            action=action,
                            trigger=trigger,
                            from_state=src,
                            to_state=dst,
                            comment="",
                            data=data,
                            prev_hash=prev,
                            hash=digest,
                        )
                    )
                    prev = digest
            await AuditEvent.bulk_create(events)
            del proposals
    finally:
        await Tortoise.close_connections()


async def measure(folder: Path) -> tuple[float, dict[str, int], int]:
    """Export into ``folder`` twice: (seconds of the first, sizes by file, peak Python allocation of the second,
    in bytes; tracemalloc slows Python several times, so the time is taken without it)."""
    from tortoise import Tortoise

    from council.db import tortoise_config
    from council.opendata.package import export_to

    await Tortoise.init(config=tortoise_config())
    try:
        started = time.perf_counter()
        sizes = await export_to(folder)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        await export_to(folder)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        await Tortoise.close_connections()
    return seconds, sizes, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proposals", type=int, default=1000)
    args = parser.parse_args()
    url = os.environ.get("COUNCIL_BENCH_DATABASE_URL") or os.environ.get("COUNCIL_TEST_DATABASE_URL")
    if not url:
        raise SystemExit("set COUNCIL_BENCH_DATABASE_URL to a database that may be wiped")
    os.environ["COUNCIL_DATABASE_URL"] = url
    os.environ.setdefault("COUNCIL_KEYS_DIR", tempfile.mkdtemp(prefix="council-bench-keys-"))
    print(
        f"machine   {platform.system()} {platform.release()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {url.split('://')[0]}"
    )
    started = time.perf_counter()
    asyncio.run(prepare(args.proposals))
    print(f"prepared  {args.proposals} public proposals in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory(prefix="council-open-data-") as tmp:
        folder = Path(tmp)
        seconds, sizes, peak = asyncio.run(measure(folder))
        total = sum(sizes.values())
        print(
            f"export    {len(sizes)} files, {total / 1e6:.2f} MB in {seconds:.2f} s; "
            f"peak Python memory {peak / 1e6:.1f} MB"
        )
        for name, size in sorted(sizes.items(), key=lambda kv: -kv[1])[:8]:
            print(f"          {name:32} {size / 1e3:10.1f} kB")
        from council.audit.record import check_records, read_lines

        started = time.perf_counter()
        with (folder / "audit.jsonl").open(encoding="utf-8") as lines:
            check = check_records(read_lines(lines))
        print(
            f"verify    {check.events} events in {check.chains} chains, {len(check.faults)} faults, "
            f"{time.perf_counter() - started:.2f} s (offline, no database)"
        )


if __name__ == "__main__":
    main()
