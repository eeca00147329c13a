"""Money of a quick win over GraphQL (issue 13): budgetApproved, reportSpending, budgetRealised.

budgetApproved is null until a vote approves the proposal, then frozen at the
budget of that moment (the ballot's close, in the same transaction); spending
is whole rupiah above 0, exact at tens of billions; going over the approved
budget needs a note.
"""

from __future__ import annotations

from typing import Any

import pytest
from paths import OTHER_OPD_OFFICER, Paths

from council.implementation.models import SpendingReport

ERRORS = "errors { code field message }"
MONEY = "budget budgetApproved budgetRealised spending { id amount period note createdAt } history { action data }"
SPEND = f"""
mutation Spend($input: ReportSpendingInput!) {{
  reportSpending(input: $input) {{ proposal {{ {MONEY} }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation Update($input: UpdateProposalInput!) {{
  updateProposal(input: $input) {{ proposal {{ budget }} {ERRORS} }}
}}"""
BUDGET = 45_000_000_000  # Rp 45 miliar


async def spend(p: Paths, pid: str, amount: Any, period: str = "2019-Q1", as_: str | None = None, **more: Any) -> Any:
    input = {"proposalId": pid, "amount": amount, "period": period, **more}
    return await p.mutate(SPEND, "reportSpending", input, as_ or p.officer)


async def money(p: Paths, pid: str, as_: str | None = "officer") -> dict[str, Any]:
    found = await p.read(pid, MONEY, p.officer if as_ == "officer" else as_)
    assert found is not None
    return found


async def test_budget_approved_is_frozen_by_the_vote(p: Paths) -> None:
    pid = await p.new_proposal(budget=BUDGET)
    await p.drive(pid, "quick_win_approval")
    assert (await money(p, pid))["budgetApproved"] is None
    await p.drive(pid, "implementation", via="close_vote")
    got = await money(p, pid)
    assert got["budgetApproved"] == "45000000000" and got["budgetRealised"] == "0" and got["spending"] == []
    close = next(e for e in reversed(got["history"]) if e["action"] == "transition")
    assert close["data"]["budget_approved"] == "45000000000"
    # no later edit can change it: updateProposal is refused outside the draft
    refused = await p.mutate(UPDATE, "updateProposal", {"proposalId": pid, "budget": "1"}, p.officer)
    assert refused["errors"][0]["code"] == "INVALID_TRANSITION"
    assert (await money(p, pid))["budgetApproved"] == "45000000000"
    anonymous = await money(p, pid, as_=None)
    assert anonymous["budgetApproved"] == "45000000000"


async def test_rejected_keeps_no_approved_budget(p: Paths) -> None:
    pid = await p.at("rejected", via="close_vote")
    found = await p.read(pid, "budgetApproved budgetRealised", p.officer)
    assert found == {"budgetApproved": None, "budgetRealised": "0"}


async def test_spending_is_exact_and_over_budget_needs_a_note(p: Paths) -> None:
    pid = await p.at("implementation", budget=BUDGET)
    first = p.ok(await spend(p, pid, "45000000000", "2019-Q1", note="Termin 1"), "reportSpending")["proposal"]
    assert first["budgetRealised"] == "45000000000"
    assert first["history"][-1]["action"] == "spending"
    # over the approved budget without a note: refused, nothing stored
    for note in (None, "   "):
        more = {} if note is None else {"note": note}
        refused = await spend(p, pid, "12345678901", "2019-Q2", **more)
        assert refused["proposal"] is None
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID_INPUT", "note")]
        assert (
            "57.345.678.901"
            in (
                await p.gql(
                    SPEND,
                    {"input": {"proposalId": pid, "amount": "12345678901", "period": "2019-Q2"}},
                    token=await p.bearer(p.officer),
                    headers={"Accept-Language": "id"},
                )
            )["data"]["reportSpending"]["errors"][0]["message"]
        )
    assert await SpendingReport.all().count() == 1
    done = p.ok(await spend(p, pid, 12_345_678_901, "2019-Q2", note="Tambahan pekerjaan"), "reportSpending")
    got = done["proposal"]
    assert got["budgetRealised"] == "57345678901"  # Rp 45.000.000.000 + Rp 12.345.678.901, exact
    assert [(s["amount"], s["period"], s["note"]) for s in got["spending"]] == [
        ("45000000000", "2019-Q1", "Termin 1"),
        ("12345678901", "2019-Q2", "Tambahan pekerjaan"),
    ]
    assert got["history"][-1]["data"]["realised"] == "57345678901"
    public = await money(p, pid, as_=None)
    assert public["budgetRealised"] == "57345678901" and len(public["spending"]) == 2


@pytest.mark.parametrize(
    ("amount", "period", "field"),
    [
        ("0", "2019", "amount"),
        ("-5", "2019", "amount"),
        ("1.5", "2019", "amount"),
        ("sejuta", "2019", "amount"),
        ("99999999999999999999", "2019", "amount"),
        ("1000", "2019-Q5", "period"),
        ("1000", "2019-7", "period"),
        ("1000", "", "period"),
    ],
)
async def test_bad_amounts_and_periods(p: Paths, amount: str, period: str, field: str) -> None:
    pid = await p.at("implementation")
    refused = await spend(p, pid, amount, period)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID_INPUT", field)]
    assert await SpendingReport.all().count() == 0


async def test_only_the_owner_during_implementation(p: Paths) -> None:
    pid = await p.at("implementation")
    assert (await spend(p, pid, "1000", as_=OTHER_OPD_OFFICER))["errors"][0]["code"] == "FORBIDDEN"
    anonymous = await p.call(SPEND, {"input": {"proposalId": pid, "amount": "1000", "period": "2019"}}, None)
    assert anonymous["reportSpending"]["errors"][0]["code"] == "UNAUTHENTICATED"
    draft = await p.new_proposal()
    assert (await spend(p, draft, "1000"))["errors"][0]["code"] == "INVALID_TRANSITION"
    assert await SpendingReport.all().count() == 0
