"""Programme sessions: the dated meetings of a programme (bimtek, council meetings), who attended, what came out.

A session belongs to one programme (:class:`council.programmes.models.Programme`);
its attendance lists organisations (an OPD as a whole) or members (with their
organisation); its outputs are documents (a title and an optional URL) and,
optionally, the number of the master plan version the session produced
(``master_plan_version_number``: a plain number, not a foreign key, so that
sessions do not depend on the master plan's tables; the master plan's
version numbers start at 1 within the city's one plan).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from council.organizations.models import Member, Organization
from council.programmes.models import Programme

TITLE_MAX = 255
"""Longest session or output title."""
URL_MAX = 2000
"""Longest output URL."""


class SessionKind(StrEnum):
    """What kind of meeting a programme session is."""

    BIMTEK = "bimtek"
    """Bimbingan teknis: technical guidance run by the ministry for the city's OPD."""
    COUNCIL_MEETING = "council_meeting"
    """A meeting of the council (Dewan Smart City)."""
    OTHER = "other"


class ProgrammeSession(Model):
    """A dated session of a programme, both days inclusive (city dates), with an optional place and notes.

    A programme holds one session of a title per start date (the seed's key).
    """

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "council.Programme", related_name="sessions", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(SessionKind, max_length=32)
    title = fields.CharField(max_length=TITLE_MAX)
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    place = fields.CharField(max_length=TITLE_MAX, null=True)
    notes = fields.TextField(null=True)

    attendance: fields.ReverseRelation[SessionAttendance]
    outputs: fields.ReverseRelation[SessionOutput]

    class Meta:
        table = "programme_session"
        unique_together = (("programme", "title", "starts_on"),)


class SessionAttendance(Model):
    """One attendance at a session: an organisation as a whole (no member) or one of its members.

    ``present`` is False for someone invited who did not come; ``role`` is
    free text (``narasumber``, ``peserta``) or null.
    """

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[ProgrammeSession] = fields.ForeignKeyField(
        "council.ProgrammeSession", related_name="attendance", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="session_attendance", null=True, on_delete=fields.RESTRICT
    )
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "council.Organization", related_name="session_attendance", on_delete=fields.RESTRICT
    )
    present = fields.BooleanField(default=True)
    role = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "session_attendance"


class SessionOutput(Model):
    """A document a session produced: a title, an optional URL, an optional master plan version number.

    ``position`` keeps the order the outputs were given in.
    """

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[ProgrammeSession] = fields.ForeignKeyField(
        "council.ProgrammeSession", related_name="outputs", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=TITLE_MAX)
    url = fields.CharField(max_length=URL_MAX, null=True)
    master_plan_version_number = fields.IntField(null=True)
    position = fields.IntField(default=0)

    class Meta:
        table = "session_output"
