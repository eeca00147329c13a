"""Cleaning free text from clients: one rule for every room (titles, names, notes, reasons, comments).

Text is stripped of surrounding space and measured in characters; a value
that is not a string (a missing optional field, ``None``) reads as empty.
"""

from __future__ import annotations

from council.errors import invalid


def required_text(value: object, field: str, limit: int) -> str:
    """``value`` stripped, 1 to ``limit`` characters.

    Raises:
        DomainError: INVALID_INPUT on ``field``: ``blank`` or ``too_long`` (with ``max``).
    """
    text = optional_text(value, field, limit)
    if not text:
        raise invalid("blank", field)
    return text


def optional_text(value: object, field: str, limit: int) -> str:
    """``value`` stripped, 0 to ``limit`` characters (``""`` when absent).

    Raises:
        DomainError: INVALID_INPUT on ``field``: ``too_long`` (with ``max``).
    """
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > limit:
        raise invalid("too_long", field, max=limit)
    return text
