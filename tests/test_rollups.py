"""Programme roll-ups over GraphQL (issue 13): Programme.progress and Programme.pillarProgress, read anonymously.

Quick wins are the programme's public proposals whose budget a vote approved;
progress is weighted by the approved budget (completed = 100, nothing
reported yet = 0), money is exact rupiah strings, and the read costs the same
few SQL statements whatever the number of quick wins.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from paths import Paths

from council.implementation.models import ProgressReport, SpendingReport
from council.organizations.models import Member
from council.proposals.models import Proposal

ROLLUP = """
query {
  programme {
    progress
    pillarProgress { pillar { code label } quickWins completed progressPercent budgetApproved budgetRealised }
  }
}"""
SPEND = """
mutation Spend($input: ReportSpendingInput!) {
  reportSpending(input: $input) { proposal { budgetRealised } errors { code field message } }
}"""
A, B, C = 45_000_000_000, 12_345_678_901, 1_000_000_000


async def rollup(p: Paths, as_: str | None = None) -> dict[str, Any]:
    programme: dict[str, Any] = (await p.call(ROLLUP, {}, as_))["programme"]
    return programme


async def test_anonymous_pillar_progress_is_weighted_by_approved_budget(p: Paths) -> None:
    empty = await rollup(p)
    assert empty["progress"] is None
    assert all(r["quickWins"] == 0 and r["progressPercent"] is None for r in empty["pillarProgress"])
    assert {(r["budgetApproved"], r["budgetRealised"]) for r in empty["pillarProgress"]} == {("0", "0")}

    a = await p.at("implementation", budget=A, pillar="smart_mobility")
    await p.report(a, 40)
    p.ok(
        await p.mutate(SPEND, "reportSpending", {"proposalId": a, "amount": "1000000000", "period": "2019"}, p.officer),
        "reportSpending",
    )
    b = await p.at("implementation", budget=B, pillar="smart_mobility")
    await p.report(b, 100)
    await p.drive(b, "completed")
    await p.at("implementation", budget=C, pillar="smart_living")  # nothing reported yet: counts as 0
    await p.at("quick_win_approval", budget=7, pillar="smart_living")  # not approved yet: left out
    hidden = await p.new_proposal(budget=999_999, pillar="smart_living")  # a draft nobody outside its OPD reads
    await Proposal.filter(id=int(hidden_pk(hidden))).update(budget_approved=999_999)

    got = await rollup(p)
    assert got["progress"] == pytest.approx((40 * A + 100 * B) / (A + B + C))
    by_code = {r["pillar"]["code"]: r for r in got["pillarProgress"]}
    assert list(by_code) == [
        "smart_governance",
        "smart_people",
        "smart_economy",
        "smart_environment",
        "smart_living",
        "smart_mobility",
    ]  # the programme's pillar order
    mobility = by_code["smart_mobility"]
    assert mobility == {
        "pillar": {"code": "smart_mobility", "label": "Smart mobility"},
        "quickWins": 2,
        "completed": 1,
        "progressPercent": pytest.approx((40 * A + 100 * B) / (A + B)),
        "budgetApproved": "57345678901",
        "budgetRealised": "1000000000",
    }
    living = by_code["smart_living"]
    assert (living["quickWins"], living["completed"], living["progressPercent"]) == (1, 0, 0.0)
    assert (living["budgetApproved"], living["budgetRealised"]) == (str(C), "0")
    assert by_code["smart_people"]["progressPercent"] is None
    # the same figures for a signed-in member who could read the draft
    assert await rollup(p, as_=p.officer) == got


def hidden_pk(pid: str) -> int:
    from council.api.ids import from_global_id

    return from_global_id(pid, "Proposal")[1]


async def _quick_wins(first: int, n: int) -> None:
    """Quick wins ``first`` to ``first + n - 1``, public, in implementation, each with a progress and a spending report.

    Straight through the ORM (the read path is what is measured).
    """
    author = await Member.get(username="opd.dishub")
    template = await Proposal.first()
    assert template is not None
    pillars = ("smart_living", "smart_mobility", "smart_economy")
    titles = [f"Quick win hitung {i}" for i in range(first, first + n)]
    await Proposal.bulk_create(
        [
            Proposal(
                title=title,
                summary="Untuk menghitung pernyataan SQL.",
                pillar=pillars[i % 3],
                programme_id=template.programme_id,
                budget=1_000_000 * (i + 1),
                budget_approved=1_000_000 * (i + 1),
                organization_id=author.organization_id,  # type: ignore[attr-defined]
                author=author,
                state="implementation",
                workflow_name="quick-win",
                workflow_version=1,
                review_round=1,
                published_at=datetime(2019, 3, 1, tzinfo=UTC),
            )
            for i, title in enumerate(titles)
        ]
    )
    ids = await Proposal.filter(title__in=titles).values_list("id", flat=True)
    await ProgressReport.bulk_create([ProgressReport(proposal_id=i, author=author, percent=50) for i in ids])
    await SpendingReport.bulk_create(
        [SpendingReport(proposal_id=i, author=author, amount=10, period="2019") for i in ids]
    )


async def test_statements_do_not_grow_with_quick_wins(p: Paths, count_statements: Any) -> None:
    counts = {}
    for first, n, total in ((0, 3, 3), (3, 57, 60)):
        await _quick_wins(first, n)
        count_statements.statements.clear()
        got = await rollup(p)
        counts[total] = list(count_statements.statements)
        assert sum(r["quickWins"] for r in got["pillarProgress"]) == total
        assert got["progress"] == pytest.approx(50.0)
        assert sum(int(r["budgetRealised"]) for r in got["pillarProgress"]) == 10 * total
    # the current programme (city, programmes, phases), its row and pillars, then the roll-up's four
    # (quick wins, milestones, progress reports, spending): 9, for 3 quick wins or 60
    assert len(counts[3]) == len(counts[60]) <= 9, counts[60]
