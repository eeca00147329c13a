"""Read side of implementation progress: batch queries shared by the service and loaders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from council.implementation.models import KpiDirection as KpiDirection  # re-exported: the API's enum
from council.implementation.models import Milestone, ProgressReport
from council.implementation.models import MilestoneStatus as MilestoneStatus  # re-exported: the API's enum
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


MILESTONE_FIELDS = (
    "id",
    "proposal_id",
    "title",
    "description",
    "due_on",
    "weight",
    "status",
    "done_on",
    "note",
    "created_at",
    "updated_at",
)


async def milestones_for(proposal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every milestone of each proposal, by due date then id, as plain rows. One SQL statement."""
    ids = list(set(proposal_ids))
    if not ids:
        return group_rows([])
    return group_rows(await Milestone.filter(proposal_id__in=ids).order_by("due_on", "id").values(*MILESTONE_FIELDS))


async def proposal_of_milestone(milestone_id: int) -> int | None:
    """The id of the proposal a milestone is of, or None when there is no such milestone. One SQL statement."""
    proposal_id = await Milestone.filter(id=milestone_id).first().values_list("proposal_id", flat=True)
    return cast("int | None", proposal_id)


def progress_of(milestones: list[dict[str, Any]], reports: list[dict[str, Any]]) -> int | None:
    """A quick win's progress, percent 0-100, or None when nothing is known yet.

    With milestones: the weighted share of the done ones (``weight`` of each
    ``DONE`` milestone over the sum of all weights), rounded half up to a
    whole percent. Without: the latest progress report's percent (today's
    rule, issue 13), or None without reports. ``milestones`` are
    :data:`MILESTONE_FIELDS` rows, ``reports`` :data:`REPORT_FIELDS` rows oldest first.
    """
    if milestones:
        total = sum(int(m["weight"]) for m in milestones)
        done = sum(int(m["weight"]) for m in milestones if m["status"] == MilestoneStatus.DONE)
        return (200 * done + total) // (2 * total) if total else 0
    return int(reports[-1]["percent"]) if reports else None


async def progress_percent_for(proposal_ids: Iterable[int]) -> dict[int, int | None]:
    """:func:`progress_of` for each proposal (every id present in the answer). Two SQL statements."""
    ids = list(set(proposal_ids))
    milestones = await milestones_for(ids)
    reports = await progress_for(ids)
    return {pid: progress_of(milestones[pid], reports[pid]) for pid in ids}
