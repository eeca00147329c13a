"""The ``signing_key`` table: the ES256 token signing keys, shared by every node.

Until now each node kept its keys as JWK files in ``COUNCIL_KEYS_DIR``; the
files of a city that has them are imported into this table on first use
(:func:`council.auth.keys.load`), with their numbers as ``seq``, so tokens in
flight keep verifying. The private part is stored encrypted
(:mod:`council.auth.sealing`).
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("council", "0006_city")]

    initial = False

    operations = [
        ops.CreateModel(
            name="SigningKey",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("seq", fields.IntField(unique=True)),
                ("kid", fields.CharField(unique=True, max_length=128)),
                ("public_jwk", fields.JSONField()),
                ("private_jwk", fields.TextField(unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "signing_key",
                "app": "council",
                "pk_attr": "id",
                "table_description": "One ES256 signing key (:mod:`council.auth.keys`).",
            },
            bases=["Model"],
        ),
    ]
