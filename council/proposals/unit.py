"""The write recipe on an existing proposal: every write on a proposal goes through :func:`proposal_work`.

transitionProposal, updateProposal, submitReview, castVote, declareConflict,
reportProgress and the timers all run the same steps, in this order
(the generic part is :mod:`council.unit_of_work`):

1. the operation's rule that needs no row (``OPERATIONS[operation]``: scope,
   role), UNAUTHENTICATED / FORBIDDEN;
2. one transaction: lock the proposal row and read it in one statement;
3. NOT_FOUND when absent or not readable by the actor (existence is not
   revealed; :func:`council.proposals.queries.readable`);
4. ``permit(row, definition)``, an extra check of the operation on the
   locked row (castVote's seat rule), then the operation's full rule on the
   locked state (:func:`council.workflow.permissions.authorize_operation`: owner, the
   state flag the workflow file gives);
5. the body: clean the input, act, ``record`` the audit event, ``announce``;
6. commit, then publish the announcements (after-commit hook).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from council.audit.chains import proposal_chain
from council.audit.models import AuditEvent
from council.auth.policy import OPERATIONS, authorize
from council.auth.principal import Principal
from council.errors import DomainError
from council.proposals.queries import locked_row, readable
from council.unit_of_work import UnitOfWork, unit_of_work
from council.workflow.definition import WorkflowDefinition
from council.workflow.engine import WorkflowEngine
from council.workflow.permissions import authorize_operation
from council.workflow.registry import get_registry

Permit = Callable[[dict[str, Any], WorkflowDefinition], DomainError | None]
"""An extra check on the locked row and its workflow definition: the refusal, or None."""


@dataclass
class ProposalWork:
    """An open write on one locked proposal.

    ``row``: the proposal as read under the lock (:data:`~council.proposals.queries.PROPOSAL_FIELDS`);
    ``engine``: the workflow version the proposal runs on; ``work``: the unit of work
    (its ``now`` is the write's time, UTC).
    """

    work: UnitOfWork
    row: dict[str, Any]
    engine: WorkflowEngine

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def actor(self) -> Principal:
        return self.work.actor

    @property
    def definition(self) -> WorkflowDefinition:
        return self.engine.definition

    @property
    def now(self) -> Any:
        return self.work.now

    async def record(self, action: str, **event: Any) -> AuditEvent:
        """Append ``action`` to the proposal's audit chain (see :meth:`UnitOfWork.record`)."""
        return await self.work.record(action, **event)

    def announce(self, action: str, **details: Any) -> None:
        """Publish ``{"action": action, "proposal_id": id, **details}`` on ``proposal:<id>`` after the commit."""
        self.work.announce(action, **details)


@asynccontextmanager
async def proposal_work(
    actor: Principal,
    proposal_id: int,
    operation: str | None = None,
    *,
    permit: Permit | None = None,
) -> AsyncIterator[ProposalWork]:
    """The write recipe on proposal ``proposal_id`` for ``actor`` (see the module docstring).

    ``operation``: a name of :data:`~council.auth.policy.OPERATIONS` whose
    rule and state condition are checked, or None when the body decides
    (a transition: the workflow file; castVote: its ``permit`` and the vote rule).

    Raises:
        DomainError: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, INVALID_TRANSITION,
            VOTING_CLOSED, or what ``permit`` and the body raise; all roll back.
    """
    if operation is not None:
        authorize(actor, OPERATIONS[operation])
    async with unit_of_work(actor, proposal_chain(proposal_id)) as work:
        row = readable(actor, await locked_row(proposal_id))
        engine = get_registry().engine_for(row)
        if permit is not None and (error := permit(row, engine.definition)) is not None:
            raise error
        if operation is not None:
            authorize_operation(operation, actor, row["organization_id"], engine.definition, row["state"])
        yield ProposalWork(work, row, engine)
