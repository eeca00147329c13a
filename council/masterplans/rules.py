"""Rules of the master plan: cleaning a version's text and a comment."""

from __future__ import annotations

import hashlib

from council.masterplans.models import COMMENT_MAX, TEXT_MAX
from council.texts import required_text


def clean_version_text(value: str | None, field: str = "text") -> str:
    """A version's Markdown: not blank, at most :data:`~council.masterplans.models.TEXT_MAX` characters."""
    return required_text(value, field, TEXT_MAX)


def clean_comment(value: str | None, field: str = "text") -> str:
    """A comment: not blank, at most :data:`~council.masterplans.models.COMMENT_MAX` characters."""
    return required_text(value, field, COMMENT_MAX)


def text_hash(text: str) -> str:
    """SHA-256 hex digest of the UTF-8 text: what the plan's chain records of a version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
