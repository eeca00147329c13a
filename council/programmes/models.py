"""Programmes: a city's part in a national programme for one year and stage, its phases and its pillars.

One deployment serves one city (the ``city`` row, :class:`council.organizations.models.City`),
which may run several programmes; every proposal belongs to one
(:attr:`council.proposals.models.Proposal.programme`) and names one of its pillars by code.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

CODE_MAX = 64
"""Longest programme, phase or pillar code: the length of their ``code`` columns."""
NAME_MAX = 255
"""Longest programme or phase name."""


class Programme(Model):
    """One programme of the city: ``Gerakan Menuju 100 Smart City``, stage ``II``, ``2018``.

    ``code`` is the seed file's key for it (loading a seed twice finds it by
    code); ``stage`` is free text (``II``), or None. The city is the
    deployment's one city row, so no column names it.
    """

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=CODE_MAX, unique=True)
    name = fields.CharField(max_length=NAME_MAX)
    year = fields.IntField()
    stage = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    phases: fields.ReverseRelation[ProgrammePhase]
    pillars: fields.ReverseRelation[Pillar]

    class Meta:
        table = "programme"


class ProgrammePhase(Model):
    """A dated phase of a programme (``mou``, ``bimtek``, ``quick_wins``), both ends inclusive.

    ``starts_on`` and ``ends_on`` are calendar dates in the city's time zone;
    the phase's status (planned, active, done) is derived from today there,
    never stored (:func:`council.programmes.rules.phase_status`).
    """

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "council.Programme", related_name="phases", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=CODE_MAX)
    name = fields.CharField(max_length=NAME_MAX)
    starts_on = fields.DateField()
    ends_on = fields.DateField()

    class Meta:
        table = "programme_phase"
        unique_together = (("programme", "code"),)


class Pillar(Model):
    """One pillar of a programme (``smart_governance``), with its label per language and its place in lists.

    ``labels`` maps a language (``id``, ``en``) to the label; both are given
    by the seed file. Proposals name a pillar by ``code`` (the proposal's
    programme's pillars are the valid codes).
    """

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "council.Programme", related_name="pillars", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=CODE_MAX)
    labels: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    position = fields.IntField(default=0)

    class Meta:
        table = "pillar"
        unique_together = (("programme", "code"),)
