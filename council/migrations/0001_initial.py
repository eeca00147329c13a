import functools
from enum import StrEnum
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from council.enums import BallotResult, OrganizationKind, Recommendation, VoteChoice


class Pillar(StrEnum):
    """The six pillars as the code knew them until migration 0008 made them data (copied from the enum of that time)."""

    SMART_GOVERNANCE = "smart_governance"
    SMART_PEOPLE = "smart_people"
    SMART_ECONOMY = "smart_economy"
    SMART_ENVIRONMENT = "smart_environment"
    SMART_LIVING = "smart_living"
    SMART_MOBILITY = "smart_mobility"


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name="Organization",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("code", fields.CharField(unique=True, max_length=64)),
                ("name", fields.CharField(max_length=255)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="OPD: opd\nUNIVERSITY: university\nCOUNCIL: council\nTECHNICAL_TEAM: technical_team\nMINISTRY: ministry",
                        enum_type=OrganizationKind,
                        max_length=32,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "organization",
                "app": "council",
                "pk_attr": "id",
                "table_description": "An organisation taking part in the programme, identified by a short ``code``.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Member",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("username", fields.CharField(unique=True, max_length=64)),
                ("display_name", fields.CharField(max_length=255)),
                (
                    "organization",
                    fields.ForeignKeyField(
                        "council.Organization",
                        source_field="organization_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="members",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "roles",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("is_active", fields.BooleanField(default=True)),
                ("password_hash", fields.CharField(default="", max_length=255)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "member",
                "app": "council",
                "pk_attr": "id",
                "table_description": "A person with an account: belongs to one organisation and holds roles.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Proposal",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("title", fields.CharField(max_length=200)),
                ("summary", fields.TextField(unique=False)),
                (
                    "pillar",
                    fields.CharEnumField(
                        description="SMART_GOVERNANCE: smart_governance\nSMART_PEOPLE: smart_people\nSMART_ECONOMY: smart_economy\nSMART_ENVIRONMENT: smart_environment\nSMART_LIVING: smart_living\nSMART_MOBILITY: smart_mobility",
                        enum_type=Pillar,
                        max_length=32,
                    ),
                ),
                ("budget", fields.BigIntField()),
                (
                    "organization",
                    fields.ForeignKeyField(
                        "council.Organization",
                        source_field="organization_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="proposals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="proposals",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("state", fields.CharField(db_index=True, max_length=64)),
                ("workflow_name", fields.CharField(max_length=64)),
                ("workflow_version", fields.IntField()),
                ("version", fields.IntField(default=1)),
                ("review_round", fields.IntField(default=0)),
                ("published_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "proposal",
                "app": "council",
                "unique_together": (("organization", "title"),),
                "pk_attr": "id",
                "table_description": "A proposal for one pillar, owned by an organisation (an OPD).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="events",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("seq", fields.IntField()),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="events",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("actor_name", fields.CharField(max_length=64)),
                ("action", fields.CharField(max_length=32)),
                ("trigger", fields.CharField(null=True, max_length=64)),
                ("from_state", fields.CharField(null=True, max_length=64)),
                ("to_state", fields.CharField(null=True, max_length=64)),
                ("comment", fields.TextField(default="", unique=False)),
                (
                    "data",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("prev_hash", fields.CharField(max_length=64)),
                ("hash", fields.CharField(unique=True, max_length=64)),
            ],
            options={
                "table": "audit_event",
                "app": "council",
                "unique_together": (("proposal", "seq"),),
                "pk_attr": "id",
                "table_description": "One event in a proposal's hash chain.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Ballot",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="ballots",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("round", fields.IntField()),
                ("opens_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("closes_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("eligible_count", fields.IntField()),
                ("quorum_required", fields.IntField()),
                ("threshold", fields.FloatField(default=0.5)),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "closed_by",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="closed_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="closed_ballots",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "result",
                    fields.CharEnumField(
                        null=True,
                        description="APPROVED: approved\nREJECTED: rejected\nNO_QUORUM: no_quorum\nCANCELLED: cancelled",
                        enum_type=BallotResult,
                        max_length=16,
                    ),
                ),
                ("yes_count", fields.IntField(default=0)),
                ("no_count", fields.IntField(default=0)),
                ("abstain_count", fields.IntField(default=0)),
            ],
            options={
                "table": "ballot",
                "app": "council",
                "unique_together": (("proposal", "round"),),
                "pk_attr": "id",
                "table_description": "A council vote on one proposal in one review round.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ProgressReport",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="progress_reports",
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
                        related_name="progress_reports",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("percent", fields.SmallIntField()),
                ("note", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "progress_report",
                "app": "council",
                "pk_attr": "id",
                "table_description": "An OPD's report of implementation progress: ``percent`` 0 to 100 and a note.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Review",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="reviews",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "reviewer",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="reviewer_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="reviews",
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
                        related_name="reviews",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("round", fields.IntField()),
                (
                    "recommendation",
                    fields.CharEnumField(
                        description="APPROVE: approve\nREVISE: revise\nREJECT: reject",
                        enum_type=Recommendation,
                        max_length=16,
                    ),
                ),
                ("feasibility", fields.SmallIntField()),
                ("impact", fields.SmallIntField()),
                ("cost_effectiveness", fields.SmallIntField()),
                ("alignment", fields.SmallIntField()),
                ("comment", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "review",
                "app": "council",
                "unique_together": (("proposal", "reviewer", "round"),),
                "pk_attr": "id",
                "table_description": "One reviewer's review of a proposal in one review round.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Vote",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "ballot",
                    fields.ForeignKeyField(
                        "council.Ballot",
                        source_field="ballot_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="votes",
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
                        related_name="votes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "choice",
                    fields.CharEnumField(
                        description="YES: yes\nNO: no\nABSTAIN: abstain", enum_type=VoteChoice, max_length=8
                    ),
                ),
                ("cast_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("changed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "vote",
                "app": "council",
                "unique_together": (("ballot", "member"),),
                "pk_attr": "id",
                "table_description": "A council member's vote on a ballot: one row per member per ballot (UNIQUE).",
            },
            bases=["Model"],
        ),
    ]
