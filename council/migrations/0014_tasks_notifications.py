"""Tasks and notifications (issue 15): the outbox, review assignments, e-mail and webhooks.

New tables ``outbox_event`` and ``outbox_cursor`` (the transactional outbox),
``review_assignment``, ``notification_preference``, ``mail_message``,
``webhook_endpoint`` and ``webhook_delivery``; ``member.email``,
``member.language`` (``id`` for every existing member) and
``member.mail_digest``; ``timer.assignment`` and the timer kinds
``vote_reminder`` and ``review_reminder``.
"""

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from council.enums import AssignmentStatus
from council.notifications.models import MailStatus, NotificationKind
from council.webhooks.models import DeliveryStatus
from council.workflow.models import TimerKind


class Migration(migrations.Migration):
    dependencies = [("council", "0013_after_the_vote")]

    initial = False

    operations = [
        ops.CreateModel(
            name="MailMessage",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "member",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="mail_messages",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("outbox_event_id", fields.BigIntField(null=True)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="BALLOT_OPENED: ballot_opened\nVOTE_REMINDER: vote_reminder\nREVIEW_ASSIGNED: review_assigned\nREVIEW_REMINDER: review_reminder\nESCALATION: escalation\nPROPOSAL_DECIDED: proposal_decided\nREVISION_REQUESTED: revision_requested",
                        enum_type=NotificationKind,
                        max_length=32,
                    ),
                ),
                ("to_address", fields.CharField(max_length=320)),
                ("subject", fields.CharField(max_length=255)),
                ("body", fields.TextField(unique=False)),
                ("link", fields.CharField(default="", max_length=1024)),
                ("digest", fields.BooleanField(default=False)),
                (
                    "status",
                    fields.CharEnumField(
                        default=MailStatus.PENDING,
                        description="PENDING: pending\nSENT: sent\nFAILED: failed",
                        enum_type=MailStatus,
                        max_length=16,
                    ),
                ),
                ("attempts", fields.SmallIntField(default=0)),
                ("next_attempt_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("last_error", fields.CharField(default="", max_length=512)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("sent_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "mail_message",
                "app": "council",
                "unique_together": (("outbox_event_id", "member", "kind"),),
                "pk_attr": "id",
                "table_description": "One e-mail to one member, queued by the outbox's ``notify`` consumer and sent by the mailer.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="NotificationPreference",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "member",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notification_preferences",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="BALLOT_OPENED: ballot_opened\nVOTE_REMINDER: vote_reminder\nREVIEW_ASSIGNED: review_assigned\nREVIEW_REMINDER: review_reminder\nESCALATION: escalation\nPROPOSAL_DECIDED: proposal_decided\nREVISION_REQUESTED: revision_requested",
                        enum_type=NotificationKind,
                        max_length=32,
                    ),
                ),
                ("email", fields.BooleanField(default=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "notification_preference",
                "app": "council",
                "unique_together": (("member", "kind"),),
                "pk_attr": "id",
                "table_description": "One member's choice for one kind: e-mail on or off. A kind without a row is on.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="OutboxCursor",
            fields=[
                ("name", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ("last_id", fields.BigIntField(default=0)),
                ("updated_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "outbox_cursor",
                "app": "council",
                "pk_attr": "name",
                "table_description": "How far one consumer of the outbox got: the id of the last event it handled.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="OutboxEvent",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("channel", fields.CharField(max_length=64)),
                ("subject_kind", fields.CharField(max_length=32)),
                ("subject_id", fields.IntField()),
                ("action", fields.CharField(max_length=64)),
                (
                    "payload",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "outbox_event",
                "app": "council",
                "pk_attr": "id",
                "table_description": "One domain event, inserted by the write recipe in the transaction of the change it reports.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ReviewAssignment",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "proposal",
                    fields.ForeignKeyField(
                        "council.Proposal",
                        source_field="proposal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="assignments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "reviewer",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="reviewer_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="assignments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "organization",
                    fields.ForeignKeyField(
                        "council.Organization",
                        source_field="organization_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="assignments",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("round", fields.IntField()),
                ("due_on", fields.DateField()),
                (
                    "status",
                    fields.CharEnumField(
                        default=AssignmentStatus.PENDING,
                        description="PENDING: pending\nDONE: done\nDECLINED: declined",
                        enum_type=AssignmentStatus,
                        max_length=16,
                    ),
                ),
                ("decline_reason", fields.TextField(default="", unique=False)),
                (
                    "review",
                    fields.ForeignKeyField(
                        "council.Review",
                        source_field="review_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="assignments",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "assigned_by",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="assigned_by_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="assignments_made",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "review_assignment",
                "app": "council",
                "pk_attr": "id",
                "table_description": "The technical team asks a member, or a university organisation, to review a proposal by ``due_on``.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="WebhookEndpoint",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "organization",
                    fields.ForeignKeyField(
                        "council.Organization",
                        source_field="organization_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="webhook_endpoints",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("url", fields.CharField(max_length=2048)),
                (
                    "events",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("secret_sealed", fields.TextField(unique=False)),
                ("description", fields.CharField(default="", max_length=255)),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="webhook_endpoints",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("failing_since", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("disabled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "webhook_endpoint",
                "app": "council",
                "pk_attr": "id",
                "table_description": "A partner system's URL receiving the events it subscribed to, on behalf of an organisation.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="WebhookDelivery",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "endpoint",
                    fields.ForeignKeyField(
                        "council.WebhookEndpoint",
                        source_field="endpoint_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="deliveries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("outbox_event_id", fields.BigIntField(null=True)),
                ("event_type", fields.CharField(max_length=64)),
                ("message_id", fields.CharField(unique=True, max_length=64)),
                (
                    "payload",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=DeliveryStatus.PENDING,
                        description="PENDING: pending\nDELIVERED: delivered\nFAILED: failed",
                        enum_type=DeliveryStatus,
                        max_length=16,
                    ),
                ),
                ("attempts", fields.SmallIntField(default=0)),
                ("next_attempt_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("last_status_code", fields.SmallIntField(null=True)),
                ("last_error", fields.CharField(default="", max_length=512)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("delivered_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "webhook_delivery",
                "app": "council",
                "unique_together": (("endpoint", "outbox_event_id", "event_type"),),
                "pk_attr": "id",
                "table_description": "One event for one endpoint: its attempts, last response and status.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Member",
            name="email",
            field=fields.CharField(null=True, max_length=320),
        ),
        ops.AddField(
            model_name="Member",
            name="language",
            field=fields.CharField(default="id", db_default="id", max_length=8),
        ),
        ops.AddField(
            model_name="Member",
            name="mail_digest",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AlterField(
            model_name="Timer",
            name="kind",
            field=fields.CharEnumField(
                description="BALLOT_DEADLINE: ballot_deadline\nSLA: sla\nMILESTONE_LATE: milestone_late\nVOTE_REMINDER: vote_reminder\nREVIEW_REMINDER: review_reminder",
                enum_type=TimerKind,
                max_length=16,
            ),
        ),
        ops.AddField(
            model_name="Timer",
            name="assignment",
            field=fields.ForeignKeyField(
                "council.ReviewAssignment",
                source_field="assignment_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="timers",
                on_delete=OnDelete.CASCADE,
            ),
        ),
    ]
