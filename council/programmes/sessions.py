"""Programme sessions: rows in batches for the API's loaders, and the seed's writes.

Sessions are written by ``council seed`` only (:func:`ensure_sessions`): a
session present (same programme, title and start date) is left as it is,
attendance and outputs included; a missing one is created with its
attendance and outputs. The caller checks the input and resolves codes and
usernames to ids (:mod:`council.seeds.load`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from council.programmes.session_models import ProgrammeSession, SessionAttendance, SessionKind, SessionOutput

SESSION_FIELDS = ("id", "programme_id", "kind", "title", "starts_on", "ends_on", "place", "notes")
ATTENDANCE_FIELDS = ("id", "session_id", "member_id", "organization_id", "present", "role")
OUTPUT_FIELDS = ("id", "session_id", "title", "url", "master_plan_version_number", "position")


async def sessions_for(programme_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Each programme's sessions as plain rows, by start date. One SQL statement (none for no ids)."""
    ids = list(set(programme_ids))
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        rows = await (
            ProgrammeSession.filter(programme_id__in=ids).order_by("starts_on", "ends_on", "id").values(*SESSION_FIELDS)
        )
        for row in rows:
            found[row["programme_id"]].append(row)
    return found


async def attendance_for(session_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Each session's attendance as plain rows, in the order recorded. One SQL statement (none for no ids)."""
    ids = list(set(session_ids))
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for row in await SessionAttendance.filter(session_id__in=ids).order_by("id").values(*ATTENDANCE_FIELDS):
            found[row["session_id"]].append(row)
    return found


async def outputs_for(session_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Each session's outputs as plain rows, by position. One SQL statement (none for no ids)."""
    ids = list(set(session_ids))
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        rows = await SessionOutput.filter(session_id__in=ids).order_by("position", "id").values(*OUTPUT_FIELDS)
        for row in rows:
            found[row["session_id"]].append(row)
    return found


@dataclass(frozen=True)
class AttendanceSpec:
    """An attendance to record: the organisation's id, and the member's id (None: the organisation as a whole)."""

    organization_id: int
    member_id: int | None = None
    present: bool = True
    role: str | None = None


@dataclass(frozen=True)
class OutputSpec:
    """An output to record: ``title``, optional ``url`` and master plan version number."""

    title: str
    url: str | None = None
    master_plan_version_number: int | None = None


@dataclass(frozen=True)
class SessionSpec:
    """A session to create: kind, title, first and last day (city dates), place, notes, attendance, outputs."""

    kind: SessionKind
    title: str
    starts_on: date
    ends_on: date
    place: str | None = None
    notes: str | None = None
    attendance: list[AttendanceSpec] = field(default_factory=list)
    outputs: list[OutputSpec] = field(default_factory=list)


async def ensure_sessions(programme_id: int, sessions: list[SessionSpec]) -> tuple[int, int]:
    """Create the programme's missing sessions (by title and start date) with their attendance and outputs.

    Returns:
        (created, present): sessions created, and sessions found present and left unchanged.
    """
    present = set(await ProgrammeSession.filter(programme_id=programme_id).values_list("title", "starts_on"))
    created = 0
    for spec in sessions:
        if (spec.title, spec.starts_on) in present:
            continue
        session = await ProgrammeSession.create(
            programme_id=programme_id,
            kind=spec.kind,
            title=spec.title,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            place=spec.place,
            notes=spec.notes,
        )
        if spec.attendance:
            await SessionAttendance.bulk_create(
                [
                    SessionAttendance(
                        session_id=session.id,
                        organization_id=a.organization_id,
                        member_id=a.member_id,
                        present=a.present,
                        role=a.role,
                    )
                    for a in spec.attendance
                ]
            )
        if spec.outputs:
            await SessionOutput.bulk_create(
                [
                    SessionOutput(
                        session_id=session.id,
                        title=o.title,
                        url=o.url,
                        master_plan_version_number=o.master_plan_version_number,
                        position=position,
                    )
                    for position, o in enumerate(spec.outputs)
                ]
            )
        present.add((spec.title, spec.starts_on))
        created += 1
    return created, len(sessions) - created
