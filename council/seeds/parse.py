"""A seed file to a checked plan, without the database (DESIGN.md, "The seed file").

:func:`parse_seed` reads the file with :func:`council.yamlfile.read_yaml`,
checks every entry against :mod:`council.seeds.schema` and the file as a
whole (duplicates, pillars given in one place, proposals' pillars among
their programme's) and returns a :class:`SeedFile`; every
problem found is raised at once as a :class:`SeedError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from council.seeds.schema import (
    KEY_OF,
    MODELS,
    SECTIONS,
    CityEntry,
    MemberEntry,
    OrganizationEntry,
    PillarEntry,
    ProgrammeEntry,
    ProposalEntry,
    reasons,
)
from council.yamlfile import YamlFileError, YamlList, YamlMap, read_yaml

BUILTIN_DIR = Path(__file__).resolve().parent
"""Folder of the built-in seeds; ``council seed NAME`` loads ``NAME.yaml`` from here."""

Problem = tuple[str, str]
"""(entry, reason), e.g. ``("members[3] (username opd.kominfo, line 57)", "duplicate username ...")``."""


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

    def __init__(self, file: str, entry: str, reason: str, *, more: list[Problem] | None = None) -> None:
        self.file, self.entry, self.reason = file, entry, reason
        self.problems = [(entry, reason), *(more or [])]
        super().__init__("\n".join(f"{file}: {e}: {r}" for e, r in self.problems))


@dataclass
class SeedFile:
    """A seed file that passed every check that needs no database.

    Attributes:
        path: the file read.
        label: how errors name the file (the path as given).
        city / organizations / members / proposals: the checked entries, in file order.
        programmes: the file's programmes (``programme:`` is a list of one), the
            first with the top-level ``pillars`` when the file gives them there.
        pillars: the top-level ``pillars`` when the file names no programme: the
            pillars of the city's first programme in the database; else None.
        raw: the entries as read from YAML (:class:`~council.yamlfile.YamlList`,
            with their lines), for naming them in errors.
    """

    path: Path
    label: str
    city: CityEntry
    programmes: list[ProgrammeEntry]
    pillars: list[PillarEntry] | None
    organizations: list[OrganizationEntry]
    members: list[MemberEntry]
    proposals: list[ProposalEntry]
    raw: dict[str, list[Any]] = field(default_factory=dict)

    def entry(self, section: str, index: int) -> str:
        """How errors name an entry, e.g. ``members[3] (username opd.kominfo, line 57)``."""
        return entry_name(section, index, self.raw.get(section, []))


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
    kinds, roles, codes, dates, identifiers, titles, summaries, budgets in whole
    rupiah), keys given twice in one mapping, duplicates within the file
    (organisation and programme codes, usernames, proposal titles within an
    organisation, pillar and phase codes within a programme), that pillars
    are given either at the top level or under the first programme, not both,
    and that each proposal's pillar is one of its programme's when the file
    gives that programme's pillars.

    Args:
        path: the YAML file.
        label: how errors name the file (default: ``str(path)``).

    Raises:
        SeedError: every problem found, the first in ``entry`` / ``reason``.
    """
    label = label or str(path)
    try:
        document = read_yaml(path)
    except YamlFileError as exc:
        where = f"line {exc.line}, column {exc.column}" if exc.line else "document"
        raise SeedError(label, where, exc.reason) from None
    data = document.data
    if not isinstance(data, dict):
        raise SeedError(label, "document", f"must be a mapping with the keys {', '.join(SECTIONS)}")

    problems: list[Problem] = []
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
            line = data.value_lines.get("city", "?") if isinstance(data, YamlMap) else "?"
            problems += [(f"city (line {line})", r) for r in reasons(exc)]

    raw: dict[str, list[Any]] = {}
    parsed: dict[str, list[tuple[int, Any]]] = {}
    for section, model in MODELS.items():
        raw[section], parsed[section] = _section(data, section, model, problems)
    if "programme" in data:
        if "programmes" in data:
            problems.append(("document", "give either 'programme' or 'programmes', not both"))
        raw["programme"], parsed["programme"] = _single(data, "programme", ProgrammeEntry, problems)
        raw["programmes"], parsed["programmes"] = raw["programme"], parsed["programme"]
    programme_section = "programme" if "programme" in data else "programmes"

    def named(section: str, index: int) -> str:
        return entry_name(section, index, raw[section])

    problems += _duplicates(parsed["organizations"], lambda o: o.code, "organizations", named, "organisation code")
    problems += _duplicates(parsed["members"], lambda m: m.username, "members", named, "username")
    problems += _duplicates(
        parsed["proposals"], lambda p: (p.organization, p.title), "proposals", named, "title in this organisation"
    )
    problems += _duplicates(parsed["programmes"], lambda p: p.code, programme_section, named, "programme code")
    top_pillars = [p for _, p in parsed["pillars"]] if isinstance(data.get("pillars"), list) else None
    if top_pillars is not None:
        problems += _duplicates(parsed["pillars"], lambda p: p.code, "pillars", named, "pillar")
        if not top_pillars:
            problems.append(("pillars", "must not be empty"))
    programmes = [p for _, p in parsed["programmes"]]
    if top_pillars is not None and programmes and raw["programmes"]:
        if programmes[0].pillars is not None:
            here = _line_of(raw["programmes"][0], "pillars")
            top = _line_of(data, "pillars")
            reason = f"pillars: given both here{here} and at the top level (pillars{top}); give them in one place"
            problems.append((named(programme_section, 0), reason))
        else:
            programmes[0] = programmes[0].model_copy(update={"pillars": top_pillars})
    problems += _proposal_pillars(parsed["proposals"], programmes, top_pillars, named)
    problems += [(f"line {d.line}", f"key {d.key!r} given twice in one mapping") for d in document.duplicates]

    if problems or city is None:  # a missing or bad city is among the problems
        first, *more = problems
        raise SeedError(label, *first, more=more)
    return SeedFile(
        path=path,
        label=label,
        city=city,
        programmes=programmes,
        pillars=top_pillars if not programmes else None,
        organizations=[o for _, o in parsed["organizations"]],
        members=[m for _, m in parsed["members"]],
        proposals=[p for _, p in parsed["proposals"]],
        raw=raw,
    )


def _section(
    data: dict[str, Any], section: str, model: type[BaseModel], problems: list[Problem]
) -> tuple[list[Any], list[tuple[int, Any]]]:
    """The raw entries of a list section and the (index, model) of each valid one; problems appended."""
    items = data.get(section)
    if items is None:
        items = []
    elif not isinstance(items, list):
        problems.append((section, "must be a list"))
        items = []
    parsed = []
    for index, item in enumerate(items):
        try:
            parsed.append((index, model.model_validate(item)))
        except ValidationError as exc:
            name = entry_name(section, index, items)
            problems += [(name, r) for r in reasons(exc)]
    return items, parsed


def entry_name(section: str, index: int, items: list[Any]) -> str:
    """``section[index]`` with the entry's key and line when known, e.g. ``proposals[0] (title 'X', line 9)``."""
    item = items[index] if index < len(items) else None
    parts = []
    key = KEY_OF.get(section)
    if key and isinstance(item, dict) and isinstance(item.get(key), (str, int)):
        value = str(item[key])
        value = value if len(value) <= 60 else value[:57] + "..."
        parts.append(f"{key} {value!r}" if key == "title" else f"{key} {value}")
    if isinstance(items, YamlList) and index < len(items.item_lines):
        parts.append(f"line {items.item_lines[index]}")
    where = section if section == "programme" else f"{section}[{index}]"  # a mapping, not a list
    return where + (f" ({', '.join(parts)})" if parts else "")


def _duplicates(
    entries: list[tuple[int, Any]], key: Callable[[Any], Any], section: str, named: Callable[[str, int], str], what: str
) -> list[Problem]:
    first: dict[Any, int] = {}
    found = []
    for index, entry in entries:
        k = key(entry)
        if k in first:
            found.append((named(section, index), f"duplicate {what} (first given in {named(section, first[k])})"))
        else:
            first[k] = index
    return found


def _single(
    data: dict[str, Any], section: str, model: type[BaseModel], problems: list[Problem]
) -> tuple[list[Any], list[tuple[int, Any]]]:
    """A mapping section (``programme:``) as a list of one, named ``programme (code X, line N)`` in errors."""
    item = data[section]
    line = data.value_lines.get(section, 0) if isinstance(data, YamlMap) else 0
    items = YamlList([item])
    items.item_lines = [line]
    if not isinstance(item, dict):
        problems.append((section, "must be a mapping"))
        return items, []
    try:
        return items, [(0, model.model_validate(item))]
    except ValidationError as exc:
        problems += [(entry_name(section, 0, items), r) for r in reasons(exc)]
        return items, []


def _line_of(data: Any, key: str) -> str:
    """``, line N`` of ``key``'s value in a YAML mapping, or nothing when unknown."""
    line = data.value_lines.get(key) if isinstance(data, YamlMap) else None
    return f", line {line}" if line else ""


def _proposal_pillars(
    proposals: list[tuple[int, ProposalEntry]],
    programmes: list[ProgrammeEntry],
    top_pillars: list[PillarEntry] | None,
    named: Callable[[str, int], str],
) -> list[Problem]:
    """Each proposal's programme is one of the file's, and its pillar one of that programme's (when the file says).

    With no programme in the file, the top-level pillars, if any, are those of the city's first programme.
    """
    by_code = {p.code: p for p in programmes}
    found: list[Problem] = []
    for index, proposal in proposals:
        if proposal.programme is not None and proposal.programme not in by_code:
            known = ", ".join(by_code) or "none"
            found.append(
                (named("proposals", index), f"unknown programme {proposal.programme!r} (in this file: {known})")
            )
            continue
        programme = by_code[proposal.programme] if proposal.programme else (programmes[0] if programmes else None)
        pillars, whose = (programme.pillars, f"programme {programme.code}") if programme else (top_pillars, "")
        if pillars is None:
            continue  # the programme's pillars are in the database: the service checks the code
        codes = [p.code for p in pillars]
        if proposal.pillar not in codes:
            whose = whose or "the city's first programme"
            reason = f"unknown pillar {proposal.pillar!r}; the pillars of {whose} are {', '.join(codes)}"
            found.append((named("proposals", index), reason))
    return found
