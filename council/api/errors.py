"""The ``UserError`` type of every payload, masking of unexpected errors, and how errors are logged.

Logging (:func:`log_error`, called once per error by the schema's
``process_errors``): what the client caused and can correct (GraphQL syntax,
validation and variable coercion errors, a :class:`DomainError` such as a bad
cursor or global ID) at INFO, one line without a traceback; anything else is
a bug, logged at ERROR with its traceback and the reference id the response
carries (:class:`MaskUnexpectedErrors`).
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

import strawberry
from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from council.errors import DomainError
from council.errors import ErrorCode as DomainErrorCode
from council.i18n import render

if TYPE_CHECKING:
    # strawberry.enum returns the class it registers: to a type checker ErrorCode is the domain enum.
    from council.errors import ErrorCode

log = logging.getLogger("council.api")

if not TYPE_CHECKING:
    ErrorCode = strawberry.enum(DomainErrorCode, name="ErrorCode", description="Stable error codes of UserError.")


@strawberry.type(
    description="An expected failure: a stable code, the input field at fault, a message in the request's language."
)
class UserError:
    code: ErrorCode
    field: str | None
    message: str


def user_error(exc: DomainError, lang: str) -> UserError:
    """The ``UserError`` of a :class:`DomainError` in ``lang``."""
    return UserError(code=exc.code, field=exc.field, message=exc.message(lang))


_REFERENCE = "council_reference"
"""The attribute on an unexpected exception holding its reference id, so it is logged once however often it is seen."""


def log_error(error: GraphQLError) -> str | None:
    """Log one error of a GraphQL result; return the reference id of an unexpected one (None for the client's).

    The client's errors at INFO without a traceback; an unexpected one at
    ERROR with its traceback and a new reference id (12 hex digits), the
    first time it is seen only: :class:`MaskUnexpectedErrors` asks again for
    the id it puts in the response.
    """
    original = error.original_error
    if original is None or isinstance(original, GraphQLError | DomainError):
        code = original.code.value if isinstance(original, DomainError) else "GRAPHQL"
        log.info("client error %s at %s: %s", code, error.path, error.message)
        return None
    ref: str | None = getattr(original, _REFERENCE, None)
    if ref is None:
        ref = uuid.uuid4().hex[:12]
        try:
            setattr(original, _REFERENCE, ref)
        except AttributeError:  # an exception type without a __dict__: it may be logged again, with another id
            pass
        log.error("unexpected error %s at %s", ref, error.path, exc_info=original)
    return ref


class MaskUnexpectedErrors(MaskErrors):
    """Replace the message of any error raised inside a resolver with a reference id, and log it.

    GraphQL's own errors (syntax, validation, unknown field, variable types)
    are the client's and pass through unchanged. A :class:`DomainError`
    raised by a query (mutations put theirs in the payload) becomes an error
    with ``extensions.code`` and a message in the request's language.
    Anything else gets ``extensions.reference``, the id :func:`log_error`
    logged it with.
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
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": original.code.value, "field": original.field},
            )
        ref = log_error(error)
        return GraphQLError(
            message=render("internal", "en", ref=ref),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions={"code": "INTERNAL", "reference": ref},
        )
