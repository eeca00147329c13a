"""The ``UserError`` type of every payload, and masking of unexpected errors."""

from __future__ import annotations

import logging
import uuid

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from council.errors import DomainError
from council.errors import ErrorCode as DomainErrorCode
from council.i18n import render

log = logging.getLogger("council.api")

ErrorCode = strawberry.enum(DomainErrorCode, name="ErrorCode", description="Stable error codes of UserError.")


@strawberry.type(description="An expected failure: a stable code, the input field at fault, a message in the request's language.")
class UserError:
    code: ErrorCode
    field: str | None
    message: str


def user_error(exc: DomainError, lang: str) -> UserError:
    """The ``UserError`` of a :class:`DomainError` in ``lang``."""
    return UserError(code=exc.code, field=exc.field, message=exc.message(lang))


class MaskUnexpectedErrors(MaskErrors):
    """Replace the message of any error raised inside a resolver with a reference id, and log it.

    GraphQL's own errors (syntax, validation, unknown field, variable types)
    are the client's and pass through unchanged. A :class:`DomainError`
    raised by a query (mutations put theirs in the payload) becomes an error
    with ``extensions.code`` and a message in the request's language.
    """

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._should_mask)

    @staticmethod
    def _should_mask(error: GraphQLError) -> bool:
        original = error.original_error
        return original is not None and not isinstance(original, GraphQLError)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DomainError):
            context = getattr(self.execution_context, "context", None)
            return GraphQLError(
                message=original.message(getattr(context, "lang", "en")),
                nodes=error.nodes, source=error.source, positions=error.positions, path=error.path,
                extensions={"code": original.code.value, "field": original.field},
            )
        ref = uuid.uuid4().hex[:12]
        log.error("unexpected error %s at %s", ref, error.path, exc_info=error.original_error)
        return GraphQLError(
            message=render("internal", "en", ref=ref),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL", "reference": ref},
        )
