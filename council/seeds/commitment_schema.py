"""The ``commitment`` of a seed file's programme as pydantic models (DESIGN.md, "The seed file"); no database.

Loaded by :mod:`council.seeds.commitments`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import field_validator, model_validator

from council.commitments.service import clean_text as clean_commitment_text
from council.commitments.service import clean_title as clean_commitment_title
from council.seeds.entry import Entry, apply_rule, fail, username_rule


class SignedEntry(Entry):
    """A signature already made: the ``member`` (username) and ``signed_at`` (a date or an ISO 8601 time; UTC)."""

    member: str
    signed_at: datetime

    @field_validator("member", mode="before")
    @classmethod
    def _member(cls, value: Any) -> str:
        return username_rule(value)

    @field_validator("signed_at", mode="before")
    @classmethod
    def _when(cls, value: Any) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime.combine(value, time(), UTC)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                raise fail("must be a date (2018-10-22) or an ISO 8601 time", value) from None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        raise fail("must be a date (2018-10-22) or an ISO 8601 time", value)


class CommitmentEntry(Entry):
    """A programme's commitment: ``title``, ``text`` (signed exactly as written), who signs, who signed.

    ``signatories`` (usernames) replaces the default signatories (every active
    ``opd_head``), ``countersignatory`` (a username) the default
    countersignatory (the ``council_chair``); ``signed`` lists signatures
    already made (each a required signatory, once).
    """

    title: str
    text: str
    signatories: list[str] | None = None
    countersignatory: str | None = None
    signed: list[SignedEntry] = []

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, value: Any) -> str:
        return str(apply_rule(clean_commitment_title, value))

    @field_validator("text", mode="before")
    @classmethod
    def _text(cls, value: Any) -> str:
        return str(apply_rule(clean_commitment_text, value))

    @field_validator("signatories", mode="before")
    @classmethod
    def _signatories(cls, value: Any) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, list) or not value:
            raise fail("must be a non-empty list of usernames", value)
        names = [username_rule(v) for v in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise fail(f"signatory {', '.join(twice)} given twice")
        return names

    @field_validator("countersignatory", mode="before")
    @classmethod
    def _countersignatory(cls, value: Any) -> str | None:
        return None if value is None else username_rule(value)

    @model_validator(mode="after")
    def _signed_once(self) -> CommitmentEntry:
        names = [s.member for s in self.signed]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise fail(f"signed: {', '.join(twice)} given twice")
        return self
