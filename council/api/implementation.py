"""Implementation in GraphQL: ``reportProgress``."""

from __future__ import annotations

import strawberry

from council.api.evidence import evidence_pks
from council.api.mutations import mutation_recipe
from council.api.proposals import ProposalPayload, proposal_pk
from council.implementation import service


@strawberry.input
class ReportProgressInput:
    proposal_id: strawberry.ID
    percent: int = strawberry.field(description="Implementation progress, percent 0 to 100.")
    note: str | None = None
    evidence_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="EvidenceFile ids from POST /uploads, not attached yet (at most 20)."
    )


@strawberry.type
class ImplementationMutations:
    @strawberry.mutation(description="Report implementation progress (owning OPD). Needs implementation:write.")
    @mutation_recipe(ProposalPayload)
    async def report_progress(self, info: strawberry.Info, input: ReportProgressInput) -> ProposalPayload:
        pk = proposal_pk(input.proposal_id)
        await service.report_progress(
            info.context.principal,
            pk,
            percent=input.percent,
            note=input.note or "",
            evidence_ids=evidence_pks(input.evidence_ids),
        )
        return ProposalPayload(proposal_id=pk)
