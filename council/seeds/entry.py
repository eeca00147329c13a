"""The base of the seed file's pydantic models and their errors (shared by the seed's schema modules); no database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticCustomError

from council.errors import DomainError
from council.organizations.rules import CodeError, UsernameError, clean_code, clean_username


def fail(message: str, value: Any = None) -> PydanticCustomError:
    """A pydantic error whose message is ``message`` (with ``(got value)`` when a value is given)."""
    if value is not None:
        message = f"{message} (got {value!r})"
    return PydanticCustomError("seed", "{reason}", {"reason": message})


def apply_rule(clean: Callable[[Any], Any], value: Any, *, show: bool = False) -> Any:
    """``clean(value)``, a domain rule's :class:`~council.errors.DomainError` raised as :func:`fail` (English).

    ``show``: the error message includes the value.
    """
    try:
        return clean(value)
    except DomainError as exc:
        raise fail(exc.message("en"), value if show else None) from None


def code_rule(value: Any) -> str:
    """``clean_code(value)`` (organisation, pillar, programme codes), its :class:`CodeError` raised as :func:`fail`."""
    try:
        return clean_code(value)
    except CodeError as exc:
        raise fail(str(exc)) from None


def username_rule(value: Any) -> str:
    """``clean_username(value)``, its :class:`UsernameError` raised as :func:`fail`."""
    try:
        return clean_username(value)
    except UsernameError as exc:
        raise fail(str(exc)) from None


class Entry(BaseModel):
    """A seed entry: unknown fields are errors; frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
