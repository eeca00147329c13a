"""The Relay ``node(id)`` query: any object by its global ID, within the viewer's rights."""

from __future__ import annotations

from typing import Any

import strawberry

from council.api.ids import from_global_id
from council.api.people import Member, Node, Organization
from council.api.types import (
    AuditEvent,
    Ballot,
    ProgressReport,
    Proposal,
    Review,
    readable,
)
from council.audit.queries import proposal_of_event
from council.errors import DomainError
from council.implementation.queries import proposal_of_report
from council.reviews.queries import proposal_of_review
from council.voting.queries import proposal_of_ballot

_PROPOSAL_OF = {
    "Review": proposal_of_review,
    "Ballot": proposal_of_ballot,
    "AuditEvent": proposal_of_event,
    "ProgressReport": proposal_of_report,
}
"""For each type that hangs off a proposal: its room's query for the proposal's id."""


async def _owned_by_readable_proposal(
    info: strawberry.Info, rows: list[dict[str, Any]], pk: int
) -> dict[str, Any] | None:
    for row in rows:
        if row["id"] == pk:
            return row
    return None


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Fetch any object by its global ID; null when absent, malformed or not readable.")
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        try:
            type_name, pk = from_global_id(id)
        except DomainError:
            return None
        loaders = info.context.loaders
        if type_name == "Proposal":
            row = await loaders.proposal.load(pk)
            return Proposal.from_row(row) if readable(info, row) else None
        if type_name == "Organization":
            row = await loaders.organization.load(pk)
            return Organization.from_row(row) if row else None
        if type_name == "Member":
            if not info.context.principal.is_authenticated:
                return None
            row = await loaders.member.load(pk)
            return Member.from_row(row) if row else None
        return await _child_node(info, type_name, pk)


async def _child_node(info: strawberry.Info, type_name: str, pk: int) -> Node | None:
    """Reviews, ballots, events and reports are readable when their proposal is."""
    proposal_of = _PROPOSAL_OF.get(type_name)
    if proposal_of is None:
        return None
    proposal_id = await proposal_of(pk)
    if proposal_id is None or not readable(info, await info.context.loaders.proposal.load(proposal_id)):
        return None
    loaders = info.context.loaders
    if type_name == "Review":
        rows = await loaders.reviews.load(proposal_id)
        row = await _owned_by_readable_proposal(info, rows, pk)
        return Review.from_row(row) if row else None
    if type_name == "AuditEvent":
        row = await _owned_by_readable_proposal(info, await loaders.events.load(proposal_id), pk)
        return AuditEvent.from_row(row) if row else None
    if type_name == "ProgressReport":
        row = await _owned_by_readable_proposal(info, await loaders.progress.load(proposal_id), pk)
        return ProgressReport.from_row(row) if row else None
    row = await loaders.ballot.load(proposal_id)
    return Ballot.from_row(row) if row and row["id"] == pk else None
