"""After the vote: progress reports, milestones, KPIs and spending of approved quick wins."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from council.organizations.models import Member
    from council.proposals.models import Proposal

NOTE_MAX = 10_000


class ProgressReport(Model):
    """An OPD's report of implementation progress: ``percent`` 0 to 100 and a note."""

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "council.Proposal", related_name="progress_reports", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="progress_reports", on_delete=fields.RESTRICT
    )
    percent = fields.SmallIntField()
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "progress_report"


TITLE_MAX = 255
"""Longest milestone title or KPI name."""
UNIT_MAX = 64
"""Longest KPI unit ("persen", "pengunjung/bulan")."""
PERIOD_MAX = 16
"""Longest period label: ``YYYY``, ``YYYY-MM`` or ``YYYY-Qn`` (validated by the service)."""


class MilestoneStatus(StrEnum):
    """Where a milestone stands. ``LATE`` is set by the scheduler when ``due_on`` passes before it is done."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LATE = "late"


class Milestone(Model):
    """A planned step of an approved quick win, planned by its owning OPD.

    ``weight`` (1-100) is its share in the proposal's weighted progress
    roll-up (:func:`council.implementation.queries.progress_percent_for`);
    ``due_on`` and ``done_on`` are city dates; ``note`` is what the OPD wrote
    on completing it (or the technical team's reason on reopening it).
    Evidence files link to it through :attr:`council.uploads.models.Upload.milestone`.
    """

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "council.Proposal", related_name="milestones", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=TITLE_MAX)
    description = fields.TextField(default="")
    due_on = fields.DateField()
    weight = fields.SmallIntField(default=1)
    status = fields.CharEnumField(MilestoneStatus, max_length=16, default=MilestoneStatus.PLANNED)
    done_on = fields.DateField(null=True)
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "milestone"


class KpiDirection(StrEnum):
    """Which way a KPI improves: ``UP`` (more is better) or ``DOWN`` (less is better)."""

    UP = "up"
    DOWN = "down"


class Kpi(Model):
    """An outcome indicator of a quick win: from ``baseline`` towards ``target``, in ``unit``.

    Achievement is the share of the way from baseline to target that the
    latest measurement covers, 0-100 percent, capped at both ends.
    """

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "council.Proposal", related_name="kpis", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=TITLE_MAX)
    unit = fields.CharField(max_length=UNIT_MAX)
    baseline = fields.FloatField()
    target = fields.FloatField()
    direction = fields.CharEnumField(KpiDirection, max_length=8)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "kpi"
        unique_together = (("proposal", "name"),)


class KpiMeasurement(Model):
    """One measured value of a KPI for one period (``YYYY``, ``YYYY-MM`` or ``YYYY-Qn``), one per period."""

    id = fields.IntField(primary_key=True)
    kpi: fields.ForeignKeyRelation[Kpi] = fields.ForeignKeyField(
        "council.Kpi", related_name="measurements", on_delete=fields.CASCADE
    )
    period = fields.CharField(max_length=PERIOD_MAX)
    value = fields.FloatField()
    note = fields.TextField(default="")
    author: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="kpi_measurements", on_delete=fields.RESTRICT
    )
    recorded_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "kpi_measurement"
        unique_together = (("kpi", "period"),)


class SpendingReport(Model):
    """Money an OPD spent on a quick win in one period: ``amount`` whole rupiah (positive), with a note.

    ``Proposal.budgetRealised`` is the sum of a proposal's reports; a report
    that takes the sum beyond ``Proposal.budget_approved`` needs a note.
    """

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "council.Proposal", related_name="spending_reports", on_delete=fields.CASCADE
    )
    amount = fields.BigIntField()
    period = fields.CharField(max_length=PERIOD_MAX)
    note = fields.TextField(default="")
    author: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="spending_reports", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "spending_report"
