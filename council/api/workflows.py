"""Workflow definitions in GraphQL: ``workflow(name)``, for clients to draw the state machine."""

from __future__ import annotations

import strawberry

from council.api.enums import Role
from council.enums import Role as DomainRole
from council.workflow.definition import WorkflowDefinition
from council.workflow.registry import get_registry


@strawberry.type
class VoteRuleInfo:
    eligible_roles: list[Role]
    quorum: float = strawberry.field(description="Share of eligible members that must be exceeded by votes cast.")
    threshold: float = strawberry.field(description="Share of yes among yes + no that must be exceeded.")


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


@strawberry.type
class WorkflowGuard:
    name: str
    parameters: strawberry.scalars.JSON


@strawberry.type
class WorkflowTransition:
    trigger: str
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
            name=d.name, version=d.version, label=d.label.get(lang, d.name), initial=d.initial,
            states=[
                WorkflowState(
                    name=s.name, label=s.label.get(lang, s.name), final=s.final, editable=s.editable,
                    reviewable=s.reviewable, public=s.public, progress=s.progress,
                    vote=VoteRuleInfo(eligible_roles=[DomainRole(r) for r in sorted(s.vote.eligible_roles)],
                                      quorum=s.vote.quorum, threshold=s.vote.threshold) if s.vote else None,
                )
                for s in d.states.values()
            ],
            transitions=[
                WorkflowTransition(
                    trigger=t.trigger, sources=list(t.sources), dest=t.dest,
                    roles=[DomainRole(r) for r in sorted(t.roles)], owner_only=t.owner_only, scope=t.scope,
                    guards=[WorkflowGuard(name=g.name, parameters=g.params) for g in t.guards],
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
