"""Programmes as data: the ``programme``, ``programme_phase`` and ``pillar`` tables; every proposal in a programme.

Creates the tables, then, in a database that holds anything (a city, an
organisation or a proposal), the city's first programme (code ``smart-city``,
named after the city, in the year of the oldest proposal, else this year)
with the six pillars the code knew until now (the codes and labels of the
old ``council.enums.Pillar`` and ``PILLAR_LABELS``, copied here so that a
later change to the code cannot change what this migration does), and moves
every proposal into it. ``proposal.pillar`` keeps its code, now any pillar code
of the proposal's programme (64 characters), so audit payloads stay as they
were. ``proposal.programme_id`` is added nullable and tightened after the fill,
because SQLite cannot add a NOT NULL column without a default. On SQLite the
rebuilt ``proposal`` table gets back its UNIQUE (organization, title) and its
``state`` index, which tortoise's rebuild drops.
"""

import json
from datetime import UTC, datetime
from typing import Any

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

FIRST_PROGRAMME_CODE = "smart-city"
PILLARS = [
    ("smart_governance", "Tata kelola pemerintahan yang pintar", "Smart governance"),
    ("smart_people", "Penduduk yang pintar", "Smart people"),
    ("smart_economy", "Ekonomi yang pintar", "Smart economy"),
    ("smart_environment", "Lingkungan yang pintar", "Smart environment"),
    ("smart_living", "Kehidupan yang pintar", "Smart living"),
    ("smart_mobility", "Mobilitas yang pintar", "Smart mobility"),
]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def _first_programme(apps: Any, schema_editor: Any) -> None:
    """Create the city's first programme with the six pillars and move every proposal into it (data present only)."""
    client = schema_editor.client
    _, city = await client.execute_query("SELECT name FROM city ORDER BY id LIMIT 1")
    _, present = await client.execute_query(
        "SELECT (SELECT COUNT(*) FROM organization) AS organizations, (SELECT COUNT(*) FROM proposal) AS proposals,"
        " (SELECT MIN(created_at) FROM proposal) AS oldest"
    )
    counts = present[0]
    if not city and not counts["organizations"] and not counts["proposals"]:
        return
    now = datetime.now(UTC)
    oldest = counts["oldest"]
    year = int(str(oldest)[:4]) if oldest is not None else now.year
    name = f"{city[0]['name']} Smart City" if city else "Smart City"
    await client.execute_script(
        "INSERT INTO programme (code, name, year, stage, created_at) VALUES"
        f" ({_literal(FIRST_PROGRAMME_CODE)}, {_literal(name)}, {year}, NULL, {_literal(now.isoformat())})"
    )
    _, rows = await client.execute_query(f"SELECT id FROM programme WHERE code = {_literal(FIRST_PROGRAMME_CODE)}")
    programme_id = int(rows[0]["id"])
    for position, (code, label_id, label_en) in enumerate(PILLARS):
        labels = json.dumps({"id": label_id, "en": label_en}, ensure_ascii=False, separators=(",", ":"))
        await client.execute_script(
            "INSERT INTO pillar (programme_id, code, labels, position) VALUES"
            f" ({programme_id}, {_literal(code)}, {_literal(labels)}, {position})"
        )
    await client.execute_script(f"UPDATE proposal SET programme_id = {programme_id}")


async def _restore_proposal_indexes(apps: Any, schema_editor: Any) -> None:
    """SQLite only: put back what tortoise's table rebuild (AlterField) left out: UNIQUE (organization, title), the state index."""
    if schema_editor.DIALECT != "sqlite":
        return
    await schema_editor.client.execute_script(
        'CREATE UNIQUE INDEX IF NOT EXISTS "uid_proposal_organiz_aaaf72" ON "proposal" ("organization_id", "title");'
        'CREATE INDEX IF NOT EXISTS "idx_proposal_state_1f01e1" ON "proposal" ("state")'
    )


class Migration(migrations.Migration):
    dependencies = [("council", "0007_signing_keys")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Programme",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("code", fields.CharField(unique=True, max_length=64)),
                ("name", fields.CharField(max_length=255)),
                ("year", fields.IntField()),
                ("stage", fields.CharField(null=True, max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "programme",
                "app": "council",
                "pk_attr": "id",
                "table_description": "One programme of the city: ``Gerakan Menuju 100 Smart City``, stage ``II``, ``2018``.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Pillar",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "programme",
                    fields.ForeignKeyField(
                        "council.Programme",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="pillars",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code", fields.CharField(max_length=64)),
                ("labels", fields.JSONField(default=dict)),
                ("position", fields.IntField(default=0)),
            ],
            options={
                "table": "pillar",
                "app": "council",
                "unique_together": (("programme", "code"),),
                "pk_attr": "id",
                "table_description": "One pillar of a programme (``smart_governance``), with its label per language and its place in lists.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ProgrammePhase",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "programme",
                    fields.ForeignKeyField(
                        "council.Programme",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="phases",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code", fields.CharField(max_length=64)),
                ("name", fields.CharField(max_length=255)),
                ("starts_on", fields.DateField()),
                ("ends_on", fields.DateField()),
            ],
            options={
                "table": "programme_phase",
                "app": "council",
                "unique_together": (("programme", "code"),),
                "pk_attr": "id",
                "table_description": "A dated phase of a programme (``mou``, ``bimtek``, ``quick_wins``), both ends inclusive.",
            },
            bases=["Model"],
        ),
        ops.AlterModelOptions(
            name="Proposal",
            options={
                "table": "proposal",
                "app": "council",
                "unique_together": (("organization", "title"),),
                "pk_attr": "id",
                "table_description": "A proposal for one pillar of its programme, owned by an organisation (an OPD).",
            },
        ),
        ops.AlterField(
            model_name="Proposal",
            name="pillar",
            field=fields.CharField(max_length=64),
        ),
        ops.AddField(
            model_name="Proposal",
            name="programme",
            field=fields.ForeignKeyField(
                "council.Programme",
                source_field="programme_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="proposals",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.RunPython(_first_programme),
        ops.AlterField(
            model_name="Proposal",
            name="programme",
            field=fields.ForeignKeyField(
                "council.Programme",
                source_field="programme_id",
                db_constraint=True,
                to_field="id",
                related_name="proposals",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.RunPython(_restore_proposal_indexes),
    ]
