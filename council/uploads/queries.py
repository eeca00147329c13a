"""Read side of evidence files: the uploads attached to milestones and progress reports, in batches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from council.rows import group_rows
from council.uploads.models import Upload
from council.uploads.service import EVIDENCE_FIELDS


async def evidence_for_milestones(milestone_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The files attached to each milestone, in upload order (:data:`EVIDENCE_FIELDS` + ``milestone_id``).

    One SQL statement (none for no ids).
    """
    ids = list(set(milestone_ids))
    if not ids:
        return group_rows([])
    rows = await Upload.filter(milestone_id__in=ids).order_by("id").values(*EVIDENCE_FIELDS, "milestone_id")
    return group_rows(rows, "milestone_id")


async def evidence_for_reports(report_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The files attached to each progress report, in upload order (+ ``progress_report_id``). One SQL statement."""
    ids = list(set(report_ids))
    if not ids:
        return group_rows([])
    rows = await Upload.filter(progress_report_id__in=ids).order_by("id").values(*EVIDENCE_FIELDS, "progress_report_id")
    return group_rows(rows, "progress_report_id")
