"""Execute a workflow definition: one ``transitions.Machine`` per definition version, one pure decision.

The engine decides; it does not write. :func:`choose` is the one place that
picks the transition a trigger fires: given the definition, the proposal's
facts, the actor, the trigger and the machine's candidates for it from the
proposal's state, it returns a :data:`Choice` (not a trigger
of the workflow; not from this state; not permitted, with the permission
error; fires; or blocked by guards, with what stands in the way). Both
:meth:`WorkflowEngine.decide` (the transition ``transitionProposal`` fires,
or the error it raises) and :meth:`WorkflowEngine.assess`
(``availableTransitions``, ``transitionOptions``, ``blockedTransitions``)
are read off it, so they cannot disagree. The proposal service then applies
the decided transition atomically (the write recipe: the proposal locked and
read once, audit event) in one database transaction
(:func:`council.decisions.service.step`).

Where ``transitions`` earns its place, and where it does not:

- The ``Machine``, built once per definition version (``auto_transitions=False``,
  no model ever attached), is the workflow's graph: its states, and for each
  trigger and source state the transitions in the order ``transitions``
  tries them (the file's order, which the loader's ambiguity check reasons
  about). :meth:`WorkflowEngine.candidates` reads them with
  ``machine.get_transitions(trigger, source)``; each carries its
  :class:`TransitionSpec`. Building it refuses a transition that names a
  state the definition does not hold.
- The decision is not fired through the machine. Firing needs a model
  attached for the step, conditions that smuggle the permission check and
  the facts in through event kwargs, and callbacks that record what fired;
  conditions stop at the first failing guard, so the machine cannot say
  everything that blocks a trigger, and ``assess`` used to repeat the choice
  in plain Python beside it. Guards are pure functions of the facts
  (:mod:`council.workflow.guards`) and nothing happens on entering a state
  (the service writes), so a pure function decides once for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from transitions import Machine, Transition

from council.auth.policy import denial
from council.auth.principal import Principal
from council.errors import DomainError, ErrorCode
from council.workflow.definition import GuardSpec, TransitionSpec, WorkflowDefinition
from council.workflow.guards import GuardFailure, ProposalFacts, evaluate
from council.workflow.permissions import transition_rule


@dataclass(frozen=True, slots=True)
class TransitionOption:
    """A trigger ``actor`` may fire now: the transition that would fire, and whether a comment is required."""

    spec: TransitionSpec
    comment_required: bool

    @property
    def trigger(self) -> str:
        return self.spec.trigger


@dataclass(frozen=True, slots=True)
class BlockedOption:
    """A trigger ``actor`` would be allowed (role, scope, owner) to fire from this state but whose guards fail now.

    ``spec``: the first permitted transition for the trigger (its label is the
    trigger's). ``ways``: what stands in the way, one group per way the trigger
    could fire: of the permitted transitions for the trigger, those nearest to
    firing (no other fails on a strict subset of their guards), each with its
    failing guards in file order (all of a group must come to hold), repeated
    groups once. Several groups (``close_vote``: quorum, or the deadline) are
    alternatives: any one group clearing makes the trigger available.
    """

    spec: TransitionSpec
    ways: tuple[tuple[GuardFailure, ...], ...]

    @property
    def trigger(self) -> str:
        return self.spec.trigger


@dataclass(frozen=True, slots=True)
class Assessment:
    """Every trigger of the workflow for one viewer and proposal, in file order, in one of three places.

    ``options``: may fire now (:class:`Fires` of :func:`choose`: of the
    transitions for a trigger from the current state that the viewer is
    permitted, the first whose guards all pass; ``comment_required`` when any
    permitted one requires a comment); ``blocked``: would be allowed but
    guards fail (:class:`Blocked`, as a :class:`BlockedOption`); neither: the
    trigger does not leave the current state, or no transition for it from
    here allows the viewer (role, scope, owner).
    """

    options: tuple[TransitionOption, ...]
    blocked: tuple[BlockedOption, ...]


# --- the decision ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NotATrigger:
    """The workflow has no transition with this trigger at all."""


@dataclass(frozen=True, slots=True)
class NotFromHere:
    """The trigger exists but no transition for it leaves the proposal's state."""


@dataclass(frozen=True, slots=True)
class NotPermitted:
    """No transition for the trigger from here allows the actor; ``error``: the first candidate's permission error."""

    error: DomainError


@dataclass(frozen=True, slots=True)
class Fires:
    """``spec`` fires: the first permitted transition, in file order, whose guards all pass.

    ``comment_required``: any permitted transition for the trigger from here requires a comment.
    """

    spec: TransitionSpec
    comment_required: bool


@dataclass(frozen=True, slots=True)
class Blocked:
    """The actor is permitted but every permitted transition has a failing guard.

    ``spec``: the first permitted transition (its label is the trigger's).
    ``ways``: the failing guard groups of the transitions nearest to firing
    (see :class:`BlockedOption`). ``first_failure``: the first failing guard
    of the first permitted transition, the reason GUARD_FAILED gives.
    ``comment_required``: as for :class:`Fires` (checked before the guards).
    """

    spec: TransitionSpec
    ways: tuple[tuple[GuardFailure, ...], ...]
    first_failure: GuardFailure
    comment_required: bool


Choice = NotATrigger | NotFromHere | NotPermitted | Fires | Blocked
"""What :func:`choose` decides for one trigger."""


def permission_error(spec: TransitionSpec, actor: Principal, owner_org_id: int) -> DomainError | None:
    """Why ``actor`` may not fire ``spec`` on a proposal owned by ``owner_org_id``, or None."""
    return denial(actor, transition_rule(spec), owner_org_id)


def choose(
    definition: WorkflowDefinition,
    facts: ProposalFacts,
    actor: Principal,
    trigger: str,
    candidates: Sequence[TransitionSpec],
) -> Choice:
    """What ``trigger`` does for ``actor`` on a proposal described by ``facts``; pure (no I/O, no state).

    Args:
        definition: the proposal's workflow version.
        facts: the proposal's state and current round (reviews, ballot, progress).
        actor: who fires (the system principal passes every permission check).
        trigger: the trigger asked for.
        candidates: the transitions of ``definition`` for ``trigger`` leaving
            ``facts.state``, in file order (:meth:`WorkflowEngine.candidates`,
            from the machine).

    Returns:
        :class:`NotATrigger`, :class:`NotFromHere`, :class:`NotPermitted`,
        :class:`Fires` or :class:`Blocked`, checked in that order. Every
        guard of every permitted candidate is evaluated (guards are pure), so
        :class:`Blocked` names all that fail.
    """
    if trigger not in definition.triggers:
        return NotATrigger()
    if not candidates:
        return NotFromHere()
    errors = [permission_error(c, actor, facts.organization_id) for c in candidates]
    permitted = [c for c, error in zip(candidates, errors, strict=True) if error is None]
    if not permitted:
        denied = [error for error in errors if error is not None]  # all of them, as none is permitted
        return NotPermitted(denied[0])
    comment_required = any(c.comment_required for c in permitted)
    failing = [
        (c, [(g, f) for g in c.guards if (f := evaluate(g.name, g.params, facts)) is not None]) for c in permitted
    ]
    fires = next((c for c, fails in failing if not fails), None)
    if fires is not None:
        return Fires(fires, comment_required)
    return Blocked(permitted[0], _nearest_failures(failing), failing[0][1][0][1], comment_required)


def _nearest_failures(
    failing: list[tuple[TransitionSpec, list[tuple[GuardSpec, GuardFailure]]]],
) -> tuple[tuple[GuardFailure, ...], ...]:
    """The failing guards of each transition nearest to firing (see :class:`BlockedOption`), repeated groups once."""
    keys = [frozenset((g.name, g.params_key) for g, _ in fails) for _, fails in failing]
    groups: dict[frozenset[tuple[str, Any]], tuple[GuardFailure, ...]] = {}
    for (_, fails), mine in zip(failing, keys, strict=True):
        if any(other < mine for other in keys):
            continue
        groups.setdefault(mine, tuple(failure for _, failure in fails))
    return tuple(groups.values())


# --- the engine -----------------------------------------------------------------------------


class _SpecTransition(Transition):
    """A machine transition that knows the :class:`TransitionSpec` it was built from."""

    def __init__(self, *args: Any, spec: TransitionSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec


class _Graph(Machine):
    transition_cls = _SpecTransition


class WorkflowEngine:
    """The executable form of one :class:`WorkflowDefinition`: its ``transitions.Machine`` and :func:`choose`.

    Raises (on construction):
        ValueError: a transition names a state the definition does not hold
            (the loader refuses such a file first; this guards hand-built definitions).
    """

    def __init__(self, definition: WorkflowDefinition) -> None:
        self.definition = definition
        self.machine = _Graph(
            model=None,
            states=list(definition.states),
            initial=definition.initial,
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )
        for spec in definition.transitions:
            for name in (*spec.sources, spec.dest):
                self.machine.get_state(name)  # ValueError for a state the machine does not hold
            # added in file order: get_transitions(trigger, source) returns them in that order
            self.machine.add_transition(spec.trigger, list(spec.sources), spec.dest, spec=spec)

    def candidates(self, trigger: str, state: str) -> list[TransitionSpec]:
        """Transitions for ``trigger`` leaving ``state``, in file order (empty for an unknown trigger or state)."""
        # every transition of the machine is a _SpecTransition (transition_cls); the stubs say Transition
        transitions = cast("list[_SpecTransition]", self.machine.get_transitions(trigger, state))
        return [t.spec for t in transitions]

    def choose(self, facts: ProposalFacts, actor: Principal, trigger: str) -> Choice:
        """:func:`choose` on this definition, with the machine's candidates from ``facts.state``."""
        return choose(self.definition, facts, actor, trigger, self.candidates(trigger, facts.state))

    def decide(self, facts: ProposalFacts, actor: Principal, trigger: str, comment: str = "") -> TransitionSpec:
        """The transition ``actor`` fires with ``trigger`` on a proposal described by ``facts``.

        Raises, in this order (from :func:`choose`):
            DomainError: INVALID_INPUT ``unknown_trigger`` (the workflow has no
                such trigger); INVALID_TRANSITION (not from this state);
                UNAUTHENTICATED / FORBIDDEN (role, scope, owner: the first
                candidate's error when no candidate allows the actor);
                INVALID_INPUT ``comment_required`` (a permitted transition
                requires a comment and ``comment`` is blank); GUARD_FAILED
                (the first failing guard of the first permitted transition).
        """
        match self.choose(facts, actor, trigger):
            case NotATrigger():
                raise DomainError(
                    ErrorCode.INVALID_INPUT,
                    "unknown_trigger",
                    field="trigger",
                    workflow=self.definition.name,
                    trigger=trigger,
                )
            case NotFromHere():
                raise DomainError(
                    ErrorCode.INVALID_TRANSITION, "invalid_transition", trigger=trigger, state=facts.state
                )
            case NotPermitted(error=error):
                raise error
            case Fires(comment_required=True) | Blocked(comment_required=True) if not comment.strip():
                raise DomainError(ErrorCode.INVALID_INPUT, "comment_required", field="comment", trigger=trigger)
            case Blocked(first_failure=failure):
                raise DomainError(ErrorCode.GUARD_FAILED, failure.key, guard=failure.guard, **failure.params)
            case Fires(spec=spec):
                return spec
        raise AssertionError("unreachable")  # pragma: no cover

    def assess(self, facts: ProposalFacts, actor: Principal) -> Assessment:
        """The triggers ``actor`` may fire now and the blocked ones, by :func:`choose` for each trigger.

        A trigger is in exactly one of ``options`` / ``blocked`` / neither
        (see :class:`Assessment`): in ``options`` exactly when :meth:`decide`
        (with a comment given) returns its transition, in ``blocked`` exactly
        when it raises GUARD_FAILED.
        """
        options, blocked = [], []
        for trigger in self.definition.triggers:
            match self.choose(facts, actor, trigger):
                case Fires(spec=spec, comment_required=comment_required):
                    options.append(TransitionOption(spec, comment_required))
                case Blocked(spec=spec, ways=ways):
                    blocked.append(BlockedOption(spec, ways))
        return Assessment(tuple(options), tuple(blocked))
