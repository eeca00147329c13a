"""Which hash chain an audit event belongs to: a kind of subject and its id.

A chain is named by ``(kind, id)``: ``("proposal", 7)`` is proposal 7's chain.
Other subjects (a commitment, a master plan) get chains of their own kind in the
same table, verified by the same code; this module names no domain model, so the
audit room depends on none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

PROPOSAL = "proposal"
"""The kind of a proposal's chain (the only kind whose hashed body says ``"proposal"``)."""

MASTER_PLAN = "master_plan"
"""The kind of a master plan's chain: its versions and its finalisation (:mod:`council.masterplans.service`)."""

COMMITMENT = "commitment"
"""The kind of a commitment's chain: its creation and each signature."""


@dataclass(frozen=True, slots=True)
class Chain:
    """One hash chain: ``kind`` (at most 32 characters, e.g. ``"proposal"``) and the subject's ``id``."""

    kind: str
    id: int

    @property
    def channel(self) -> str:
        """The broadcaster channel of the chain's events, e.g. ``proposal:42``."""
        return f"{self.kind}:{self.id}"


def proposal_chain(proposal_id: int) -> Chain:
    """The chain of proposal ``proposal_id``."""
    return Chain(PROPOSAL, proposal_id)


def master_plan_chain(plan_id: int) -> Chain:
    """The chain of master plan ``plan_id``."""
    return Chain(MASTER_PLAN, plan_id)


def commitment_chain(commitment_id: int) -> Chain:
    """The chain of commitment ``commitment_id``."""
    return Chain(COMMITMENT, commitment_id)
