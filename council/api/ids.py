"""Relay global IDs: ``base64("Type:pk")``, and cursors ``base64("cursor:pk")``."""

from __future__ import annotations

import base64
import binascii

from council.errors import DomainError, ErrorCode


def to_global_id(type_name: str, pk: int) -> str:
    """The global ID of row ``pk`` of ``type_name`` (a GraphQL type name)."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def from_global_id(value: str, expected: str | None = None, field: str = "id") -> tuple[str, int]:
    """(type name, primary key) of a global ID.

    Raises:
        DomainError: INVALID_INPUT when the ID is malformed or, with
            ``expected``, of another type.
    """
    try:
        decoded = base64.b64decode(value.encode(), validate=True).decode()
        type_name, _, raw = decoded.partition(":")
        pk = int(raw)
        if not type_name or pk < 1 or str(pk) != raw:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeError):
        raise DomainError(ErrorCode.INVALID_INPUT, "malformed_id", field=field, value=value) from None
    if expected is not None and type_name != expected:
        raise DomainError(ErrorCode.INVALID_INPUT, "wrong_id_type", field=field, value=value, expected=expected)
    return type_name, pk


def to_cursor(pk: int) -> str:
    return base64.b64encode(f"cursor:{pk}".encode()).decode()


def from_cursor(value: str) -> int:
    """The primary key in a cursor. Raises DomainError INVALID_INPUT when malformed."""
    _, pk = from_global_id(value, expected="cursor", field="after")
    return pk
