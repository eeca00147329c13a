"""A checked seed file into the database, through the services (DESIGN.md, "The seed file").

:func:`load_seed` checks the file's references against the database, then
creates what is missing in file order: organisations with
:func:`council.organizations.service.create_organization`, programmes with
their phases and pillars with :func:`council.programmes.service.ensure_programme`,
members with
:func:`council.organizations.service.create_member` (the rules of ``council
members create``), proposals with
:func:`council.proposals.service.create_proposal_as_system` (the API's
cleaners; the ``created`` event by the system). All of it runs in one outer
transaction (the services' own transactions nest in it as savepoints): a bad
file raises :class:`~council.seeds.parse.SeedError` and leaves nothing behind.

Loading is idempotent: organisations are matched by ``code``, members by
``username`` and proposals by (organisation, title). Rows already present are
counted and left as they are (a proposal may have moved on in its workflow).
The city (name, time zone, locale) is stored by
:func:`council.organizations.service.ensure_city` when none is stored yet.
Programmes are matched by ``code``; a present one gets the phases and pillars
it lacks. A file naming no programme puts its top-level ``pillars`` and its
proposals in the city's first programme, made (code ``smart-city``, named
after the city, this year) when the database has none.

Example::

    report = await load_seed("pekanbaru-2018")
    report.proposals.created  # 8 on an empty database, 0 the second time
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council.errors import DomainError
from council.masterplans import queries as plan_queries
from council.masterplans.service import PlanProgrammeSpec, VersionSpec, ensure_master_plan
from council.notifications.preferences import set_email
from council.organizations.models import Member, Organization
from council.organizations.service import (
    MemberError,
    OrganizationError,
    create_member,
    create_organization,
    ensure_city,
)
from council.programmes import queries as programme_queries
from council.programmes.rules import pillar_label
from council.programmes.service import FIRST_PROGRAMME_CODE, PhaseSpec, PillarSpec, ensure_programme
from council.proposals.models import Proposal
from council.proposals.service import create_proposal_as_system
from council.seeds.commitments import write_commitments
from council.seeds.parse import Problem, SeedError, SeedFile, parse_seed, resolve_source
from council.seeds.schema import MasterPlanEntry, PillarEntry, ProgrammeEntry
from council.seeds.session_load import check_sessions, write_sessions
from council.workflow.registry import get_registry

ProgressCallback = Callable[[int, int, str], None]
"""``progress(done, total, what)``: called after each entry is written or found present."""


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
        programmes / master_plans / organizations / members / proposals / sessions / commitments: rows created
            and found present.
        notes: entries found present but different from the file (left unchanged).
    """

    city: str
    file: str
    programmes: KindCount = field(default_factory=KindCount)
    master_plans: KindCount = field(default_factory=KindCount)
    organizations: KindCount = field(default_factory=KindCount)
    members: KindCount = field(default_factory=KindCount)
    proposals: KindCount = field(default_factory=KindCount)
    sessions: KindCount = field(default_factory=KindCount)
    commitments: KindCount = field(default_factory=KindCount)
    notes: list[str] = field(default_factory=list)

    @property
    def created(self) -> int:
        """Rows created, all kinds."""
        kinds = (
            self.programmes,
            self.master_plans,
            self.organizations,
            self.members,
            self.proposals,
            self.sessions,
            self.commitments,
        )
        return sum(k.created for k in kinds)


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
            neither in the file nor in the database, gives a proposal an
            author outside its organisation, or a service refuses an entry
            (e.g. an author without an OPD role). Nothing is written.
        council.workflow.errors.WorkflowError: the workflow definitions are bad.
    """
    path, label = resolve_source(source)
    seed = parse_seed(path, label)
    get_registry().default()  # a bad workflow folder fails before anything is written
    report = SeedReport(city=seed.city.name, file=label)
    try:
        async with in_transaction():
            plan = await _plan(seed, report)
            await _write(seed, plan, report, progress)
    except IntegrityError as exc:
        reason = f"the database changed during the load ({exc}); nothing was written, run it again"
        raise SeedError(label, "document", reason) from None
    return report


@dataclass
class _Plan:
    orgs: dict[str, int]  # code -> id, of the rows present (and, once written, created)
    members: dict[str, tuple[int, str]]  # username -> (id, organisation code)
    existing_proposals: set[tuple[str, str]]  # (organisation code, title)


def _raise(seed: SeedFile, problems: list[Problem]) -> None:
    if problems:
        first, *more = problems
        raise SeedError(seed.label, *first, more=more)


async def _plan(seed: SeedFile, report: SeedReport) -> _Plan:
    """Read what the database already holds and check the file's references against it."""
    file_orgs = {o.code: o for o in seed.organizations}
    file_members = {m.username: m for m in seed.members}
    codes = set(file_orgs) | {m.organization for m in seed.members} | {p.organization for p in seed.proposals}
    usernames = set(file_members) | {p.author for p in seed.proposals} | _plan_authors(seed)
    orgs = {o.code: o for o in await Organization.filter(code__in=sorted(codes))}
    found = await Member.filter(username__in=sorted(usernames)).select_related("organization")
    members = {m.username: (m.id, m.organization.code) for m in found}
    ids = {o.id: code for code, o in orgs.items()}
    rows = await Proposal.filter(organization_id__in=sorted(ids)).values_list("organization_id", "title")
    existing = {(ids[org_id], title) for org_id, title in rows}

    def unknown_org(code: str) -> str:
        return f"unknown organisation {code!r} (neither in this file nor in the database)"

    problems: list[Problem] = []
    for i, o in enumerate(seed.organizations):
        present = orgs.get(o.code)
        if present is not None and (present.kind != o.kind or present.name != o.name):
            note = f"present as {present.kind.value} {present.name!r}; left unchanged"
            report.notes.append(f"{seed.entry('organizations', i)}: {note}")
    for i, m in enumerate(seed.members):
        if m.organization not in file_orgs and m.organization not in orgs:
            problems.append((seed.entry("members", i), unknown_org(m.organization)))
        if m.username in members and members[m.username][1] != m.organization:
            note = f"present in organisation {members[m.username][1]!r}; left unchanged"
            report.notes.append(f"{seed.entry('members', i)}: {note}")
    for i, p in enumerate(seed.proposals):
        name = seed.entry("proposals", i)
        if p.organization not in file_orgs and p.organization not in orgs:
            problems.append((name, unknown_org(p.organization)))
            continue
        if p.author in members:
            home = members[p.author][1]
        elif p.author in file_members:
            home = file_members[p.author].organization
        else:
            problems.append((name, f"unknown author {p.author!r} (neither in this file's members nor in the database)"))
            continue
        # a proposal already present is not written, so its author's later moves do not matter
        if home != p.organization and (p.organization, p.title) not in existing:
            reason = f"author {p.author!r} is not a member of organisation {p.organization!r} (belongs to {home!r})"
            problems.append((name, reason))
    problems += await check_sessions(seed)
    _raise(seed, problems)
    return _Plan(orgs={code: o.id for code, o in orgs.items()}, members=members, existing_proposals=existing)


async def _write(seed: SeedFile, plan: _Plan, report: SeedReport, progress: ProgressCallback | None) -> None:
    """Create what is missing through the services, in file order; count what is present.

    A service refusing an entry (its rules are those of the API and the CLI,
    which the file's checks mirror) raises :class:`SeedError` naming the
    entry, which rolls the whole load back.
    """
    city = seed.city
    note = await ensure_city(name=city.name, timezone=city.timezone, locale=city.locale, province=city.province)
    if note is not None:
        report.notes.append(f"city: {note}")
    programme_ids = await _programmes(seed, report)
    total = len(seed.organizations) + len(seed.members) + len(seed.proposals)
    done = 0

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, what)

    for i, o in enumerate(seed.organizations):
        if o.code in plan.orgs:
            report.organizations.existing += 1
        else:
            try:
                plan.orgs[o.code] = await create_organization(o.code, name=o.name, kind=o.kind)
            except OrganizationError as exc:
                raise SeedError(seed.label, seed.entry("organizations", i), str(exc)) from None
            report.organizations.created += 1
        tick(f"organisation {o.code}")
    for i, m in enumerate(seed.members):
        if m.username in plan.members:
            report.members.existing += 1
        else:
            try:
                member_id = await create_member(
                    m.username, name=m.name, organization=m.organization, roles=[r.value for r in m.roles]
                )
                if m.email is not None:
                    await set_email(m.username, m.email)
            except MemberError as exc:
                raise SeedError(seed.label, seed.entry("members", i), str(exc)) from None
            plan.members[m.username] = (member_id, m.organization)
            report.members.created += 1
        tick(f"member {m.username}")
    plan_programmes = await _master_plans(seed, programme_ids, plan, report)
    commitments = await write_commitments(seed, programme_ids, plan.members)
    report.commitments = KindCount(commitments.created, commitments.existing)
    report.notes += commitments.notes
    for i, p in enumerate(seed.proposals):
        if (p.organization, p.title) in plan.existing_proposals:
            report.proposals.existing += 1
        else:
            try:
                await create_proposal_as_system(
                    author_id=plan.members[p.author][0],
                    title=p.title,
                    summary=p.summary,
                    pillar=p.pillar,
                    budget=p.budget,
                    programme_id=programme_ids.get(p.programme or ""),
                    plan_programme_id=plan_programmes.get((p.programme or "", p.plan_programme or "")),
                    data={"source": "seed", "file": seed.path.name},
                )
            except DomainError as exc:
                raise SeedError(seed.label, seed.entry("proposals", i), exc.message("en")) from None
            report.proposals.created += 1
        tick(f"proposal {p.title}")
    report.sessions.created, report.sessions.existing = await write_sessions(seed, programme_ids)


def _pillar_specs(pillars: list[PillarEntry] | None) -> list[PillarSpec] | None:
    if pillars is None:
        return None
    return [PillarSpec(code=p.code, labels={"id": p.label.id, "en": p.label.en}) for p in pillars]


async def _ensure(entry: ProgrammeEntry, report: SeedReport) -> int:
    phases = [PhaseSpec(p.code, p.name, p.starts_on, p.last_day) for p in entry.phases]
    programme_id, created = await ensure_programme(
        entry.code,
        name=entry.name,
        year=entry.year,
        stage=entry.stage,
        phases=phases,
        pillars=_pillar_specs(entry.pillars),
    )
    if created:
        report.programmes.created += 1
    else:
        report.programmes.existing += 1
    return programme_id


async def _programmes(seed: SeedFile, report: SeedReport) -> dict[str, int]:
    """Write the file's programmes; their ids by code, and under ``""`` the programme of proposals naming none.

    With no programme in the file, that is the city's first programme (the
    lowest id), given the top-level pillars it lacks, or made with them
    (code ``smart-city``) when the database has none. Without either, the
    service refuses the file's proposals (no programme).
    """
    ids: dict[str, int] = {}
    for entry in seed.programmes:
        ids[entry.code] = await _ensure(entry, report)
    if seed.programmes:
        ids[""] = ids[seed.programmes[0].code]
        return ids
    rows = await programme_queries.programmes()
    first = min(rows, key=lambda r: r["id"]) if rows else None
    if seed.pillars is None:
        if first is not None:
            ids[""] = first["id"]
        return ids
    today = await programme_queries.city_today()
    default = ProgrammeEntry(
        code=first["code"] if first else FIRST_PROGRAMME_CODE,
        name=first["name"] if first else f"{seed.city.name} Smart City",
        year=first["year"] if first else today.year,
        pillars=seed.pillars,
    )
    ids[""] = await _ensure(default, report)
    return ids


def _plan_authors(seed: SeedFile) -> set[str]:
    """The usernames the file's master plans name (version authors, who finalised)."""
    names: set[str] = set()
    for entry in seed.programmes:
        if entry.master_plan is not None:
            names |= {v.author for v in entry.master_plan.versions if v.author}
            names |= {entry.master_plan.finalized_by} if entry.master_plan.finalized_by else set()
    return names


async def _master_plans(
    seed: SeedFile, programme_ids: dict[str, int], plan: _Plan, report: SeedReport
) -> dict[tuple[str, str], int]:
    """Write the programmes' master plans (after the members: versions name authors); plan programme ids.

    Keys are (programme code, plan programme code), with ``""`` for the
    programme of proposals naming none, so a proposal finds its link.
    """
    found: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(seed.programmes):
        if entry.master_plan is None:
            continue
        where = seed.entry("programmes", index) + " master_plan"
        programme_id = programme_ids[entry.code]
        plan_id, created = await _ensure_plan(seed, where, programme_id, entry.master_plan, plan)
        if created:
            report.master_plans.created += 1
        else:
            report.master_plans.existing += 1
        for row in (await plan_queries.plan_programmes_for([plan_id]))[plan_id]:
            found[(entry.code, row["code"])] = row["id"]
            if programme_ids.get("") == programme_id:
                found[("", row["code"])] = row["id"]
    return found


async def _ensure_plan(
    seed: SeedFile, where: str, programme_id: int, entry: MasterPlanEntry, plan: _Plan
) -> tuple[int, bool]:
    def member(username: str | None) -> int | None:
        if username is None:
            return None
        if username not in plan.members:
            raise SeedError(
                seed.label, where, f"unknown member {username!r} (neither in this file nor in the database)"
            )
        return plan.members[username][0]

    pillars = (await programme_queries.pillars_for([programme_id]))[programme_id]
    language = seed.city.language
    versions = []
    for version in entry.versions:
        text = version.text
        if version.sections is not None:
            parts = [
                f"## {pillar_label(p['labels'], language, p['code'])}\n\n{version.sections[p['code']].strip()}"
                for p in pillars
                if p["code"] in version.sections
            ]
            text = "\n\n".join(parts)
        versions.append(VersionSpec(text=(text or "").strip(), author_id=member(version.author)))
    finalized_at = None
    if entry.finalized is not None:
        finalized_at = datetime.combine(entry.finalized, time(12), ZoneInfo(seed.city.timezone))
    try:
        return await ensure_master_plan(
            programme_id,
            title=entry.title,
            versions=versions,
            programmes=[PlanProgrammeSpec(p.code, p.title, p.pillar) for p in entry.programmes],
            finalized_at=finalized_at,
            finalized_by=member(entry.finalized_by),
        )
    except DomainError as exc:
        raise SeedError(seed.label, where, exc.message("en")) from None
