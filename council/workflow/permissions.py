"""Permissions that come from a workflow file: who may fire a transition or vote, what state an operation needs.

The one permission check is :func:`council.auth.policy.denial` against a
:class:`~council.auth.policy.Rule`; this module makes the rules the workflow
file declares (a transition's roles, scope and ``owner_only``; a voting
state's eligible roles) and adds the state each operation of
:data:`~council.auth.policy.OPERATIONS` needs (:data:`STATE_CONDITIONS`).
:func:`available_operations` lists what a viewer may do on a proposal by the
same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from council.auth.policy import OPERATIONS, Rule, denial
from council.auth.principal import Principal
from council.auth.scopes import VOTES_WRITE
from council.enums import Role
from council.errors import DomainError, ErrorCode
from council.workflow.definition import StateSpec, TransitionSpec, VoteRule, WorkflowDefinition


def transition_rule(spec: TransitionSpec) -> Rule:
    """The rule of a workflow transition: its scope, roles and ``owner_only``."""
    return Rule(spec.scope, spec.roles, spec.owner_only)


def vote_rule(vote: VoteRule | None) -> Rule:
    """The rule of ``castVote`` in a state whose vote is ``vote`` (default eligible roles when None)."""
    roles = (
        vote.eligible_roles if vote is not None else frozenset({Role.COUNCIL_MEMBER.value, Role.COUNCIL_CHAIR.value})
    )
    return Rule(VOTES_WRITE, roles)


@dataclass(frozen=True, slots=True)
class StateCondition:
    """The state an operation on an existing proposal needs, read from the workflow file.

    ``allows(definition, state)``: a flag of the state, or for a declared
    conflict where the state lies in the workflow graph.
    """

    allows: Callable[[WorkflowDefinition, StateSpec], bool]
    code: ErrorCode
    key: str

    def denial(self, definition: WorkflowDefinition, state: StateSpec) -> DomainError | None:
        """The error when ``state`` of ``definition`` does not allow the operation, or None."""
        return None if self.allows(definition, state) else DomainError(self.code, self.key, state=state.name)


IN_PROGRESS_STATE = StateCondition(lambda d, s: s.progress, ErrorCode.INVALID_TRANSITION, "no_progress")
"""A state the workflow file marks ``progress`` (implementation): progress reports and milestones."""

STATE_CONDITIONS: dict[str, StateCondition] = {
    "updateProposal": StateCondition(lambda d, s: s.editable, ErrorCode.INVALID_TRANSITION, "not_editable"),
    "submitReview": StateCondition(lambda d, s: s.reviewable, ErrorCode.INVALID_TRANSITION, "not_reviewable"),
    "reportProgress": IN_PROGRESS_STATE,
    "addMilestone": IN_PROGRESS_STATE,
    "updateMilestone": IN_PROGRESS_STATE,
    "completeMilestone": IN_PROGRESS_STATE,
    "reopenMilestone": IN_PROGRESS_STATE,
    "uploadEvidence": StateCondition(lambda d, s: s.progress, ErrorCode.INVALID_TRANSITION, "no_evidence"),
    "defineKpi": StateCondition(lambda d, s: s.progress, ErrorCode.INVALID_TRANSITION, "not_in_implementation"),
    "recordMeasurement": StateCondition(lambda d, s: s.progress, ErrorCode.INVALID_TRANSITION, "not_in_implementation"),
    "reportSpending": StateCondition(lambda d, s: s.progress, ErrorCode.INVALID_TRANSITION, "not_in_implementation"),
    "declareConflict": StateCondition(lambda d, s: s.name in d.vote_ahead, ErrorCode.VOTING_CLOSED, "no_vote_ahead"),
    "assignReviewers": StateCondition(lambda d, s: s.reviewable, ErrorCode.INVALID_TRANSITION, "not_reviewable"),
    "declineAssignment": StateCondition(lambda d, s: True, ErrorCode.INVALID_TRANSITION, "not_reviewable"),
}
"""What each operation of :data:`OPERATIONS` on an existing proposal needs of
its current state: the ``editable``, ``reviewable`` and ``progress`` flags of
the workflow file (every milestone operation, reopening included, needs
``progress``: a completed quick win's milestones are closed with it;
``uploadEvidence``, ``POST /uploads``, needs it as the reports that cite its
files do); a declared conflict, a state from which a state holding a
``vote`` can still be reached, itself included (``WorkflowDefinition.vote_ahead``):
once no vote lies ahead a declaration would change nothing, so it is refused
with VOTING_CLOSED (the code ``castVote`` answers when no ballot is open);
assigning reviewers needs ``reviewable``; declining an assignment any state
(a pending assignment can be declined after the proposal moved on)."""


def operation_denial(
    name: str, actor: Principal, owner_organization_id: int, definition: WorkflowDefinition, state: str
) -> DomainError | None:
    """Why ``actor`` may not perform operation ``name`` on a proposal of that owner in ``state``, or None.

    :func:`denial` under ``OPERATIONS[name]`` (UNAUTHENTICATED, FORBIDDEN),
    then :data:`STATE_CONDITIONS` on the state of ``definition`` the proposal
    is in (INVALID_TRANSITION, or VOTING_CLOSED for ``declareConflict``).
    Input (scores, percent, reason, ...) is the service's to check. Raises
    KeyError for an operation not in both tables, or an unknown state.
    """
    return denial(actor, OPERATIONS[name], owner_organization_id) or STATE_CONDITIONS[name].denial(
        definition, definition.state(state)
    )


def authorize_operation(
    name: str, actor: Principal, owner_organization_id: int, definition: WorkflowDefinition, state: str
) -> None:
    """Raise :func:`operation_denial`'s error when there is one (as :func:`authorize` does for :func:`denial`).

    Raises:
        DomainError: UNAUTHENTICATED, FORBIDDEN, INVALID_TRANSITION or VOTING_CLOSED.
    """
    error = operation_denial(name, actor, owner_organization_id, definition, state)
    if error is not None:
        raise error


ACTIONS = (
    "updateProposal",
    "submitReview",
    "castVote",
    "declareConflict",
    "reportProgress",
    "addMilestone",
    "defineKpi",
    "reportSpending",
)
"""The operations ``Proposal.availableActions`` may list, in that order."""


def available_operations(
    actor: Principal,
    owner_organization_id: int,
    definition: WorkflowDefinition,
    state: str,
    *,
    vote_denial: DomainError | None,
    recused: bool,
    has_milestones: bool = False,
    assigned: bool = True,
) -> list[str]:
    """The operations of :data:`ACTIONS` that ``actor`` may perform now on a proposal they can read.

    ``castVote`` when ``vote_denial`` (the answer of
    :func:`council.voting.service.vote_denial`) is None; the others when
    :func:`operation_denial` is None, except that ``declareConflict`` is left
    out once the actor has declared one (``recused``; declaring again is
    accepted but changes nothing), and ``reportProgress`` once the proposal
    has milestones (its progress is theirs then:
    :func:`council.implementation.service.report_progress` refuses), and
    ``submitReview`` under the state's ``review: {assigned_only: true}`` for
    anyone but the technical team without an assignment of the round
    (``assigned``; :func:`council.reviews.assignments.assignment_denial`).
    """
    result = []
    for name in ACTIONS:
        if name == "castVote":
            allowed = vote_denial is None
        else:
            allowed = operation_denial(name, actor, owner_organization_id, definition, state) is None
            if allowed and name == "declareConflict":
                allowed = not recused
            if allowed and name == "reportProgress":
                allowed = not has_milestones
            if allowed and name == "submitReview" and not assigned:
                review = definition.state(state).review
                allowed = review is None or not review.assigned_only or actor.has_role(Role.TECHNICAL_TEAM.value)
        if allowed:
            result.append(name)
    return result
