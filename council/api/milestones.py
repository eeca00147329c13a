"""Milestones in GraphQL: the ``Milestone`` type and ``Proposal.milestones`` (types only; mutations beside).

Read through the request's loaders (:mod:`council.api.loaders`): the
milestones of a page of proposals in one statement, their evidence files in
one more. Readable whenever their proposal is (they are resolved from it).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import strawberry

from council.api.evidence import EvidenceFile
from council.api.ids import to_global_id
from council.implementation import queries as domain  # the room's vocabulary, re-exported by its read side

if TYPE_CHECKING:
    from council.implementation.queries import MilestoneStatus as MilestoneStatus
else:
    MilestoneStatus = strawberry.enum(
        domain.MilestoneStatus,
        description="Where a milestone stands; LATE is set by the scheduler once its due date has passed undone.",
    )


@strawberry.type(description="A planned step of an approved quick win, weighted in its progress roll-up.")
class Milestone:
    id: strawberry.ID
    title: str
    description: str
    due_on: date = strawberry.field(description="The day it is due, in the city's time zone; LATE after that day.")
    weight: int = strawberry.field(description="1-100: its share of Proposal.progressPercent.")
    status: MilestoneStatus
    done_on: date | None = strawberry.field(description="The day it was completed (city time zone), or null.")
    note: str = strawberry.field(description="The OPD's note on completing it, or the reason it was reopened.")
    pk: strawberry.Private[int]

    @strawberry.field(description="Files attached on completing it, in upload order.")
    async def evidence(self, info: strawberry.Info) -> list[EvidenceFile]:
        return [EvidenceFile.from_row(r) for r in await info.context.loaders.milestone_evidence.load(self.pk)]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Milestone:
        return cls(
            id=strawberry.ID(to_global_id("Milestone", row["id"])),
            title=row["title"],
            description=row["description"],
            due_on=row["due_on"],
            weight=row["weight"],
            status=domain.MilestoneStatus(row["status"]),
            done_on=row["done_on"],
            note=row["note"],
            pk=row["id"],
        )


async def milestones_of(root: Any, info: strawberry.Info) -> list[Milestone]:
    """``Proposal.milestones``: by due date, then id (``root`` is a ``Proposal`` with its ``row``)."""
    return [Milestone.from_row(r) for r in await info.context.loaders.milestones.load(root.row["id"])]


async def evidence_of_report(root: Any, info: strawberry.Info) -> list[EvidenceFile]:
    """``ProgressReport.evidence``: the files attached to the report, in upload order (``root.pk``: its id)."""
    return [EvidenceFile.from_row(r) for r in await info.context.loaders.report_evidence.load(root.pk)]
