"""After the vote (issue 13): milestones, KPIs and their measurements, spending reports, evidence uploads.

New tables ``milestone``, ``kpi``, ``kpi_measurement``, ``spending_report``
and ``upload``; ``proposal.budget_approved``, filled for proposals whose
ballot already approved them (the budget then, which no mutation can change
after the vote); ``timer.milestone`` for the milestone-late timer (issue 13); ``ballot.votes_public`` (issue 14),
true for the ballots that exist, whose chains already carry who chose what.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from council.implementation.models import KpiDirection, MilestoneStatus
from council.workflow.models import TimerKind


class Migration(migrations.Migration):
    dependencies = [("council", "0012_programme_sessions")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Kpi",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="kpis",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=255)),
                ("unit", fields.CharField(max_length=64)),
                ("baseline", fields.FloatField()),
                ("target", fields.FloatField()),
                (
                    "direction",
                    fields.CharEnumField(description="UP: up\nDOWN: down", enum_type=KpiDirection, max_length=8),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "kpi",
                "app": "council",
                "unique_together": (("proposal", "name"),),
                "pk_attr": "id",
                "table_description": "An outcome indicator of a quick win: from ``baseline`` towards ``target``, in ``unit``.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="KpiMeasurement",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "kpi",
                    fields.ForeignKeyField(
                        "council.Kpi",
                        source_field="kpi_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="measurements",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("period", fields.CharField(max_length=16)),
                ("value", fields.FloatField()),
                ("note", fields.TextField(default="", unique=False)),
                (
                    "author",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="kpi_measurements",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("recorded_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "kpi_measurement",
                "app": "council",
                "unique_together": (("kpi", "period"),),
                "pk_attr": "id",
                "table_description": "One measured value of a KPI for one period (``YYYY``, ``YYYY-MM`` or ``YYYY-Qn``), one per period.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Milestone",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="milestones",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("title", fields.CharField(max_length=255)),
                ("description", fields.TextField(default="", unique=False)),
                ("due_on", fields.DateField()),
                ("weight", fields.SmallIntField(default=1)),
                (
                    "status",
                    fields.CharEnumField(
                        default=MilestoneStatus.PLANNED,
                        description="PLANNED: planned\nIN_PROGRESS: in_progress\nDONE: done\nLATE: late",
                        enum_type=MilestoneStatus,
                        max_length=16,
                    ),
                ),
                ("done_on", fields.DateField(null=True)),
                ("note", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "milestone",
                "app": "council",
                "pk_attr": "id",
                "table_description": "A planned step of an approved quick win, planned by its owning OPD.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SpendingReport",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="spending_reports",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("amount", fields.BigIntField()),
                ("period", fields.CharField(max_length=16)),
                ("note", fields.TextField(default="", unique=False)),
                (
                    "author",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="spending_reports",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "spending_report",
                "app": "council",
                "pk_attr": "id",
                "table_description": "Money an OPD spent on a quick win in one period: ``amount`` whole rupiah (positive), with a note.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Upload",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="uploads",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "uploader",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="uploader_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="uploads",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("filename", fields.CharField(max_length=255)),
                ("content_type", fields.CharField(max_length=64)),
                ("size", fields.IntField()),
                ("sha256", fields.CharField(max_length=64)),
                ("storage_key", fields.CharField(max_length=255)),
                (
                    "milestone",
                    fields.ForeignKeyField(
                        "council.Milestone",
                        source_field="milestone_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="evidence",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "progress_report",
                    fields.ForeignKeyField(
                        "council.ProgressReport",
                        source_field="progress_report_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="evidence",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("attached_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "upload",
                "app": "council",
                "pk_attr": "id",
                "table_description": "A file an owning OPD uploaded (``POST /uploads``) as evidence for one proposal.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Proposal",
            name="budget_approved",
            field=fields.BigIntField(null=True),
        ),
        ops.AlterField(
            model_name="Timer",
            name="kind",
            field=fields.CharEnumField(
                description="BALLOT_DEADLINE: ballot_deadline\nSLA: sla\nMILESTONE_LATE: milestone_late",
                enum_type=TimerKind,
                max_length=16,
            ),
        ),
        ops.AddField(
            model_name="Timer",
            name="milestone",
            field=fields.ForeignKeyField(
                "council.Milestone",
                source_field="milestone_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="timers",
                on_delete=OnDelete.CASCADE,
            ),
        ),
        ops.AddField(
            model_name="Ballot",
            name="votes_public",
            field=fields.BooleanField(default=False),
        ),
        # Ballots opened before this migration published who chose what in their audit chains already (the vote
        # events of a visible tally, the closing summary of a hidden one); the chains cannot change, so say so.
        ops.RunSQL("UPDATE ballot SET votes_public = TRUE"),
        ops.RunSQL(
            "UPDATE proposal SET budget_approved = budget WHERE id IN "
            "(SELECT proposal_id FROM ballot WHERE result = 'approved')"
        ),
    ]
