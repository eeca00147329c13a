"""Programme sessions (issue 12): ``programme_session``, ``session_attendance``, ``session_output``.

New tables only; existing data is untouched. ``session_output.master_plan_version_number``
is a plain nullable integer (the number of a master plan version), not a
foreign key: the master plan's tables come in their own migration.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from council.programmes.session_models import SessionKind


class Migration(migrations.Migration):
    dependencies = [("council", "0011_master_plan")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ProgrammeSession",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "programme",
                    fields.ForeignKeyField(
                        "council.Programme",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sessions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="BIMTEK: bimtek\nCOUNCIL_MEETING: council_meeting\nOTHER: other",
                        enum_type=SessionKind,
                        max_length=32,
                    ),
                ),
                ("title", fields.CharField(max_length=255)),
                ("starts_on", fields.DateField()),
                ("ends_on", fields.DateField()),
                ("place", fields.CharField(null=True, max_length=255)),
                ("notes", fields.TextField(null=True, unique=False)),
            ],
            options={
                "table": "programme_session",
                "app": "council",
                "unique_together": (("programme", "title", "starts_on"),),
                "pk_attr": "id",
                "table_description": "A dated session of a programme, both days inclusive (city dates), with an optional place and notes.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SessionAttendance",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "session",
                    fields.ForeignKeyField(
                        "council.ProgrammeSession",
                        source_field="session_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="attendance",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="member_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="session_attendance",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "organization",
                    fields.ForeignKeyField(
                        "council.Organization",
                        source_field="organization_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="session_attendance",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("present", fields.BooleanField(default=True)),
                ("role", fields.CharField(null=True, max_length=64)),
            ],
            options={
                "table": "session_attendance",
                "app": "council",
                "pk_attr": "id",
                "table_description": "One attendance at a session: an organisation as a whole (no member) or one of its members.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SessionOutput",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "session",
                    fields.ForeignKeyField(
                        "council.ProgrammeSession",
                        source_field="session_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="outputs",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("title", fields.CharField(max_length=255)),
                ("url", fields.CharField(null=True, max_length=2000)),
                ("master_plan_version_number", fields.IntField(null=True)),
                ("position", fields.IntField(default=0)),
            ],
            options={
                "table": "session_output",
                "app": "council",
                "pk_attr": "id",
                "table_description": "A document a session produced: a title, an optional URL, an optional master plan version number.",
            },
            bases=["Model"],
        ),
    ]
