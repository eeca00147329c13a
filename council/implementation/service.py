"""Implementation progress: the owning OPD reports how far a quick win has come."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from council.audit.chains import proposal_chain
from council.audit.service import append_event
from council.auth.policy import OPERATIONS, authorize, authorize_operation
from council.auth.principal import Principal
from council.errors import invalid
from council.events import broadcaster, proposal_channel
from council.implementation.models import NOTE_MAX, ProgressReport
from council.proposals.models import Proposal
from council.proposals.queries import lock
from council.workflow.registry import get_registry


async def report_progress(actor: Principal, proposal_id: int, *, percent: object, note: str = "") -> int:
    """Record a progress report (``percent`` 0 to 100, never below the last report); return its id.

    Allowed in states the workflow marks ``progress`` (``implementation``), by
    an OPD officer or head of the owning organisation
    (:func:`council.auth.policy.operation_denial`).

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (scope ``implementation:write``,
            role, owner); NOT_FOUND; INVALID_TRANSITION (state); INVALID_INPUT
            (percent out of range or going back, note over 10,000 characters).
    """
    from council.proposals.service import get_readable

    authorize(actor, OPERATIONS["reportProgress"])
    row = await get_readable(actor, proposal_id)
    authorize(actor, OPERATIONS["reportProgress"], row["organization_id"])
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise invalid("percent_range", "percent")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise invalid("too_long", "note", max=NOTE_MAX)
    definition = get_registry().engine_for(row).definition
    async with in_transaction():
        await lock(proposal_id)
        locked = await Proposal.filter(id=proposal_id).first().values("state")
        authorize_operation("reportProgress", actor, row["organization_id"], definition, locked["state"])
        last = await ProgressReport.filter(proposal_id=proposal_id).order_by("-created_at", "-id").first()
        if last is not None and percent < last.percent:
            raise invalid("progress_backwards", "percent", last=last.percent, percent=percent)
        report = await ProgressReport.create(
            proposal_id=proposal_id, author_id=actor.member_id, percent=percent, note=note
        )
        await append_event(proposal_chain(proposal_id), actor, "progress", comment=note, data={"report": report.id, "percent": percent})
    await broadcaster.publish(proposal_channel(proposal_id), {"action": "progress", "proposal_id": proposal_id})
    return report.id
