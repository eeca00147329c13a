"""Workflow definitions as immutable values, read from ``workflows/*.yaml``.

The loader (:mod:`council.workflow.loader`) builds and validates these; the
engine (:mod:`council.workflow.engine`) executes them; the services read the
state flags (``editable``, ``reviewable``, ``vote``, ``sla``, ``progress``,
``public``) and the scheduler the deadlines (``vote.window``, ``sla.after``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from fractions import Fraction
from math import floor
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class GuardSpec:
    """A named guard of a transition with its parameters (see :mod:`council.workflow.guards`)."""

    name: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    params_key: tuple[tuple[str, Any], ...] = ()


THRESHOLD_BASES = ("yes_no", "cast")
NO_QUORUM_ACTIONS = ("reject", "extend")


def exceeds(count: int, share: float, base: int) -> bool:
    """``count > share * base``, computed exactly on the share as written (no float rounding)."""
    return count > Fraction(repr(share)) * base


@dataclass(frozen=True, slots=True)
class VoteRule:
    """The vote a state holds (the state's ``vote`` in the workflow file; defaults in brackets).

    Attributes:
        eligible_roles: roles whose holders may vote [council_member, council_chair].
        quorum: share of eligible members that the votes cast (abstentions
            count) must exceed, 0 < quorum < 1 [0.5: more than half]; None
            when ``quorum_count`` is given instead.
        quorum_count: an absolute quorum: at least this many votes cast
            (``quorum: {count: N}``), or None.
        threshold: share of yes that must be exceeded, 0 <= threshold < 1
            [0.5: a simple majority].
        threshold_of: what the share is of: ``yes_no`` (yes + no, abstentions
            left out) or ``cast`` (every vote cast, abstentions count against) [yes_no].
        window: how long the ballot stays open (``window: P7D``), or None: no
            deadline, only the chair closes [None].
        hide_tally: nobody sees the counts or the choices until the ballot closes [false].
        votes_public: each member's vote (who chose what) is published in the open
            data (:mod:`council.opendata`) once the tally is visible [false: only the counts].
        on_no_quorum: what the deadline does to a ballot without quorum:
            ``reject``, or ``extend`` once by the window and then reject [reject].
        deadline_trigger: the trigger the deadline fires (the loader takes
            it from the transitions out of the state guarded by ``quorum_met``
            or ``deadline_passed``); None without a window.
        remind_before: remind the undecided eligible voters this long before the
            ballot closes (a ``vote_reminder`` timer; needs a window, shorter than it) [None: no reminder].
    """

    eligible_roles: frozenset[str]
    quorum: float | None = 0.5
    quorum_count: int | None = None
    threshold: float = 0.5
    threshold_of: str = "yes_no"
    window: timedelta | None = None
    hide_tally: bool = False
    votes_public: bool = False
    on_no_quorum: str = "reject"
    deadline_trigger: str | None = None
    remind_before: timedelta | None = None

    def quorum_required(self, eligible: int) -> int:
        """Votes needed for a quorum of ``eligible`` members.

        ``quorum_count`` when given, else ``floor(quorum * eligible) + 1``
        (more than the share; 1 when nobody is eligible, which no ballot reaches).
        """
        return quorum_required(eligible, self.quorum, self.quorum_count)


def quorum_required(eligible: int, share: float | None, count: int | None) -> int:
    """Votes needed: ``count`` when given, else more than ``share`` of ``eligible`` (see :class:`VoteRule`)."""
    if count is not None:
        return count
    return floor(Fraction(repr(share if share is not None else 0.5)) * eligible) + 1


@dataclass(frozen=True, slots=True)
class SlaRule:
    """A state's service-level timer (``sla: {after: P14D, escalate: true}`` in the workflow file).

    Attributes:
        after: how long after entering the state the timer fires.
        escalate: append an ``escalation`` audit event (the state does not change).
        trigger: or fire this trigger as the system (its guards still apply).
        notify: roles whose holders are told of the escalation (in the ``escalation``
            announcement; the e-mail consumer finds the members) [none].
    """

    after: timedelta
    escalate: bool = False
    trigger: str | None = None
    notify: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewRule:
    """Who reviews in a ``reviewable`` state (``review: {assigned_only: true, remind_before: P2D}``).

    Attributes:
        assigned_only: only members with an assignment of the round (a person, or a
            reviewer of an assigned university) and the technical team may review, and
            ``min_reviews`` counts only reviews that completed an assignment [false].
        remind_before: remind an assignee this long before the end of the due date
            (a ``review_reminder`` timer) [None: no reminder].
    """

    assigned_only: bool = False
    remind_before: timedelta | None = None


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
    sla: SlaRule | None = None
    review: ReviewRule | None = None


DECIDING_GUARDS = frozenset({"quorum_met", "majority_yes", "deadline_passed"})
"""The guards that make a transition out of a voting state the ballot's decision: the one source for
the loader (every such transition shares the trigger the deadline fires) and for the ballot's stored
result (:func:`council.voting.ballots.result_of`: a transition without them cancels the ballot)."""


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
        label: the trigger's label by language code (``en``, ``id``), for
            buttons; empty when the file gives none (clients show the trigger).
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
    label: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def decides_ballot(self) -> bool:
        """Whether firing this transition out of a voting state is the ballot's decision (:data:`DECIDING_GUARDS`)."""
        return any(g.name in DECIDING_GUARDS for g in self.guards)

    @property
    def approves(self) -> bool:
        """Whether this transition is the ballot's approval: it needs ``majority_yes`` to hold."""
        return any(g.name == "majority_yes" for g in self.guards)


def states_before_a_vote(states: dict[str, StateSpec], transitions: tuple[TransitionSpec, ...]) -> frozenset[str]:
    """The states from which a state holding a ``vote`` can be reached, those states themselves included.

    Reachability follows the transitions of the file, whoever may fire them and
    whatever their guards: a vote "lies ahead" when some path leads to one.
    """
    into: dict[str, set[str]] = {name: set() for name in states}
    for t in transitions:
        for source in t.sources:
            into[t.dest].add(source)
    found = {name for name, spec in states.items() if spec.vote is not None}
    stack = list(found)
    while stack:
        for source in into[stack.pop()]:
            if source not in found:
                found.add(source)
                stack.append(source)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class WorkflowDefinition:
    """A validated workflow: ``name`` at ``version`` with its states and transitions.

    ``vote_ahead`` is computed from the states and transitions when the
    definition is built: :func:`states_before_a_vote` (where ``declareConflict``
    is allowed, :mod:`council.auth.policy`).
    """

    name: str
    version: int
    initial: str
    states: dict[str, StateSpec]
    transitions: tuple[TransitionSpec, ...]
    label: dict[str, str]
    source_file: Path
    vote_ahead: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        object.__setattr__(self, "vote_ahead", states_before_a_vote(self.states, self.transitions))

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger name, in file order, without repeats."""
        return tuple(dict.fromkeys(t.trigger for t in self.transitions))

    def state(self, name: str) -> StateSpec:
        """The state ``name``. Raises KeyError for an unknown state."""
        return self.states[name]
