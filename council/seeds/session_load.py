"""The sessions of a seed file's programmes: their references checked, then written (after members).

An attendance given as a bare name is an organisation code or a username,
whichever the file or the database knows (a name that is both must say which,
as ``{organization: x}`` or ``{member: x}``). A member's attendance records
the member's organisation too. Sessions are written with
:func:`council.programmes.sessions.ensure_sessions`, inside the seed's one
transaction (:func:`council.seeds.load.load_seed`).
"""

from __future__ import annotations

from council.organizations.models import Member, Organization
from council.programmes.sessions import AttendanceSpec, OutputSpec, SessionSpec, ensure_sessions
from council.seeds.parse import Problem, SeedFile, entry_name
from council.seeds.session_schema import AttendanceEntry, SessionEntry


def _names(seed: SeedFile) -> set[str]:
    return {a.name for p in seed.programmes for s in p.sessions for a in s.attendance}


def session_entry(seed: SeedFile, programme_index: int, session_index: int) -> str:
    """How errors name a session: ``programme (code X, line 29) sessions[1] (title 'Bimtek II', line 60)``."""
    section = "programme" if "programme" in seed.raw else "programmes"
    raw_programme = seed.raw.get(section, [])[programme_index]
    raw_sessions = raw_programme.get("sessions", []) if isinstance(raw_programme, dict) else []
    return f"{seed.entry(section, programme_index)} {entry_name('sessions', session_index, raw_sessions)}"


async def check_sessions(seed: SeedFile) -> list[Problem]:
    """Every attendance names an organisation or a member of the file or the database, unambiguously. Two statements."""
    names = sorted(_names(seed))
    if not names:
        return []
    stored_codes = await Organization.filter(code__in=names).values_list("code", flat=True)
    stored_users = await Member.filter(username__in=names).values_list("username", flat=True)
    org_codes = {o.code for o in seed.organizations} | {str(c) for c in stored_codes}
    usernames = {m.username for m in seed.members} | {str(u) for u in stored_users}
    problems: list[Problem] = []
    for p_index, programme in enumerate(seed.programmes):
        for s_index, session in enumerate(programme.sessions):
            for a_index, attendance in enumerate(session.attendance):
                reason = _problem(attendance, org_codes, usernames)
                if reason:
                    problems.append((session_entry(seed, p_index, s_index), f"attendance.{a_index}: {reason}"))
    return problems


def _problem(a: AttendanceEntry, org_codes: set[str], usernames: set[str]) -> str | None:
    where = "neither in this file nor in the database"
    if a.plain:
        is_org, is_member = a.name in org_codes, a.name in usernames
        if is_org and is_member:
            both = f"{{organization: {a.name}}} or {{member: {a.name}}}"
            return f"{a.name!r} is both an organisation code and a username; write {both}"
        if not is_org and not is_member:
            return f"unknown organisation or member {a.name!r} ({where})"
        return None
    if a.organization is not None and a.organization not in org_codes:
        return f"unknown organisation {a.organization!r} ({where})"
    if a.member is not None and a.member not in usernames:
        return f"unknown member {a.member!r} ({where})"
    return None


async def write_sessions(seed: SeedFile, programme_ids: dict[str, int]) -> tuple[int, int]:
    """Create the file's missing sessions (after its organisations and members); (created, present)."""
    names = sorted(_names(seed))
    orgs = {str(c): int(i) for c, i in await Organization.filter(code__in=names).values_list("code", "id")}
    members = {
        u: (i, o)
        for u, i, o in await Member.filter(username__in=names).values_list("username", "id", "organization_id")
    }
    created = present = 0
    for programme in seed.programmes:
        if not programme.sessions:
            continue
        specs = [_spec(s, orgs, members) for s in programme.sessions]
        c, p = await ensure_sessions(programme_ids[programme.code], specs)
        created, present = created + c, present + p
    return created, present


def _spec(s: SessionEntry, orgs: dict[str, int], members: dict[str, tuple[int, int]]) -> SessionSpec:
    attendance = []
    for a in s.attendance:
        as_member = a.member if not a.plain else (a.name if a.name not in orgs else None)
        if as_member is not None:
            member_id, org_id = members[as_member]
            attendance.append(AttendanceSpec(org_id, member_id, a.present, a.role))
        else:
            attendance.append(AttendanceSpec(orgs[a.name], None, a.present, a.role))
    return SessionSpec(
        kind=s.kind,
        title=s.title,
        starts_on=s.starts_on,
        ends_on=s.last_day,
        place=s.place,
        notes=s.notes,
        attendance=attendance,
        outputs=[OutputSpec(o.title, o.url, o.master_plan_version) for o in s.outputs],
    )
