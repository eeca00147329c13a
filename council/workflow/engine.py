"""Execute a workflow definition with ``transitions``: one machine per definition version.

The engine decides; it does not write. :meth:`WorkflowEngine.decide` checks
the actor's right (role, scope, owning organisation), the comment rule and the
guards, and returns the transition that fires; the proposal service then
applies it atomically (compare-and-set, audit event) in one database
transaction. :meth:`WorkflowEngine.assess` answers, by the same checks on
the same facts, what the viewer may fire now and what is blocked by guards
(``availableTransitions``, ``blockedTransitions``). Each step attaches a
throw-away model to the shared machine and detaches it before returning, so
no machine or model outlives a step (DESIGN.md; ``auto_transitions=False``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transitions import EventData, Machine, MachineError

from council.auth.policy import denial
from council.auth.principal import Principal
from council.errors import DomainError, ErrorCode
from council.workflow.definition import GuardSpec, TransitionSpec, WorkflowDefinition
from council.workflow.guards import GuardFailure, ProposalFacts, evaluate
from council.workflow.permissions import transition_rule


@dataclass
class _Step:
    """The model attached to the machine for one step (no slots: the machine adds methods)."""

    state: str = ""
    fired: TransitionSpec | None = None
    failures: list[GuardFailure] = field(default_factory=list)


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

    ``options``: may fire now (the same checks as :meth:`WorkflowEngine.decide`:
    of the transitions for a trigger from the current state that the viewer is
    permitted, the first whose guards all pass; ``comment_required`` when any
    permitted one requires a comment); ``blocked``:
    would be allowed but guards fail (:class:`BlockedOption`); neither: the
    trigger does not leave the current state, or no transition for it from
    here allows the viewer (role, scope, owner).
    """

    options: tuple[TransitionOption, ...]
    blocked: tuple[BlockedOption, ...]


def permission_error(spec: TransitionSpec, actor: Principal, owner_org_id: int) -> DomainError | None:
    """Why ``actor`` may not fire ``spec`` on a proposal owned by ``owner_org_id``, or None."""
    return denial(actor, transition_rule(spec), owner_org_id)


class WorkflowEngine:
    """The executable form of one :class:`WorkflowDefinition` (one ``transitions.Machine``)."""

    def __init__(self, definition: WorkflowDefinition) -> None:
        self.definition = definition
        self.machine = Machine(
            model=None,
            states=list(definition.states),
            initial=definition.initial,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        for spec in definition.transitions:
            for source in spec.sources:
                self.machine.add_transition(
                    spec.trigger,
                    source,
                    spec.dest,
                    conditions=[self._condition(spec)],
                    after=[self._record(spec)],
                )

    @staticmethod
    def _condition(spec: TransitionSpec) -> Any:
        def check(event: EventData) -> bool:
            step: _Step = event.model
            if spec not in event.kwargs["permitted"]:
                return False
            for g in spec.guards:
                failure = evaluate(g.name, g.params, event.kwargs["facts"])
                if failure is not None:
                    step.failures.append(failure)
                    return False
            return True

        return check

    @staticmethod
    def _record(spec: TransitionSpec) -> Any:
        def record(event: EventData) -> None:
            event.model.fired = spec

        return record

    def candidates(self, trigger: str, state: str) -> list[TransitionSpec]:
        """Transitions for ``trigger`` leaving ``state``, in file order."""
        return [t for t in self.definition.transitions if t.trigger == trigger and state in t.sources]

    def decide(self, facts: ProposalFacts, actor: Principal, trigger: str, comment: str = "") -> TransitionSpec:
        """The transition ``actor`` fires with ``trigger`` on a proposal described by ``facts``.

        Raises:
            DomainError: INVALID_INPUT (the workflow has no such trigger; a
                required comment is missing), INVALID_TRANSITION (not from this
                state), UNAUTHENTICATED / FORBIDDEN (role, scope, owner),
                GUARD_FAILED (with the first failing guard's reason).
        """
        if trigger not in self.definition.triggers:
            raise DomainError(
                ErrorCode.INVALID_INPUT, "unknown_trigger", field="trigger",
                workflow=self.definition.name, trigger=trigger,
            )
        candidates = self.candidates(trigger, facts.state)
        if not candidates:
            raise DomainError(ErrorCode.INVALID_TRANSITION, "invalid_transition", trigger=trigger, state=facts.state)
        permitted = [c for c in candidates if permission_error(c, actor, facts.organization_id) is None]
        if not permitted:
            raise permission_error(candidates[0], actor, facts.organization_id)  # type: ignore[misc]
        if any(c.comment_required for c in permitted) and not comment.strip():
            raise DomainError(ErrorCode.INVALID_INPUT, "comment_required", field="comment", trigger=trigger)
        step = self._fire(facts, trigger, permitted)
        if step.fired is None:
            failure = step.failures[0]
            raise DomainError(ErrorCode.GUARD_FAILED, failure.key, guard=failure.guard, **failure.params)
        return step.fired

    def assess(self, facts: ProposalFacts, actor: Principal) -> Assessment:
        """The triggers ``actor`` may fire now and the blocked ones, from one evaluation of the checks on ``facts``.

        A trigger is in exactly one of ``options`` / ``blocked`` / neither
        (see :class:`Assessment`); every guard of every permitted transition
        is evaluated (guards are pure), so the reasons name all that fail.
        """
        options, blocked = [], []
        for trigger in self.definition.triggers:
            candidates = self.candidates(trigger, facts.state)
            permitted = [c for c in candidates if permission_error(c, actor, facts.organization_id) is None]
            if not permitted:
                continue
            failing = [(c, [(g, f) for g in c.guards if (f := evaluate(g.name, g.params, facts)) is not None])
                       for c in permitted]
            fires = next((c for c, fails in failing if not fails), None)
            if fires is not None:
                options.append(TransitionOption(fires, any(c.comment_required for c in permitted)))
            else:
                blocked.append(BlockedOption(permitted[0], _nearest_failures(failing)))
        return Assessment(tuple(options), tuple(blocked))

    def _fire(self, facts: ProposalFacts, trigger: str, permitted: list[TransitionSpec]) -> _Step:
        step = _Step()
        self.machine.add_model(step, initial=facts.state)
        try:
            step.trigger(trigger, facts=facts, permitted=permitted)  # type: ignore[attr-defined]
        except MachineError:
            pass
        finally:
            self.machine.remove_model(step)
        return step


def _nearest_failures(failing: list[tuple[TransitionSpec, list[tuple[GuardSpec, GuardFailure]]]]
                      ) -> tuple[tuple[GuardFailure, ...], ...]:
    """The failing guards of each transition nearest to firing (see :class:`BlockedOption`), repeated groups once."""
    keys = [frozenset((g.name, g.params_key) for g, _ in fails) for _, fails in failing]
    groups: dict[frozenset[tuple[str, Any]], tuple[GuardFailure, ...]] = {}
    for (_, fails), mine in zip(failing, keys, strict=True):
        if any(other < mine for other in keys):
            continue
        groups.setdefault(mine, tuple(failure for _, failure in fails))
    return tuple(groups.values())
