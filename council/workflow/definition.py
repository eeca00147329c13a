"""Workflow definitions as immutable values, read from ``workflows/*.yaml``.

The loader (:mod:`council.workflow.loader`) builds and validates these; the
engine (:mod:`council.workflow.engine`) executes them; the services read the
state flags (``editable``, ``reviewable``, ``vote``, ``progress``, ``public``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class GuardSpec:
    """A named guard of a transition with its parameters (see :mod:`council.workflow.guards`)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    params_key: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class VoteRule:
    """The vote a state holds (DESIGN.md, "The workflow").

    Attributes:
        eligible_roles: roles whose holders may vote (council seats).
        quorum: share of eligible members that must be exceeded by the number
            of votes cast (abstentions count); 0.5 = more than half.
        threshold: share of yes among yes + no that must be exceeded; 0.5 =
            a simple majority.
    """

    eligible_roles: frozenset[str]
    quorum: float = 0.5
    threshold: float = 0.5

    def quorum_required(self, eligible: int) -> int:
        """Votes needed for a quorum of ``eligible`` members: ``floor(quorum * eligible) + 1``."""
        return int(self.quorum * eligible) + 1


@dataclass(frozen=True, slots=True)
class StateSpec:
    """A workflow state and what may happen in it."""

    name: str
    label: dict[str, str]
    final: bool = False
    editable: bool = False
    reviewable: bool = False
    progress: bool = False
    public: bool = False
    vote: VoteRule | None = None


@dataclass(frozen=True, slots=True)
class TransitionSpec:
    """One transition: ``trigger`` from any of ``sources`` to ``dest``.

    Attributes:
        roles: roles that may fire it (any one suffices).
        owner_only: only members of the proposal's owning organisation may fire it.
        scope: the OAuth scope the caller's token must carry.
        guards: all must pass, in order.
        comment_required: the actor must give a comment (a reason).
        index: position in the file, the order in which ``transitions`` tries
            transitions that share a trigger and source.
        line: line in the workflow file, for messages.
    """

    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    scope: str
    owner_only: bool = False
    guards: tuple[GuardSpec, ...] = ()
    comment_required: bool = False
    index: int = 0
    line: int = 0


@dataclass(frozen=True, slots=True)
class WorkflowDefinition:
    """A validated workflow: ``name`` at ``version`` with its states and transitions."""

    name: str
    version: int
    initial: str
    states: dict[str, StateSpec]
    transitions: tuple[TransitionSpec, ...]
    label: dict[str, str]
    source_file: Path

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger name, in file order, without repeats."""
        return tuple(dict.fromkeys(t.trigger for t in self.transitions))

    def state(self, name: str) -> StateSpec:
        """The state ``name``. Raises KeyError for an unknown state."""
        return self.states[name]
