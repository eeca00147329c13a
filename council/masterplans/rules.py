"""Rules of the master plan: cleaning a version's text and a comment."""

from __future__ import annotations

import hashlib

from council.errors import invalid
from council.masterplans.models import COMMENT_MAX, TEXT_MAX


def clean_text(value: str | None, field: str, limit: int) -> str:
    """``value`` stripped of surrounding space, not blank, at most ``limit`` characters.

    Raises:
        DomainError: INVALID_INPUT (``blank`` or ``too_long``) on ``field``.
    """
    text = (value or "").strip()
    if not text:
        raise invalid("blank", field)
    if len(text) > limit:
        raise invalid("too_long", field, max=limit)
    return text


def clean_version_text(value: str | None, field: str = "text") -> str:
    """A version's Markdown: not blank, at most :data:`~council.masterplans.models.TEXT_MAX` characters."""
    return clean_text(value, field, TEXT_MAX)


def clean_comment(value: str | None, field: str = "text") -> str:
    """A comment: not blank, at most :data:`~council.masterplans.models.COMMENT_MAX` characters."""
    return clean_text(value, field, COMMENT_MAX)


def text_hash(text: str) -> str:
    """SHA-256 hex digest of the UTF-8 text: what the plan's chain records of a version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
