"""The ``sessions`` of a seed file's programme as pydantic models (DESIGN.md, "The seed file"); no database.

Each session::

    - kind: bimtek                  # bimtek | council_meeting | other
      title: Bimtek I
      starts_on: 2018-07-04
      ends_on: 2018-07-05           # optional: a one-day session; not before starts_on
      place: Hotel ...              # optional
      notes: ...                    # optional
      attendance:                   # organisation codes or member usernames, or mappings:
        - diskominfotik             #   the organisation as a whole
        - walikota                  #   a member (and so their organisation)
        - {organization: pupr, present: false}
        - {member: kepala.pupr, role: narasumber}
      outputs:
        - {title: Draf masterplan, url: https://..., master_plan_version: 1}   # url, master_plan_version optional

Whether an attendance names an organisation or a member is decided against
the file and the database when the file is loaded (:mod:`council.seeds.session_load`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic_core import PydanticCustomError

from council.organizations.rules import clean_display_name
from council.programmes.session_models import TITLE_MAX, URL_MAX, SessionKind


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("seed", "{reason}", {"reason": message})


def _title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"must be non-empty text (got {value!r})")
    text = " ".join(value.split())
    if len(text) > TITLE_MAX:
        raise _fail(f"must be at most {TITLE_MAX} characters")
    return text


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AttendanceEntry(_Entry):
    """One attendance: ``organization`` (a code) or ``member`` (a username), not both; ``present``, ``role``."""

    organization: str | None = None
    member: str | None = None
    present: bool = True
    role: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"organization": value, "member": value, "role": None, "present": True, "plain": True}
        if isinstance(value, dict) and "plain" in value:
            raise _fail("unknown field 'plain'")
        return value

    plain: bool = False
    """Given as a bare name: an organisation code or a username, decided when loading."""

    @model_validator(mode="after")
    def _one(self) -> AttendanceEntry:
        if not self.plain and (self.organization is None) == (self.member is None):
            raise _fail("give either 'organization' or 'member'")
        if self.role is not None and not 1 <= len(self.role) <= 64:
            raise _fail("role must be 1 to 64 characters")
        return self

    @property
    def name(self) -> str:
        """The code or username as given."""
        return str(self.organization or self.member)

    @property
    def key(self) -> str:
        """What makes two attendances of a session the same: ``organization x``, ``member x`` or the bare name."""
        if self.plain:
            return self.name
        return f"organization {self.organization}" if self.organization is not None else f"member {self.member}"


class OutputEntry(_Entry):
    """A session's output: ``title``, optional ``url`` (http or https) and ``master_plan_version`` (1 or more)."""

    title: str
    url: str | None = None
    master_plan_version: int | None = None

    @field_validator("title", mode="before")
    @classmethod
    def _clean_title(cls, value: Any) -> str:
        return _title(value)

    @field_validator("url", mode="before")
    @classmethod
    def _url(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.startswith(("http://", "https://")) or len(value) > URL_MAX:
            raise _fail(f"must be an http or https URL of at most {URL_MAX} characters (got {value!r})")
        return value

    @field_validator("master_plan_version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> int | None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise _fail(f"must be a version number, 1 or more (got {value!r})")
        return value


class SessionEntry(_Entry):
    """A session of a programme (see the module's docstring); ``ends_on`` defaults to ``starts_on``."""

    kind: SessionKind
    title: str
    starts_on: date
    ends_on: date | None = None
    place: str | None = None
    notes: str | None = None
    attendance: list[AttendanceEntry] = []
    outputs: list[OutputEntry] = []

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> SessionKind:
        try:
            return SessionKind(value)
        except ValueError:
            known = ", ".join(k.value for k in SessionKind)
            raise _fail(f"unknown session kind {value!r} (one of {known})") from None

    @field_validator("title", mode="before")
    @classmethod
    def _clean_title(cls, value: Any) -> str:
        return _title(value)

    @field_validator("place", mode="before")
    @classmethod
    def _place(cls, value: Any) -> str | None:
        if value is None:
            return None
        try:
            return clean_display_name(value)
        except ValueError as exc:
            raise _fail(str(exc)) from None

    @model_validator(mode="after")
    def _dates(self) -> SessionEntry:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise _fail(f"ends_on {self.ends_on} is before starts_on {self.starts_on}")
        names = [a.key for a in self.attendance]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise _fail(f"attendance {', '.join(twice)} given twice")
        return self

    @property
    def last_day(self) -> date:
        """``ends_on``, or ``starts_on`` for a one-day session."""
        return self.ends_on or self.starts_on


def duplicate_sessions(sessions: list[SessionEntry]) -> list[str]:
    """Reasons for sessions given twice (same title and start date) in one programme."""
    seen: set[tuple[str, date]] = set()
    found = []
    for index, s in enumerate(sessions):
        if (s.title, s.starts_on) in seen:
            found.append(f"sessions.{index}: session {s.title!r} of {s.starts_on} given twice")
        seen.add((s.title, s.starts_on))
    return found
