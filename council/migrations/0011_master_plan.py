"""The master plan: ``master_plan``, its programme links, versions, comments and plan programmes; ``proposal.plan_programme_id``.

New tables only, and a nullable column on ``proposal``: existing data is kept as
it is (no plan, no proposal linked). Depends on 0009 for now; the merge relinks
it after 0010 (the commitment).
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


async def _restore_proposal_indexes(apps: Any, schema_editor: Any) -> None:
    """SQLite only: put back UNIQUE (organization, title) and the state index should a table rebuild have dropped them."""
    if schema_editor.DIALECT != "sqlite":
        return
    await schema_editor.client.execute_script(
        'CREATE UNIQUE INDEX IF NOT EXISTS "uid_proposal_organiz_aaaf72" ON "proposal" ("organization_id", "title");'
        'CREATE INDEX IF NOT EXISTS "idx_proposal_state_1f01e1" ON "proposal" ("state")'
    )


class Migration(migrations.Migration):
    dependencies = [("council", "0010_commitments")]

    initial = False

    operations = [
        ops.CreateModel(
            name="MasterPlan",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("title", fields.CharField(default="", max_length=255)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("finalized_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "finalized_by",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="finalized_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={
                "table": "master_plan",
                "app": "council",
                "pk_attr": "id",
                "table_description": "The master plan of the city (``Masterplan Smart City``), read-only once ``finalized_at`` (UTC) is set.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MasterPlanLink",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "plan",
                    fields.ForeignKeyField(
                        "council.MasterPlan",
                        source_field="plan_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="links",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "programme",
                    fields.OneToOneField(
                        "council.Programme",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="master_plan_link",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "master_plan_link",
                "app": "council",
                "pk_attr": "id",
                "table_description": "A programme the plan covers (``programme`` is unique: a programme has at most one plan).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MasterPlanVersion",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "plan",
                    fields.ForeignKeyField(
                        "council.MasterPlan",
                        source_field="plan_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="versions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("number", fields.IntField()),
                ("text", fields.TextField(unique=False)),
                (
                    "author",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="author_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "master_plan_version",
                "app": "council",
                "unique_together": (("plan", "number"),),
                "pk_attr": "id",
                "table_description": "Version ``number`` (1, 2, ...) of a plan: Markdown ``text``, a ``## `` section per pillar.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MasterPlanComment",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "version",
                    fields.ForeignKeyField(
                        "council.MasterPlanVersion",
                        source_field="version_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="comments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name=False,
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("text", fields.TextField(unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "master_plan_comment",
                "app": "council",
                "pk_attr": "id",
                "table_description": "A comment by a member on one version of the plan (plain text).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PlanProgramme",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "plan",
                    fields.ForeignKeyField(
                        "council.MasterPlan",
                        source_field="plan_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="plan_programmes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code", fields.CharField(max_length=64)),
                ("title", fields.CharField(max_length=255)),
                ("pillar", fields.CharField(max_length=64)),
                ("position", fields.IntField(default=0)),
            ],
            options={
                "table": "plan_programme",
                "app": "council",
                "unique_together": (("plan", "code"),),
                "pk_attr": "id",
                "table_description": "An acceleration programme of the plan (``code`` unique in the plan), for one pillar code.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Proposal",
            name="plan_programme",
            field=fields.ForeignKeyField(
                "council.PlanProgramme",
                source_field="plan_programme_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="proposals",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.RunPython(_restore_proposal_indexes),
    ]
