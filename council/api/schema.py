"""The GraphQL schema: queries, mutations and limits, assembled from the concept modules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import strawberry
from graphql.error import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from council.api.assignment_mutations import AssignmentMutations
from council.api.commitments import CommitmentMutations, CommitmentQueries
from council.api.edge import LongNumberLiterals, without_suggestions
from council.api.errors import MaskUnexpectedErrors, log_error
from council.api.implementation import ImplementationMutations
from council.api.masterplans import MasterPlanMutations, MasterPlanQueries
from council.api.members import Member, Organization
from council.api.milestone_mutations import MilestoneMutations
from council.api.node import NodeQueries
from council.api.notifications import NotificationMutations
from council.api.observe import ObserveOperation
from council.api.organizations import OrganizationQueries
from council.api.outcome_mutations import OutcomeMutations
from council.api.programmes import ProgrammeQueries
from council.api.proposals import ProposalMutations, ProposalQueries
from council.api.reviews import ReviewMutations
from council.api.scalars import RUPIAH_SCALAR, Rupiah
from council.api.subscriptions import Subscription
from council.api.tasks import TaskSubscription
from council.api.types import AuditEvent, Ballot, ProgressReport, Proposal, Review
from council.api.voting import VotingMutations
from council.api.webhooks import WebhookMutations
from council.api.workflows import WorkflowQueries

Query = merge_types(
    "Query",
    (
        OrganizationQueries,
        ProgrammeQueries,
        MasterPlanQueries,
        CommitmentQueries,
        NodeQueries,
        ProposalQueries,
        WorkflowQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        ProposalMutations,
        ReviewMutations,
        VotingMutations,
        ImplementationMutations,
        OutcomeMutations,
        MilestoneMutations,
        MasterPlanMutations,
        CommitmentMutations,
        WebhookMutations,
        NotificationMutations,
        AssignmentMutations,
    ),
)

Subscriptions = merge_types("Subscription", (Subscription, TaskSubscription))

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2000


class CouncilSchema(strawberry.Schema):
    """Strawberry's schema, logging each error by :func:`council.api.errors.log_error`.

    Strawberry's own ``process_errors`` logs every error at ERROR with a
    traceback, the client's mistakes included. With ``suggestions=False``
    (production mode) it also takes "Did you mean …?" out of every error
    (:func:`council.api.edge.without_suggestions`): every error of a result,
    over HTTP or a websocket, passes here once before it is sent.

    :meth:`execute` (the HTTP transport's single result) never runs a
    subscription: one sent over HTTP is refused with 400, as a mutation over GET
    is; subscriptions are served over the websocket (:meth:`subscribe`).
    """

    def __init__(self, *args: Any, suggestions: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if not self.suggestions:
                without_suggestions(error)
            log_error(error)

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        allowed = set(allowed_operation_types or (OperationType.QUERY, OperationType.MUTATION))
        return await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed - {OperationType.SUBSCRIPTION},
            operation_extensions,
        )


def build_schema(*, introspection: bool = True, suggestions: bool = True) -> strawberry.Schema:
    """The schema with its limits; ``introspection=False`` and ``suggestions=False`` for production mode."""
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        MaskUnexpectedErrors,
        LongNumberLiterals,  # before graphql-core converts a literal of thousands of digits
        ObserveOperation,  # the operation's name and outcome, for the metrics and the request log
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    ]
    if not introspection:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return CouncilSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscriptions,
        types=[Proposal, Organization, Member, Review, Ballot, AuditEvent, ProgressReport],
        extensions=extensions,
        config=StrawberryConfig(scalar_map={Rupiah: RUPIAH_SCALAR}),
        suggestions=suggestions,
    )


def schema_sdl() -> str:
    """The schema in SDL, as checked in at ``graphql/schema.graphql``."""
    return build_schema().as_str() + "\n"
