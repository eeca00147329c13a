import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from council.workflow.models import TimerKind


class Migration(migrations.Migration):
    dependencies = [("council", "0002_oauth2")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Recusal",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="recusals",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="recusals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "ballot",
                    fields.ForeignKeyField(
                        "council.Ballot",
                        source_field="ballot_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="recusals",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("reason", fields.TextField(unique=False)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "recusal",
                "app": "council",
                "unique_together": (("proposal", "member"),),
                "pk_attr": "id",
                "table_description": "A council member's declared conflict of interest on a proposal (one per member per proposal).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Timer",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="timers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="BALLOT_DEADLINE: ballot_deadline\nSLA: sla", enum_type=TimerKind, max_length=16
                    ),
                ),
                ("state", fields.CharField(max_length=64)),
                ("trigger", fields.CharField(null=True, max_length=64)),
                (
                    "ballot",
                    fields.ForeignKeyField(
                        "council.Ballot",
                        source_field="ballot_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="timers",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("due_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("cancelled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("claimed_by", fields.CharField(null=True, max_length=128)),
                ("fired_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("outcome", fields.CharField(default="", max_length=255)),
            ],
            options={
                "table": "timer",
                "app": "council",
                "pk_attr": "id",
                "table_description": "A deadline of one proposal in one state (the workflow file's ``vote.window`` or ``sla``).",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Ballot",
            name="closed_by_deadline",
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name="Ballot",
            name="electorate",
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
        ),
        ops.AddField(
            model_name="Ballot",
            name="eligible_roles",
            field=fields.JSONField(
                default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
            ),
        ),
        ops.AddField(
            model_name="Ballot",
            name="extended",
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name="Ballot",
            name="hide_tally",
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name="Ballot",
            name="on_no_quorum",
            field=fields.CharField(default="reject", max_length=8),
        ),
        ops.AddField(
            model_name="Ballot",
            name="quorum_count",
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name="Ballot",
            name="quorum_share",
            field=fields.FloatField(null=True, default=0.5),
        ),
        ops.AddField(
            model_name="Ballot",
            name="threshold_of",
            field=fields.CharField(default="yes_no", max_length=8),
        ),
        ops.AddField(
            model_name="Ballot",
            name="window_seconds",
            field=fields.IntField(null=True),
        ),
    ]
