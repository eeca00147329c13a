"""Loading a city's programme from a seed file (DESIGN.md, "The seed file").

A seed file is YAML with ``city``, ``pillars`` (optional), ``organizations``,
``members`` and ``proposals``. :func:`parse_seed` checks everything that can be
checked without a database; :func:`load_seed` then checks the references
against the database and writes the new rows, all inside one transaction: a
bad file raises :class:`SeedError` and leaves nothing behind.

Loading is idempotent: organisations are matched by ``code``, members by
``username`` and proposals by (organisation, title). Rows already present are
counted and left as they are (a proposal may have moved on in its workflow).

Example::

    report = await load_seed("pekanbaru-2018")
    report.proposals.created  # 8 on an empty database, 0 the second time
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council.audit.chains import proposal_chain
from council.audit.service import append_event
from council.enums import OrganizationKind, Pillar, Role
from council.errors import DomainError
from council.organizations.models import Member, Organization
from council.proposals.models import Proposal
from council.proposals.queries import lock
from council.proposals.rules import clean_budget, clean_pillar, clean_summary, clean_title

if TYPE_CHECKING:
    from council.workflow.definition import WorkflowDefinition

BUILTIN_DIR = Path(__file__).resolve().parent
"""Folder of the built-in seeds; ``council seed NAME`` loads ``NAME.yaml`` from here."""

NAME_MAX = 255
CODE_MAX = 64
_IDENT = re.compile(r"[a-z0-9][a-z0-9._-]*")
SECTIONS = ("city", "pillars", "organizations", "members", "proposals")
_KEY_OF = {"pillars": "code", "organizations": "code", "members": "username", "proposals": "title"}

ProgressCallback = Callable[[int, int, str], None]
"""``progress(done, total, what)``: called after each entry is written or found present."""


class SeedError(Exception):
    """A seed file that cannot be loaded; nothing of it was written.

    Attributes:
        file: the file's path as given (or the built-in seed's path).
        entry: the first faulty entry, e.g. ``members[3] (username opd.kominfo, line 57)``;
            ``document`` for the file as a whole.
        reason: what is wrong with it.
        problems: every (entry, reason) found, the first one included.

    ``str()`` is ``"{file}: {entry}: {reason}"``, one line per problem.
    """

    def __init__(self, file: str, entry: str, reason: str, *, more: list[tuple[str, str]] | None = None) -> None:
        self.file, self.entry, self.reason = file, entry, reason
        self.problems = [(entry, reason), *(more or [])]
        super().__init__("\n".join(f"{file}: {e}: {r}" for e, r in self.problems))


def _fail(message: str, value: Any = None) -> PydanticCustomError:
    if value is not None:
        message = f"{message} (got {value!r})"
    return PydanticCustomError("seed", "{reason}", {"reason": message})


def _ident(value: str, what: str) -> str:
    if len(value) > CODE_MAX or not _IDENT.fullmatch(value):
        raise _fail(f"{what} must be 1 to {CODE_MAX} characters of a-z, 0-9, '.', '_', '-'", value)
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _fail("must be text", value)
    return value


def _name(value: Any) -> str:
    value = _text(value).strip()
    if not value or len(value) > NAME_MAX:
        raise _fail(f"must be 1 to {NAME_MAX} characters")
    return value


def _rule(clean: Callable[[Any], Any], value: Any) -> Any:
    try:
        return clean(value)
    except DomainError as exc:
        raise _fail(exc.message("en")) from None


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CityEntry(_Entry):
    """The city: display name, IANA time zone (e.g. ``Asia/Jakarta``), BCP 47 locale."""

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
            raise _fail("unknown time zone", value) from None
        return value


class PillarLabel(_Entry):
    """A pillar's label in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str


class PillarEntry(_Entry):
    """One of the six pillars of :class:`council.enums.Pillar` with its labels."""

    code: Pillar
    label: PillarLabel

    @field_validator("code", mode="before")
    @classmethod
    def _pillar(cls, value: Any) -> Pillar:
        return _rule(clean_pillar, value)


class OrganizationEntry(_Entry):
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
        return _ident(value, "code")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> OrganizationKind:
        try:
            return OrganizationKind(value)
        except ValueError:
            known = ", ".join(k.value for k in OrganizationKind)
            raise _fail(f"unknown organisation kind {value!r} (one of {known})") from None


class MemberEntry(_Entry):
    """A member: ``username`` (its key), display ``name``, organisation code, roles."""

    username: str
    name: str
    organization: str
    roles: list[Role]

    @field_validator("name", mode="before")
    @classmethod
    def _display_name(cls, value: Any) -> str:
        return _name(value)

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        return _ident(value, "username")

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> list[Role]:
        if not isinstance(value, list) or not value:
            raise _fail("must be a non-empty list of roles")
        roles: list[Role] = []
        for item in value:
            try:
                role = Role(item)
            except ValueError:
                known = ", ".join(r.value for r in Role)
                raise _fail(f"unknown role {item!r} (one of {known})") from None
            if role in roles:
                raise _fail(f"role {item!r} given twice")
            roles.append(role)
        return roles


class ProposalEntry(_Entry):
    """A proposal, created in the default workflow's initial state.

    ``budget`` is whole rupiah (IDR), 0 to 2**63 - 1; ``title`` at most 200
    characters (rules of :mod:`council.proposals.rules`).
    """

    title: str
    summary: str
    pillar: Pillar
    organization: str
    author: str
    budget: int

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, value: Any) -> str:
        return _rule(clean_title, _text(value))

    @field_validator("summary", mode="before")
    @classmethod
    def _summary(cls, value: Any) -> str:
        return _rule(clean_summary, _text(value))

    @field_validator("pillar", mode="before")
    @classmethod
    def _pillar(cls, value: Any) -> Pillar:
        return _rule(clean_pillar, value)

    @field_validator("budget", mode="before")
    @classmethod
    def _budget(cls, value: Any) -> int:
        try:
            return clean_budget(value)
        except DomainError as exc:
            raise _fail(exc.message("en"), value) from None


_MODELS: dict[str, type[_Entry]] = {
    "pillars": PillarEntry,
    "organizations": OrganizationEntry,
    "members": MemberEntry,
    "proposals": ProposalEntry,
}


@dataclass
class SeedFile:
    """A seed file that passed every check that needs no database.

    Attributes:
        path: the file read.
        label: how errors name the file (the path as given).
        city / organizations / members / proposals: the checked entries, in file order.
        pillars: the six pillars with their labels, or None when the file gives none.
        lines: 1-based line of each entry, keyed by (section, index).
        raw: the entries as parsed from YAML, for naming them in errors.
    """

    path: Path
    label: str
    city: CityEntry
    pillars: list[PillarEntry] | None
    organizations: list[OrganizationEntry]
    members: list[MemberEntry]
    proposals: list[ProposalEntry]
    lines: dict[tuple[str, int], int] = field(default_factory=dict)
    raw: dict[str, list[Any]] = field(default_factory=dict)

    def entry(self, section: str, index: int) -> str:
        """How errors name an entry, e.g. ``members[3] (username opd.kominfo, line 57)``."""
        return _entry_name(section, index, self.raw.get(section, []), self.lines)


@dataclass
class KindCount:
    """Rows of one kind: ``created`` by this load, ``existing`` already present (left unchanged)."""

    created: int = 0
    existing: int = 0


@dataclass
class SeedReport:
    """What :func:`load_seed` did.

    Attributes:
        city: the city's name from the file.
        file: the file loaded.
        organizations / members / proposals: rows created and found present.
        notes: entries found present but different from the file (left unchanged).
    """

    city: str
    file: str
    organizations: KindCount = field(default_factory=KindCount)
    members: KindCount = field(default_factory=KindCount)
    proposals: KindCount = field(default_factory=KindCount)
    notes: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        """Rows created, all kinds."""
        return self.organizations.created + self.members.created + self.proposals.created


def builtin_seeds() -> list[str]:
    """Names of the built-in seeds (``pekanbaru-2018``)."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def resolve_source(source: str | Path) -> tuple[Path, str]:
    """The file and its label for a built-in seed name or a path.

    A bare name (no folder, no ``.yaml``) naming a built-in seed wins over a
    file of that name in the working folder; write ``./NAME`` for the file.

    Raises:
        SeedError: neither a built-in seed nor an existing file.
    """
    text = str(source)
    if isinstance(source, str) and "/" not in text and "\\" not in text and not text.endswith((".yaml", ".yml")):
        builtin = BUILTIN_DIR / f"{text}.yaml"
        if builtin.is_file():
            return builtin, str(builtin)
    path = Path(source)
    if not path.is_file():
        raise SeedError(
            text, "document", f"no such file, nor a built-in seed of that name (built-in: {', '.join(builtin_seeds())})"
        )
    return path, text


def parse_seed(path: Path, label: str | None = None) -> SeedFile:
    """Read and check a seed file without touching the database.

    Checks the YAML, the fields of every entry (unknown or missing fields,
    kinds, roles, pillars, identifiers, titles, summaries, budgets in whole
    rupiah), duplicates within the file (organisation codes, usernames,
    proposal titles within an organisation) and that ``pillars``, when given,
    are exactly the six of :class:`council.enums.Pillar`.

    Args:
        path: the YAML file.
        label: how errors name the file (default: ``str(path)``).

    Raises:
        SeedError: every problem found, the first in ``entry`` / ``reason``.
    """
    label = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(label, "document", f"cannot be read: {exc}") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
        problem = getattr(exc, "problem", None) or str(exc)
        raise SeedError(label, where, f"not valid YAML: {problem}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SeedError(label, "document", f"must be a mapping with the keys {', '.join(SECTIONS)}")

    problems: list[tuple[str, str]] = []
    lines = _entry_lines(node)
    for key in data:
        if key not in SECTIONS:
            problems.append(("document", f"unknown key {key!r} (expected {', '.join(SECTIONS)})"))

    city: CityEntry | None = None
    if "city" not in data:
        problems.append(("document", "missing field 'city'"))
    else:
        try:
            city = CityEntry.model_validate(data["city"])
        except ValidationError as exc:
            problems += [(f"city (line {lines.get(('city', -1), '?')})", r) for r in _reasons(exc)]

    raw: dict[str, list[Any]] = {}
    parsed: dict[str, list[Any]] = {}
    for section, model in _MODELS.items():
        items = data.get(section)
        if items is None:
            items = []
        elif not isinstance(items, list):
            problems.append((section, "must be a list"))
            items = []
        raw[section] = items
        parsed[section] = []
        for index, item in enumerate(items):
            try:
                parsed[section].append((index, model.model_validate(item)))
            except ValidationError as exc:
                name = _entry_name(section, index, items, lines)
                problems += [(name, r) for r in _reasons(exc)]

    def named(section: str, index: int) -> str:
        return _entry_name(section, index, raw[section], lines)

    problems += _duplicates(parsed["organizations"], lambda o: o.code, "organizations", named, "organisation code")
    problems += _duplicates(parsed["members"], lambda m: m.username, "members", named, "username")
    problems += _duplicates(
        parsed["proposals"], lambda p: (p.organization, p.title), "proposals", named, "title in this organisation"
    )
    if isinstance(data.get("pillars"), list):
        problems += _pillar_set(parsed["pillars"], named)
    problems += _duplicate_keys(node)

    if problems or city is None:  # a missing or bad city is among the problems
        first, *more = problems
        raise SeedError(label, *first, more=more)
    return SeedFile(
        path=path,
        label=label,
        city=city,
        pillars=[p for _, p in parsed["pillars"]] if isinstance(data.get("pillars"), list) else None,
        organizations=[o for _, o in parsed["organizations"]],
        members=[m for _, m in parsed["members"]],
        proposals=[p for _, p in parsed["proposals"]],
        lines=lines,
        raw=raw,
    )


async def load_seed(source: str | Path, *, progress: ProgressCallback | None = None) -> SeedReport:
    """Load a seed into the database in one transaction; idempotent.

    Args:
        source: a built-in seed name (``pekanbaru-2018``) or a path to a YAML file.
        progress: called as ``progress(done, total, what)`` after each entry.

    Returns:
        Counts of rows created and already present per kind. New proposals
        start in the initial state of the default workflow, each with a
        ``created`` audit event by the system.

    Raises:
        SeedError: the file is bad, names an organisation or author that is
            neither in the file nor in the database, or gives a proposal an
            author outside its organisation. Nothing is written.
        council.workflow.loader.WorkflowError: the workflow definitions are bad.
    """
    from council.workflow.registry import get_registry

    path, label = resolve_source(source)
    seed = parse_seed(path, label)
    workflow = get_registry().default()
    report = SeedReport(city=seed.city.name, file=label)
    try:
        async with in_transaction():
            plan = await _plan(seed, report)
            await _write(seed, plan, report, workflow, progress)
    except IntegrityError as exc:
        reason = f"the database changed during the load ({exc}); nothing was written, run it again"
        raise SeedError(label, "document", reason) from None
    return report


@dataclass
class _Plan:
    orgs: dict[str, Organization]
    members: dict[str, Member]
    existing_proposals: set[tuple[str, str]]


async def _plan(seed: SeedFile, report: SeedReport) -> _Plan:
    """Read what the database already holds and check the file's references against it."""
    file_orgs = {o.code: o for o in seed.organizations}
    file_members = {m.username: m for m in seed.members}
    codes = set(file_orgs) | {m.organization for m in seed.members} | {p.organization for p in seed.proposals}
    usernames = set(file_members) | {p.author for p in seed.proposals}
    orgs = {o.code: o for o in await Organization.filter(code__in=sorted(codes))}
    found = await Member.filter(username__in=sorted(usernames)).select_related("organization")
    members = {m.username: m for m in found}
    ids = {o.id: code for code, o in orgs.items()}
    rows = await Proposal.filter(organization_id__in=sorted(ids)).values_list("organization_id", "title")
    existing = {(ids[org_id], title) for org_id, title in rows}

    def unknown_org(code: str) -> str:
        return f"unknown organisation {code!r} (neither in this file nor in the database)"

    problems: list[tuple[str, str]] = []
    for i, o in enumerate(seed.organizations):
        present = orgs.get(o.code)
        if present is not None and (present.kind != o.kind or present.name != o.name):
            note = f"present as {present.kind.value} {present.name!r}; left unchanged"
            report.notes.append(f"{seed.entry('organizations', i)}: {note}")
    for i, m in enumerate(seed.members):
        if m.organization not in file_orgs and m.organization not in orgs:
            problems.append((seed.entry("members", i), unknown_org(m.organization)))
        if m.username in members and members[m.username].organization.code != m.organization:
            note = f"present in organisation {members[m.username].organization.code!r}; left unchanged"
            report.notes.append(f"{seed.entry('members', i)}: {note}")
    for i, p in enumerate(seed.proposals):
        name = seed.entry("proposals", i)
        if p.organization not in file_orgs and p.organization not in orgs:
            problems.append((name, unknown_org(p.organization)))
            continue
        if p.author in members:
            home = members[p.author].organization.code
        elif p.author in file_members:
            home = file_members[p.author].organization
        else:
            problems.append((name, f"unknown author {p.author!r} (neither in this file's members nor in the database)"))
            continue
        # a proposal already present is not written, so its author's later moves do not matter
        if home != p.organization and (p.organization, p.title) not in existing:
            reason = f"author {p.author!r} is not a member of organisation {p.organization!r} (belongs to {home!r})"
            problems.append((name, reason))
    if problems:
        first, *more = problems
        raise SeedError(seed.label, *first, more=more)
    return _Plan(orgs=orgs, members=members, existing_proposals=existing)


async def _write(
    seed: SeedFile, plan: _Plan, report: SeedReport, workflow: WorkflowDefinition, progress: ProgressCallback | None
) -> None:
    """Create what is missing, in file order; count what is present."""
    total = len(seed.organizations) + len(seed.members) + len(seed.proposals)
    done = 0

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, what)

    for o in seed.organizations:
        if o.code in plan.orgs:
            report.organizations.existing += 1
        else:
            plan.orgs[o.code] = await Organization.create(code=o.code, name=o.name, kind=o.kind)
            report.organizations.created += 1
        tick(f"organisation {o.code}")
    for m in seed.members:
        if m.username in plan.members:
            report.members.existing += 1
        else:
            plan.members[m.username] = await Member.create(
                username=m.username,
                display_name=m.name,
                organization=plan.orgs[m.organization],
                roles=[r.value for r in m.roles],
            )
            report.members.created += 1
        tick(f"member {m.username}")
    for p in seed.proposals:
        if (p.organization, p.title) in plan.existing_proposals:
            report.proposals.existing += 1
        else:
            proposal = await Proposal.create(
                title=p.title,
                summary=p.summary,
                pillar=p.pillar,
                budget=p.budget,
                organization=plan.orgs[p.organization],
                author=plan.members[p.author],
                state=workflow.initial,
                workflow_name=workflow.name,
                workflow_version=workflow.version,
            )
            await lock(proposal.id)
            await append_event(
                proposal_chain(proposal.id), None, "created", to_state=workflow.initial, data={"source": "seed", "file": seed.path.name}
            )
            report.proposals.created += 1
        tick(f"proposal {p.title}")


def _entry_name(section: str, index: int, items: list[Any], lines: dict[tuple[str, int], int]) -> str:
    item = items[index] if index < len(items) else None
    parts = []
    key = _KEY_OF.get(section)
    if key and isinstance(item, dict) and isinstance(item.get(key), (str, int)):
        value = str(item[key])
        value = value if len(value) <= 60 else value[:57] + "..."
        parts.append(f"{key} {value!r}" if key == "title" else f"{key} {value}")
    if (section, index) in lines:
        parts.append(f"line {lines[(section, index)]}")
    return f"{section}[{index}]" + (f" ({', '.join(parts)})" if parts else "")


def _entry_lines(root: yaml.Node | None) -> dict[tuple[str, int], int]:
    """1-based start line of each section entry; the city mapping under index -1."""
    lines: dict[tuple[str, int], int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                lines[(key.value, i)] = item.start_mark.line + 1
        else:
            lines[(key.value, -1)] = value.start_mark.line + 1
    return lines


def _duplicate_keys(node: yaml.Node | None) -> list[tuple[str, str]]:
    """Keys given twice in one mapping (YAML would silently keep the last)."""
    found: list[tuple[str, str]] = []
    stack = [node] if node is not None else []
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        where = f"line {key.start_mark.line + 1}"
                        found.append((where, f"key {key.value!r} given twice in one mapping"))
                    keys.add(key.value)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return found


def _reasons(exc: ValidationError) -> list[str]:
    """Our wording for pydantic's errors: ``field: reason``."""
    reasons = []
    for error in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in error["loc"])
        kind = error["type"]
        if kind == "missing":
            reasons.append(f"missing field {loc!r}")
        elif kind == "extra_forbidden":
            reasons.append(f"unknown field {loc!r}")
        elif kind in {"model_type", "model_attributes_type", "dict_type"}:
            reasons.append(f"{loc + ': ' if loc else ''}must be a mapping")
        elif kind == "string_type":
            reasons.append(f"{loc}: must be text (got {error['input']!r})")
        elif kind == "list_type":
            reasons.append(f"{loc}: must be a list")
        else:
            reasons.append(f"{loc}: {error['msg']}" if loc else error["msg"])
    return reasons


def _duplicates(
    entries: list[tuple[int, Any]], key: Callable[[Any], Any], section: str, named: Callable[[str, int], str], what: str
) -> list[tuple[str, str]]:
    first: dict[Any, int] = {}
    found = []
    for index, entry in entries:
        k = key(entry)
        if k in first:
            found.append((named(section, index), f"duplicate {what} (first given in {named(section, first[k])})"))
        else:
            first[k] = index
    return found


def _pillar_set(
    entries: list[tuple[int, PillarEntry]], named: Callable[[str, int], str]
) -> list[tuple[str, str]]:
    found = _duplicates(entries, lambda p: p.code, "pillars", named, "pillar")
    missing = [p.value for p in Pillar if p not in {e.code for _, e in entries}]
    if missing:
        found.append(("pillars", f"must be exactly the six pillars; missing {', '.join(missing)}"))
    return found
