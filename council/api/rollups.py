"""Programme roll-ups in GraphQL: ``Programme.progress`` and ``Programme.pillarProgress`` (public).

Computed by :mod:`council.implementation.rollups` from the programme's public
quick wins, through the request's ``rollup`` loader (the same four
statements for one programme or all of them). Attached to ``Programme`` in
:mod:`council.api.programmes` with ``strawberry.field(resolver=...)``.
"""

from __future__ import annotations

from typing import Any

import strawberry

from council.api.pillars import PillarInfo
from council.api.scalars import Rupiah
from council.implementation.rollups import Rollup, pillar_rollups, rollup


@strawberry.type(description="How far the quick wins of one pillar of a programme have come, and their money.")
class PillarProgress:
    pillar: PillarInfo
    quick_wins: int = strawberry.field(description="Public proposals of the pillar whose budget a vote approved.")
    completed: int = strawberry.field(description="Those of them in a final state (completed).")
    progress_percent: float | None = strawberry.field(
        description="Percent, weighted by budgetApproved (completed = 100, no progress yet = 0); null without "
        "quick wins."
    )
    budget_approved: Rupiah = strawberry.field(description="Sum of the quick wins' approved budgets, whole rupiah.")
    budget_realised: Rupiah = strawberry.field(description="Sum of their spending reports, whole rupiah.")

    @classmethod
    def of(cls, pillar: PillarInfo, r: Rollup) -> PillarProgress:
        return cls(
            pillar=pillar,
            quick_wins=r.quick_wins,
            completed=r.completed,
            progress_percent=r.progress,
            budget_approved=Rupiah(r.budget_approved),
            budget_realised=Rupiah(r.budget_realised),
        )


async def programme_progress(root: Any, info: strawberry.Info) -> float | None:
    """``Programme.progress``: percent of its quick wins weighted by approved budget; null without quick wins."""
    return rollup(await info.context.loaders.rollup.load(root.row["id"])).progress


async def programme_pillar_progress(root: Any, info: strawberry.Info) -> list[PillarProgress]:
    """``Programme.pillarProgress``: one per pillar of the programme, in the programme's pillar order."""
    loaders, lang = info.context.loaders, info.context.lang
    pillars = await loaders.pillars.load(root.row["id"])
    rollups = pillar_rollups(pillars, await loaders.rollup.load(root.row["id"]))
    return [PillarProgress.of(PillarInfo.from_row(p, lang), r) for p, r in zip(pillars, rollups, strict=True)]
