"""Programme roll-ups: how far a programme's quick wins, and each pillar's, have come, weighted by money.

A quick win is a proposal of the programme whose budget a vote approved
(``budget_approved`` not null) and that anyone may read (the public read
grant, :data:`council.auth.policy.ReadGrant.PUBLISHED`: the same figures for
every viewer, signed in or not, and nothing an anonymous caller cannot read
counts). Its progress is :func:`council.implementation.queries.progress_percent_for`
(the one progress roll-up), 100 once it is in a final state of its
workflow (completed), 0 with no progress known yet.

Programme or pillar progress = sum(progress * budget_approved) / sum(budget_approved),
percent; when every approved budget is Rp 0 the plain mean. None without quick wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from council.auth.policy import proposal_visibility
from council.auth.principal import ANONYMOUS
from council.implementation.models import SpendingReport
from council.implementation.queries import progress_percent_for
from council.proposals.models import Proposal
from council.rows import group_rows
from council.workflow.registry import get_registry

QUICK_WIN_FIELDS = ("id", "programme_id", "pillar", "state", "workflow_name", "workflow_version", "budget_approved")


async def quick_wins_for(programme_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The public quick wins of each programme, by id, as rows of :data:`QUICK_WIN_FIELDS` plus

    ``completed`` (bool: in a final state), ``progress`` (int 0-100, see the
    module docstring) and ``realised`` (int rupiah, the sum of its spending).
    Four SQL statements whatever the number of programmes and quick wins (none for no ids).
    """
    ids = list(set(programme_ids))
    if not ids:
        return group_rows([], "programme_id")
    rows = (
        await Proposal.filter(proposal_visibility(ANONYMOUS), programme_id__in=ids, budget_approved__isnull=False)
        .order_by("id")
        .values(*QUICK_WIN_FIELDS)
    )
    pids = [r["id"] for r in rows]
    progress = await progress_percent_for(pids)
    spent: dict[int, int] = dict.fromkeys(pids, 0)
    if pids:
        for pid, amount in await SpendingReport.filter(proposal_id__in=pids).values_list("proposal_id", "amount"):
            spent[pid] += int(amount)
    registry = get_registry()
    for row in rows:
        row["completed"] = registry.engine_for(row).definition.state(row["state"]).final
        row["progress"] = 100 if row["completed"] else progress[row["id"]] or 0
        row["realised"] = spent[row["id"]]
    return group_rows(rows, "programme_id")


@dataclass(frozen=True, slots=True)
class Rollup:
    """The roll-up of some quick wins: how many, how many completed, progress (percent or None), money (rupiah)."""

    quick_wins: int
    completed: int
    progress: float | None
    budget_approved: int
    budget_realised: int


def rollup(quick_wins: list[dict[str, Any]]) -> Rollup:
    """The roll-up of rows of :func:`quick_wins_for` (see the module docstring for the weighting)."""
    budget = sum(int(q["budget_approved"]) for q in quick_wins)
    progress: float | None = None
    if quick_wins and budget > 0:
        progress = sum(q["progress"] * int(q["budget_approved"]) for q in quick_wins) / budget
    elif quick_wins:
        progress = sum(q["progress"] for q in quick_wins) / len(quick_wins)
    return Rollup(
        quick_wins=len(quick_wins),
        completed=sum(1 for q in quick_wins if q["completed"]),
        progress=progress,
        budget_approved=budget,
        budget_realised=sum(q["realised"] for q in quick_wins),
    )


def pillar_rollups(pillars: list[dict[str, Any]], quick_wins: list[dict[str, Any]]) -> list[Rollup]:
    """One :func:`rollup` per pillar row (``code``), in the order given, of the quick wins of that pillar."""
    return [rollup([q for q in quick_wins if q["pillar"] == p["code"]]) for p in pillars]
