"""Read side of implementation progress: batch queries shared by the service and loaders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from council.implementation.models import ProgressReport
from council.rows import group_rows

REPORT_FIELDS = ("id", "proposal_id", "author_id", "percent", "note", "created_at")


async def progress_for(proposal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every progress report of each proposal, oldest first, as plain rows. One SQL statement."""
    ids = list(set(proposal_ids))
    if not ids:
        return group_rows([])
    return group_rows(
        await ProgressReport.filter(proposal_id__in=ids).order_by("created_at", "id").values(*REPORT_FIELDS)
    )


async def proposal_of_report(report_id: int) -> int | None:
    """The id of the proposal a progress report is of, or None when there is no such report. One SQL statement."""
    proposal_id = await ProgressReport.filter(id=report_id).first().values_list("proposal_id", flat=True)
    return cast("int | None", proposal_id)  # tortoise types a flat values_list of one row as a tuple
