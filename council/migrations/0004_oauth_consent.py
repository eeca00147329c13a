import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("council", "0003_ballot_rules_timers_recusals")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Consent",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "member",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="oauth_consents",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "client",
                    fields.ForeignKeyField(
                        "council.OAuthClient",
                        source_field="client_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="consents",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "scopes",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("granted_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "oauth_consent",
                "app": "council",
                "unique_together": (("member", "client"),),
                "pk_attr": "id",
                "table_description": "A member's remembered consent to a client, so the consent page is not shown at every sign-in.",
            },
            bases=["Model"],
        ),
    ]
