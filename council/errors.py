"""Expected failures: :class:`DomainError` with a stable :class:`ErrorCode`.

Services raise ``DomainError``; the GraphQL room turns it into a
``UserError { code field message }`` in the payload, the CLI into a one-line
message. Messages are templates in English and Bahasa Indonesia, chosen by
the request's ``Accept-Language`` (see :func:`council.i18n.negotiate`).
Anything else that escapes a service is a bug: masked to the client and logged
with an id.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from council.i18n import render


class ErrorCode(StrEnum):
    """Stable error codes of the API contract (DESIGN.md, "UserError")."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    GUARD_FAILED = "GUARD_FAILED"
    CONFLICT = "CONFLICT"
    VOTING_CLOSED = "VOTING_CLOSED"
    CONFLICT_OF_INTEREST = "CONFLICT_OF_INTEREST"
    REAUTHENTICATION_REQUIRED = "REAUTHENTICATION_REQUIRED"
    """A deliberate act needs a recent password (:mod:`council.auth.stepup`); sign in again and repeat it."""


class DomainError(Exception):
    """An expected failure a client can cause and correct.

    Args:
        code: the stable code.
        key: the message template key in :data:`council.i18n.MESSAGES`.
        field: the input field at fault (camelCase, as in the API), if any.
        params: values for the template placeholders.
    """

    def __init__(self, code: ErrorCode, key: str, *, field: str | None = None, **params: Any) -> None:
        self.code = code
        self.key = key
        self.field = field
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (``en`` or ``id``)."""
        return render(self.key, lang, **self.params)


def invalid(key: str, field: str | None = None, **params: Any) -> DomainError:
    """Shorthand for an ``INVALID_INPUT`` error on ``field``; templates see it as ``{name}``."""
    return DomainError(ErrorCode.INVALID_INPUT, key, field=field, **({"name": field} | params))


def not_found(kind: str, field: str | None = None) -> DomainError:
    """Shorthand for ``NOT_FOUND``; also used where revealing existence would leak."""
    return DomainError(ErrorCode.NOT_FOUND, "not_found", field=field, kind=kind)


def forbidden(key: str = "forbidden", **params: Any) -> DomainError:
    """Shorthand for ``FORBIDDEN``."""
    return DomainError(ErrorCode.FORBIDDEN, key, **params)
