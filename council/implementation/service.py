"""Implementation progress: the owning OPD reports how far a quick win has come."""

from __future__ import annotations

from collections.abc import Sequence

from council.auth.principal import Principal
from council.errors import invalid
from council.implementation.milestones import evidence_data
from council.implementation.models import NOTE_MAX, Milestone, ProgressReport
from council.proposals.unit import proposal_work
from council.texts import optional_text
from council.uploads.service import attach


async def report_progress(
    actor: Principal, proposal_id: int, *, percent: object, note: str = "", evidence_ids: Sequence[int] = ()
) -> int:
    """Record a progress report (``percent`` 0 to 100, never below the last report); return its id.

    Allowed in states the workflow marks ``progress`` (``implementation``), by
    an OPD officer or head of the owning organisation
    (:func:`council.workflow.permissions.operation_denial`, checked once by the write
    recipe, :func:`~council.proposals.unit.proposal_work`), on a quick win
    without milestones: once it has some, its progress is their weighted
    roll-up (:func:`council.implementation.queries.progress_of`, issue 13) and
    a report is refused. ``evidence_ids`` are uploads attached to the report
    (:func:`council.uploads.service.attach`), their SHA-256 in the audit event.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (scope ``implementation:write``,
            role, owner); NOT_FOUND; INVALID_TRANSITION (state); INVALID_INPUT
            (``progress_from_milestones`` on percent when the proposal has
            milestones; percent out of range or going back, note over 10,000
            characters; evidenceIds as ``attach``).
    """
    async with proposal_work(actor, proposal_id, "reportProgress") as w:
        if await Milestone.exists(proposal_id=proposal_id):
            raise invalid("progress_from_milestones", "percent")
        if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
            raise invalid("percent_range", "percent")
        note = optional_text(note, "note", NOTE_MAX)
        last = await ProgressReport.filter(proposal_id=proposal_id).order_by("-created_at", "-id").first()
        if last is not None and percent < last.percent:
            raise invalid("progress_backwards", "percent", last=last.percent, percent=percent)
        report = await ProgressReport.create(
            proposal_id=proposal_id, author_id=actor.member_id, percent=percent, note=note
        )
        files = await attach(w.id, w.row["organization_id"], evidence_ids, progress_report_id=report.id)
        data = {"report": report.id, "percent": percent} | ({"evidence": evidence_data(files)} if files else {})
        await w.record("progress", comment=note, data=data)
        w.announce("progress")
    return int(report.id)
