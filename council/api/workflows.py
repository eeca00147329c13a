"""Workflow definitions in GraphQL: ``workflow(name)``, for clients to draw the state machine."""

from __future__ import annotations

import strawberry

from council import enums as domain
from council.api.enums import NoQuorumAction, Role, ThresholdBase
from council.enums import Role as DomainRole
from council.workflow.definition import VoteRule, WorkflowDefinition
from council.workflow.durations import format_duration
from council.workflow.registry import get_registry


@strawberry.type(description="A state's vote rule (the workflow file's vote; see its comments for the defaults).")
class VoteRuleInfo:
    eligible_roles: list[Role]
    quorum: float | None = strawberry.field(
        description="Share of eligible members that must be exceeded by votes cast; null when quorumCount is set."
    )
    quorum_count: int | None = strawberry.field(description="An absolute quorum: at least this many votes cast.")
    threshold: float = strawberry.field(description="Share of yes that must be exceeded (of thresholdOf).")
    threshold_of: ThresholdBase
    window: str | None = strawberry.field(
        description="How long a ballot stays open, ISO 8601 (P7D); null: no deadline."
    )
    hide_tally: bool
    votes_public: bool = strawberry.field(description="Ballots of this state publish who chose what.")
    on_no_quorum: NoQuorumAction

    @classmethod
    def from_rule(cls, rule: VoteRule) -> VoteRuleInfo:
        return cls(
            eligible_roles=[DomainRole(r) for r in sorted(rule.eligible_roles)],
            quorum=rule.quorum,
            quorum_count=rule.quorum_count,
            threshold=rule.threshold,
            threshold_of=domain.ThresholdBase(rule.threshold_of),
            window=format_duration(rule.window) if rule.window else None,
            hide_tally=rule.hide_tally,
            votes_public=rule.votes_public,
            on_no_quorum=domain.NoQuorumAction(rule.on_no_quorum),
        )


@strawberry.type(description="A state's SLA timer: after a time in the state, escalate or fire a trigger.")
class SlaInfo:
    after: str = strawberry.field(description="ISO 8601 duration after entering the state (P14D).")
    escalate: bool
    trigger: str | None


@strawberry.type
class WorkflowState:
    name: str
    label: str
    final: bool
    editable: bool
    reviewable: bool
    public: bool
    progress: bool
    vote: VoteRuleInfo | None
    sla: SlaInfo | None


@strawberry.type
class WorkflowGuard:
    name: str
    parameters: strawberry.scalars.JSON


@strawberry.type
class WorkflowTransition:
    trigger: str
    label: str = strawberry.field(
        description="The trigger's label in the request's language (the workflow file's label, else the trigger)."
    )
    sources: list[str]
    dest: str
    roles: list[Role]
    owner_only: bool
    scope: str
    guards: list[WorkflowGuard]
    comment_required: bool


@strawberry.type
class Workflow:
    name: str
    version: int
    label: str
    initial: str
    states: list[WorkflowState]
    transitions: list[WorkflowTransition]

    @classmethod
    def from_definition(cls, d: WorkflowDefinition, lang: str) -> Workflow:
        return cls(
            name=d.name,
            version=d.version,
            label=d.label.get(lang, d.name),
            initial=d.initial,
            states=[
                WorkflowState(
                    name=s.name,
                    label=s.label.get(lang, s.name),
                    final=s.final,
                    editable=s.editable,
                    reviewable=s.reviewable,
                    public=s.public,
                    progress=s.progress,
                    vote=VoteRuleInfo.from_rule(s.vote) if s.vote else None,
                    sla=SlaInfo(after=format_duration(s.sla.after), escalate=s.sla.escalate, trigger=s.sla.trigger)
                    if s.sla
                    else None,
                )
                for s in d.states.values()
            ],
            transitions=[
                WorkflowTransition(
                    trigger=t.trigger,
                    label=t.label.get(lang) or t.trigger,
                    sources=list(t.sources),
                    dest=t.dest,
                    roles=[DomainRole(r) for r in sorted(t.roles)],
                    owner_only=t.owner_only,
                    scope=t.scope,
                    guards=[WorkflowGuard(name=g.name, parameters=strawberry.scalars.JSON(g.params)) for g in t.guards],
                    comment_required=t.comment_required,
                )
                for t in d.transitions
            ],
        )


@strawberry.type
class WorkflowQueries:
    @strawberry.field(description="The latest version of a workflow (or the given version), or null.")
    def workflow(self, info: strawberry.Info, name: str, version: int | None = None) -> Workflow | None:
        registry = get_registry()
        if version is None:
            definition = registry.latest(name)
        else:
            try:
                definition = registry.engine(name, version).definition
            except KeyError:
                definition = None
        return Workflow.from_definition(definition, info.context.lang) if definition else None
