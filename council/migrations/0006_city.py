"""The ``city`` table: the seeded city's name, IANA time zone and BCP 47 locale (one row).

Written by ``council seed`` (council.organizations.service.ensure_city), read by
``/app/config.json`` when ``COUNCIL_TIMEZONE`` is not set.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("council", "0005_audit_chains")]

    initial = False

    operations = [
        ops.CreateModel(
            name="City",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(max_length=255)),
                ("timezone", fields.CharField(max_length=64)),
                ("locale", fields.CharField(max_length=35)),
                ("province", fields.CharField(null=True, max_length=255)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "city",
                "app": "council",
                "pk_attr": "id",
                "table_description": "The city whose programme this database holds, as its seed file gives it (one row, ``id`` 1).",
            },
            bases=["Model"],
        ),
    ]
