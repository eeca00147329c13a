"""The seed file's entries as pydantic models (DESIGN.md, "The seed file"); no YAML, no database.

Each field is checked by the rule the API and the CLI use for it:
organisation, programme, phase and pillar codes and usernames by
:mod:`council.organizations.rules`, titles, summaries and budgets by
:mod:`council.proposals.rules`. Whether a proposal's pillar is one of its
programme's is checked on the file as a whole (:mod:`council.seeds.parse`).
A broken rule becomes a pydantic error whose message is the rule's own
wording; :func:`reasons` turns pydantic's errors into ``field: reason`` lines.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError, field_validator, model_validator

from council.enums import OrganizationKind, Role
from council.notifications.preferences import EmailError, clean_email
from council.organizations.rules import clean_display_name
from council.proposals.rules import clean_budget, clean_summary, clean_title
from council.seeds.commitment_schema import CommitmentEntry
from council.seeds.entry import Entry, apply_rule, code_rule, fail, username_rule
from council.seeds.session_schema import SessionEntry, duplicate_sessions

SECTIONS = ("city", "pillars", "programme", "programmes", "organizations", "members", "proposals")
"""The top-level keys of a seed file, in the order they are loaded (``programme`` or ``programmes``, not both)."""
KEY_OF = {
    "pillars": "code",
    "programme": "code",
    "programmes": "code",
    "organizations": "code",
    "members": "username",
    "proposals": "title",
    "sessions": "title",
}
"""The field that names an entry of each section in error messages."""


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise fail("must be text", value)
    return value


def _name(value: Any) -> str:
    try:
        return clean_display_name(value)
    except ValueError as exc:
        raise fail(str(exc)) from None


class CityEntry(Entry):
    """The city: display name, IANA time zone (e.g. ``Asia/Jakarta``), BCP 47 locale (e.g. ``id-ID``).

    The locale's language (``id`` of ``id-ID``) becomes the default language
    when the app speaks it (:data:`council.i18n.LANGUAGES`); any other is kept
    but not used.
    """

    name: str
    timezone: str
    locale: str = "id-ID"
    province: str | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _display_name(cls, value: Any) -> str:
        return _name(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise fail("unknown time zone", value) from None
        return value

    @property
    def language(self) -> str:
        """The locale's language, e.g. ``id`` for ``id-ID``."""
        return language_of(self.locale)


def language_of(locale: str) -> str:
    """The language subtag of a BCP 47 locale, lower-cased: ``id-ID`` -> ``id``, ``en_GB`` -> ``en``."""
    return locale.replace("_", "-").split("-", 1)[0].lower()


class PillarLabel(Entry):
    """A pillar's label in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str


class PillarEntry(Entry):
    """A pillar of a programme: ``code`` (a-z, 0-9, ``.``, ``_``, ``-``; its key) with its labels."""

    code: str
    label: PillarLabel

    @field_validator("code", mode="before")
    @classmethod
    def _pillar(cls, value: Any) -> str:
        return code_rule(value)


class PhaseEntry(Entry):
    """A phase of a programme: ``code``, ``name``, ``starts_on`` and ``ends_on`` (dates, both inclusive).

    ``ends_on`` defaults to ``starts_on`` (a one-day phase) and may not come before it.
    """

    code: str
    name: str
    starts_on: date
    ends_on: date | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _phase(cls, value: Any) -> str:
        return code_rule(value)

    @field_validator("name", mode="before")
    @classmethod
    def _display_name(cls, value: Any) -> str:
        return _name(value)

    @model_validator(mode="after")
    def _dates(self) -> PhaseEntry:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise fail(f"ends_on {self.ends_on} is before starts_on {self.starts_on}")
        return self

    @property
    def last_day(self) -> date:
        """``ends_on``, or ``starts_on`` for a one-day phase."""
        return self.ends_on or self.starts_on


class PlanVersionEntry(Entry):
    """A master plan version: either ``text`` (Markdown) or ``sections`` (pillar code -> Markdown), and its author.

    ``sections`` become one ``## <pillar label>`` section each, in the
    programme's pillar order, labelled in the city's language. ``author`` is
    a username (of this file or the database), or none.
    """

    text: str | None = None
    sections: dict[str, str] | None = None
    author: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> PlanVersionEntry:
        if (self.text is None) == (self.sections is None):
            raise fail("give either text or sections")
        if self.text is not None and not self.text.strip():
            raise fail("text must not be blank")
        if self.sections is not None and (not self.sections or not all(t.strip() for t in self.sections.values())):
            raise fail("sections must be a non-empty mapping of pillar codes to text")
        return self


class PlanProgrammeEntry(Entry):
    """An acceleration programme of the master plan: ``code`` (its key), ``title``, ``pillar`` code."""

    code: str
    title: str
    pillar: str

    @field_validator("code", "pillar", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> str:
        return code_rule(value)

    @field_validator("title", mode="before")
    @classmethod
    def _display_name(cls, value: Any) -> str:
        return _name(value)


class MasterPlanEntry(Entry):
    """A programme's master plan: ``title``, ``versions`` (oldest first), ``programmes``, optional ``finalized``.

    ``finalized`` (a date, the city's) finalises it as its last version, by
    ``finalized_by`` (a username, the council chair) or the system. A plan
    already in the database is left as it is, but gets the programmes it lacks.
    """

    title: str = "Masterplan Smart City"
    versions: list[PlanVersionEntry] = []
    programmes: list[PlanProgrammeEntry] = []
    finalized: date | None = None
    finalized_by: str | None = None

    @field_validator("title", mode="before")
    @classmethod
    def _display_name(cls, value: Any) -> str:
        return _name(value)

    @model_validator(mode="after")
    def _checks(self) -> MasterPlanEntry:
        codes = [p.code for p in self.programmes]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise fail(f"plan programme code {', '.join(twice)} given twice")
        if self.finalized is not None and not self.versions:
            raise fail("finalized needs at least one version")
        return self


class ProgrammeEntry(Entry):
    """A programme of the city: ``code`` (its key), ``name``, ``year``, optional ``stage``, phases, pillars, sessions,
    master plan, commitment.

    ``sessions``: :mod:`council.seeds.session_schema`.

    ``pillars`` may instead be given at the top level of the file for the
    file's first programme (never both). Phase and pillar codes are unique
    within the programme.
    """

    code: str
    name: str
    year: int
    stage: str | None = None
    phases: list[PhaseEntry] = []
    pillars: list[PillarEntry] | None = None
    sessions: list[SessionEntry] = []
    master_plan: MasterPlanEntry | None = None
    commitment: CommitmentEntry | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _programme(cls, value: Any) -> str:
        return code_rule(value)

    @field_validator("name", mode="before")
    @classmethod
    def _display_name(cls, value: Any) -> str:
        return _name(value)

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2200:
            raise fail("must be a year from 1900 to 2200", value)
        return value

    @field_validator("stage", mode="before")
    @classmethod
    def _stage(cls, value: Any) -> str | None:
        if value is None:
            return None
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not text or len(text) > 64:
            raise fail("must be text of 1 to 64 characters", value)
        return text

    @model_validator(mode="after")
    def _unique_codes(self) -> ProgrammeEntry:
        for what, codes in (("phase", [p.code for p in self.phases]), ("pillar", [p.code for p in self.pillars or []])):
            twice = sorted({c for c in codes if codes.count(c) > 1})
            if twice:
                raise fail(f"{what} code {', '.join(twice)} given twice")
        if self.pillars is not None and not self.pillars:
            raise fail("pillars must not be empty")
        twice = duplicate_sessions(self.sessions)
        if twice:
            raise fail("; ".join(twice))
        if self.pillars is not None and self.master_plan is not None:
            known = [p.code for p in self.pillars]
            plan = self.master_plan
            used = [p.pillar for p in plan.programmes] + [c for v in plan.versions for c in v.sections or {}]
            unknown = sorted({c for c in used if c not in known})
            if unknown:
                raise fail(f"master_plan: unknown pillar {', '.join(unknown)} (the pillars are {', '.join(known)})")
        return self


class OrganizationEntry(Entry):
    """An organisation: short ``code`` (its key), ``kind`` and ``name``."""

    code: str
    kind: OrganizationKind
    name: str

    @field_validator("name", mode="before")
    @classmethod
    def _display_name(cls, value: Any) -> str:
        return _name(value)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return code_rule(value)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> OrganizationKind:
        try:
            return OrganizationKind(value)
        except ValueError:
            known = ", ".join(k.value for k in OrganizationKind)
            raise fail(f"unknown organisation kind {value!r} (one of {known})") from None


class MemberEntry(Entry):
    """A member: ``username`` (its key), display ``name``, organisation code, roles, optional ``email``.

    ``email`` (issue 15) is where notifications go, checked by
    :func:`council.notifications.preferences.clean_email`; set when the
    member is created (a member present already is left unchanged).
    """

    username: str
    name: str
    organization: str
    roles: list[Role]
    email: str | None = None

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise fail("must be an e-mail address")
        try:
            return clean_email(value)
        except EmailError as exc:
            raise fail(str(exc)) from None

    @field_validator("name", mode="before")
    @classmethod
    def _display_name(cls, value: Any) -> str:
        return _name(value)

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        return username_rule(value)

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> list[Role]:
        if not isinstance(value, list) or not value:
            raise fail("must be a non-empty list of roles")
        roles: list[Role] = []
        for item in value:
            try:
                role = Role(item)
            except ValueError:
                known = ", ".join(r.value for r in Role)
                raise fail(f"unknown role {item!r} (one of {known})") from None
            if role in roles:
                raise fail(f"role {item!r} given twice")
            roles.append(role)
        return roles


class ProposalEntry(Entry):
    """A proposal, created in the default workflow's initial state.

    ``budget`` is whole rupiah (IDR), 0 to 2**63 - 1; ``title`` at most 200
    characters (rules of :mod:`council.proposals.rules`). ``pillar`` is a
    pillar code of the proposal's programme: ``programme`` (a code of the
    file's programmes), else the file's first programme, else the city's
    first programme in the database. ``plan_programme`` is the code of an
    acceleration programme of that programme's ``master_plan``, of the same pillar.
    """

    title: str
    summary: str
    pillar: str
    organization: str
    author: str
    budget: int
    programme: str | None = None
    plan_programme: str | None = None

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, value: Any) -> str:
        return apply_rule(clean_title, _text(value))

    @field_validator("summary", mode="before")
    @classmethod
    def _summary(cls, value: Any) -> str:
        return apply_rule(clean_summary, _text(value))

    @field_validator("pillar", mode="before")
    @classmethod
    def _pillar(cls, value: Any) -> str:
        return code_rule(_text(value).strip().lower())

    @field_validator("budget", mode="before")
    @classmethod
    def _budget(cls, value: Any) -> int:
        return apply_rule(clean_budget, value, show=True)


MODELS: dict[str, type[BaseModel]] = {
    "pillars": PillarEntry,
    "programmes": ProgrammeEntry,
    "organizations": OrganizationEntry,
    "members": MemberEntry,
    "proposals": ProposalEntry,
}
"""The model of each list section's entries."""


def reasons(exc: ValidationError) -> list[str]:
    """Our wording for pydantic's errors: ``field: reason``, one per error."""
    found = []
    for error in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in error["loc"])
        kind = error["type"]
        if kind == "missing":
            found.append(f"missing field {loc!r}")
        elif kind == "extra_forbidden":
            found.append(f"unknown field {loc!r}")
        elif kind in {"model_type", "model_attributes_type", "dict_type"}:
            found.append(f"{loc + ': ' if loc else ''}must be a mapping")
        elif kind == "string_type":
            found.append(f"{loc}: must be text (got {error['input']!r})")
        elif kind == "list_type":
            found.append(f"{loc}: must be a list")
        else:
            found.append(f"{loc}: {error['msg']}" if loc else error["msg"])
    return found
