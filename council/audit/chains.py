"""Audit chains: an event belongs to a chain named by a kind and an id (a proposal's, later a commitment's)."""

from __future__ import annotations

from dataclasses import dataclass

PROPOSAL = "proposal"


@dataclass(frozen=True, slots=True)
class Chain:
    """One hash chain: ``kind`` (``proposal``; later ``commitment``, ``master_plan``) and the subject's id."""

    kind: str
    id: int

    @property
    def channel(self) -> str:
        """The broadcaster channel of the chain's events, e.g. ``proposal:42``."""
        return f"{self.kind}:{self.id}"


def proposal_chain(proposal_id: int) -> Chain:
    """The chain of one proposal's events."""
    return Chain(PROPOSAL, proposal_id)
