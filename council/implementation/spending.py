"""Spending of a quick win: the owning OPD reports money spent, whole rupiah per period.

Through the write recipe (:func:`council.proposals.unit.proposal_work`) under
the operation ``reportSpending`` of :data:`council.auth.policy.OPERATIONS`
(OPD officer or head of the owning organisation, scope ``implementation:write``)
in states the workflow marks ``progress``; appends ``spending`` to the
proposal's audit chain and announces it. ``Proposal.budgetRealised`` is the
sum of the reports (:func:`realised`).
"""

from __future__ import annotations

from typing import Any

from council.auth.principal import Principal
from council.errors import DomainError, invalid
from council.implementation.models import NOTE_MAX, SpendingReport
from council.implementation.periods import clean_period
from council.proposals.rules import BUDGET_MAX, clean_budget
from council.proposals.unit import proposal_work
from council.texts import optional_text


def clean_amount(value: object) -> int:
    """Whole rupiah from 1 to 2**63 - 1, an int or a string of digits (parsed by :func:`clean_budget`).

    Raises:
        DomainError: INVALID_INPUT ``amount_range`` on field amount.
    """
    try:
        rupiah = clean_budget(value, "amount")
    except DomainError:
        rupiah = 0
    if rupiah <= 0:
        raise invalid("amount_range", "amount", max=BUDGET_MAX)
    return rupiah


def realised(reports: list[dict[str, Any]]) -> int:
    """The rupiah spent: the sum of the reports' ``amount`` (exact integers; 0 without reports)."""
    return sum(int(r["amount"]) for r in reports)


async def report_spending(
    actor: Principal, proposal_id: int, *, amount: object, period: object, note: object = ""
) -> int:
    """Record money spent on the proposal in ``period``; the report's id.

    ``amount``: whole rupiah above 0, an int or a string of digits (parsed as
    the budget is, :func:`council.proposals.rules.clean_budget`). When the
    proposal's spending would then exceed its approved budget
    (``budget_approved``, frozen when the ballot approved it) the note is
    required, saying why.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (scope ``implementation:write``,
            role, owner); NOT_FOUND; INVALID_TRANSITION (state not ``progress``);
            INVALID_INPUT ``amount_range`` (amount: 0, negative, fractional, not a number, too large),
            ``bad_period``, ``too_long`` (note), ``over_budget_note`` (note).
    """
    async with proposal_work(actor, proposal_id, "reportSpending") as w:
        rupiah = clean_amount(amount)
        clean = clean_period(period)
        text = optional_text(note, "note", NOTE_MAX)
        before = realised(await SpendingReport.filter(proposal_id=proposal_id).values("amount"))
        approved = w.row["budget_approved"]
        if approved is not None and before + rupiah > approved and not text:
            raise invalid("over_budget_note", "note", realised=before + rupiah, approved=approved)
        report = await SpendingReport.create(
            proposal_id=proposal_id, amount=rupiah, period=clean, note=text, author_id=actor.member_id
        )
        data = {"report": report.id, "amount": str(rupiah), "period": clean, "realised": str(before + rupiah)}
        await w.record("spending", comment=text, data=data)
        w.announce("spending")
    return int(report.id)
