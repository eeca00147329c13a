"""Proposals in GraphQL: the ``proposals`` connection, ``proposal``, and their mutations."""

from __future__ import annotations

import strawberry

from council.api.errors import UserError
from council.api.ids import from_cursor, from_global_id, to_cursor
from council.api.mutations import mutation_recipe
from council.api.scalars import Rupiah
from council.api.types import Proposal, readable
from council.decisions import service as decisions
from council.errors import DomainError, not_found
from council.proposals import service
from council.proposals.queries import proposal_page
from council.settings import get_settings


@strawberry.input(description="Narrow the proposals list; all given conditions must hold.")
class ProposalFilter:
    pillar: str | None = strawberry.field(default=None, description="A pillar code, e.g. smart_living.")
    state: str | None = None
    organization_id: strawberry.ID | None = None
    search: str | None = strawberry.field(default=None, description="Case-insensitive text in the title or summary.")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class ProposalEdge:
    cursor: str
    node: Proposal


@strawberry.type
class ProposalConnection:
    edges: list[ProposalEdge]
    page_info: PageInfo
    total_count: int


async def load_proposal(info: strawberry.Info, proposal_id: int) -> Proposal:
    """The proposal as the viewer may see it (through the request's loader).

    Raises:
        DomainError: NOT_FOUND when absent or not readable by the viewer.
    """
    row = await info.context.loaders.proposal.load(proposal_id)
    if not readable(info, row):
        raise not_found("proposal", "proposalId")
    return Proposal.from_row(row)


@strawberry.type
class ProposalQueries:
    @strawberry.field(description="Proposals the viewer may read, newest first (cursor pagination).")
    async def proposals(
        self,
        info: strawberry.Info,
        first: int | None = 20,
        after: str | None = None,
        filter: ProposalFilter | None = None,
    ) -> ProposalConnection:
        limit = max(0, min(first if first is not None else 20, get_settings().max_page_size))
        conditions = filter or ProposalFilter()
        organization_id = None
        if conditions.organization_id:
            _, organization_id = from_global_id(conditions.organization_id, "Organization", "filter.organizationId")
        rows, total, has_next = await proposal_page(
            info.context.principal,
            pillar=conditions.pillar.strip().lower() if conditions.pillar else None,
            state=conditions.state or None,
            organization_id=organization_id,
            search=conditions.search or None,
            after_id=from_cursor(after) if after else None,
            limit=limit,
        )
        for row in rows:
            info.context.loaders.proposal.prime(row["id"], row)
        edges = [ProposalEdge(cursor=to_cursor(r["id"]), node=Proposal.from_row(r)) for r in rows]
        return ProposalConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )

    @strawberry.field(description="One proposal, or null when absent or not readable by the viewer.")
    async def proposal(self, info: strawberry.Info, id: strawberry.ID) -> Proposal | None:
        try:
            _, pk = from_global_id(id, "Proposal")
            return await load_proposal(info, pk)
        except DomainError:
            return None


@strawberry.type
class ProposalPayload:
    proposal_id: strawberry.Private[int | None] = None

    @strawberry.field
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        return None if self.proposal_id is None else await load_proposal(info, self.proposal_id)

    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateProposalInput:
    title: str
    summary: str
    pillar: str = strawberry.field(description="A pillar code of the programme (see pillars(programmeId)).")
    budget: Rupiah = strawberry.field(description="Whole rupiah, 0 or more.")
    programme_id: strawberry.ID | None = strawberry.field(
        default=None, description="The programme the proposal joins; default the current programme."
    )


@strawberry.input(description="Fields left null are unchanged.")
class UpdateProposalInput:
    proposal_id: strawberry.ID
    title: str | None = None
    summary: str | None = None
    pillar: str | None = strawberry.field(default=None, description="A pillar code of the proposal's programme.")
    budget: Rupiah | None = None


@strawberry.input
class TransitionProposalInput:
    proposal_id: strawberry.ID
    trigger: str = strawberry.field(description="A trigger of the proposal's workflow, e.g. submit.")
    comment: str | None = strawberry.field(default=None, description="A reason; required by some transitions.")


def proposal_pk(value: str) -> int:
    """The primary key of a Proposal global ID (INVALID_INPUT on field proposalId otherwise)."""
    return from_global_id(value, "Proposal", "proposalId")[1]


@strawberry.type
class ProposalMutations:
    @strawberry.mutation(description="Create a draft for the viewer's OPD. Needs proposals:write.")
    @mutation_recipe(ProposalPayload)
    async def create_proposal(self, info: strawberry.Info, input: CreateProposalInput) -> ProposalPayload:
        programme_id = None
        if input.programme_id is not None:
            programme_id = from_global_id(input.programme_id, "Programme", "programmeId")[1]
        pk = await service.create_proposal(
            info.context.principal,
            title=input.title,
            summary=input.summary,
            pillar=input.pillar,
            budget=input.budget,
            programme_id=programme_id,
        )
        return ProposalPayload(proposal_id=pk)

    @strawberry.mutation(description="Edit a draft of the viewer's OPD. Needs proposals:write.")
    @mutation_recipe(ProposalPayload)
    async def update_proposal(self, info: strawberry.Info, input: UpdateProposalInput) -> ProposalPayload:
        pk = proposal_pk(input.proposal_id)
        await service.update_proposal(
            info.context.principal,
            pk,
            title=input.title,
            summary=input.summary,
            pillar=input.pillar,
            budget=input.budget,
        )
        return ProposalPayload(proposal_id=pk)

    @strawberry.mutation(description="Fire a workflow trigger on a proposal (see availableTransitions).")
    @mutation_recipe(ProposalPayload)
    async def transition_proposal(self, info: strawberry.Info, input: TransitionProposalInput) -> ProposalPayload:
        pk = proposal_pk(input.proposal_id)
        await decisions.transition(info.context.principal, pk, input.trigger, input.comment or "")
        return ProposalPayload(proposal_id=pk)
