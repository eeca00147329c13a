"""Attaching evidence files: called inside the unit of work of the write that cites them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from council import clock
from council.errors import invalid
from council.uploads.models import Upload

EVIDENCE_MAX = 20
"""Most files one milestone completion or progress report may cite."""

EVIDENCE_FIELDS = ("id", "proposal_id", "filename", "content_type", "size", "sha256", "created_at")


async def attach(
    proposal_id: int,
    organization_id: int,
    upload_ids: Sequence[int],
    *,
    milestone_id: int | None = None,
    progress_report_id: int | None = None,
    field: str = "evidenceIds",
) -> list[dict[str, Any]]:
    """Attach uploads to a milestone or a progress report of ``proposal_id``; their rows (:data:`EVIDENCE_FIELDS`).

    Call it inside the unit of work of the write that cites them (the
    proposal row is locked there), after the subject row exists, with exactly
    one of ``milestone_id`` and ``progress_report_id``. Each upload must be of
    this proposal, uploaded by a member of ``organization_id`` (the owning
    OPD) and not attached yet; the rows returned carry the SHA-256 that the
    caller puts into its audit event. Two SQL statements.

    Raises:
        DomainError: INVALID_INPUT on ``field``: more than :data:`EVIDENCE_MAX`
            files, a repeated id, or an id that is not an unattached upload
            of this proposal by its owning OPD (``evidence_unknown``, which
            does not say which of those, so that ids of other proposals leak nothing).
    """
    if (milestone_id is None) == (progress_report_id is None):
        raise ValueError("attach() needs exactly one of milestone_id and progress_report_id")
    ids = list(upload_ids)
    if not ids:
        return []
    if len(ids) > EVIDENCE_MAX:
        raise invalid("too_many", field, max=EVIDENCE_MAX)
    if len(set(ids)) != len(ids):
        raise invalid("evidence_unknown", field)
    rows = await Upload.filter(
        id__in=ids,
        proposal_id=proposal_id,
        uploader__organization_id=organization_id,
        milestone_id=None,
        progress_report_id=None,
    ).values(*EVIDENCE_FIELDS)
    if len(rows) != len(ids):
        raise invalid("evidence_unknown", field)
    await Upload.filter(id__in=ids).update(
        milestone_id=milestone_id, progress_report_id=progress_report_id, attached_at=clock.now()
    )
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(rows, key=lambda r: order[r["id"]])
