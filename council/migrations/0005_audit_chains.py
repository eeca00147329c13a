"""Audit events belong to a chain (kind, id) instead of a proposal.

Adds ``chain_kind`` and ``chain_id``, fills them from ``proposal_id`` (kind
'proposal'), then drops ``proposal_id`` with its foreign key and UNIQUE
(proposal, seq), and adds UNIQUE (chain_kind, chain_id, seq). No hash changes:
a proposal's chain is hashed with its id under the key "proposal", as before
(council.audit.service.event_hash).
The columns are added nullable and tightened after the fill, because SQLite
cannot add a NOT NULL column without a default.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import UniqueConstraint


async def _drop_leftover_proposal_id(apps, schema_editor) -> None:
    """SQLite only: drop the column RemoveField's rebuild left behind (PostgreSQL dropped it)."""
    if schema_editor.DIALECT != "sqlite":
        return
    _, columns = await schema_editor.client.execute_query('PRAGMA table_info("audit_event")')
    if any(c["name"] == "proposal_id" for c in columns):
        await schema_editor.client.execute_script('ALTER TABLE "audit_event" DROP COLUMN "proposal_id"')


class Migration(migrations.Migration):
    dependencies = [("council", "0004_oauth_consent")]

    initial = False

    operations = [
        # State only: UNIQUE (proposal, seq) goes with the column in RemoveField below
        # (PostgreSQL drops a column's constraints with it; SQLite rebuilds the table
        # without it), because on SQLite it was declared inside CREATE TABLE and has
        # no index name that RemoveConstraint could drop.
        ops.AlterModelOptions(
            name="AuditEvent",
            options={"unique_together": ()},
        ),
        ops.AddField(
            model_name="AuditEvent",
            name="chain_kind",
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name="AuditEvent",
            name="chain_id",
            field=fields.IntField(null=True),
        ),
        ops.RunSQL("UPDATE audit_event SET chain_kind = 'proposal', chain_id = proposal_id"),
        ops.AlterField(
            model_name="AuditEvent",
            name="chain_kind",
            field=fields.CharField(max_length=32),
        ),
        ops.AlterField(
            model_name="AuditEvent",
            name="chain_id",
            field=fields.IntField(),
        ),
        # Made nullable first: tortoise's SQLite table rebuild for RemoveField keeps the
        # foreign key's column (without its REFERENCES) and copies no value into it.
        ops.AlterField(
            model_name="AuditEvent",
            name="proposal",
            field=fields.ForeignKeyField(
                "council.Proposal",
                source_field="proposal_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="events",
                on_delete=OnDelete.RESTRICT,
            ),
        ),
        ops.RemoveField(model_name="AuditEvent", name="proposal"),
        ops.RunPython(_drop_leftover_proposal_id),
        ops.AlterModelOptions(
            name="AuditEvent",
            options={
                "table": "audit_event",
                "app": "council",
                "pk_attr": "id",
                "table_description": "One event of a hash chain, named by ``chain_kind`` and ``chain_id``.",
            },
        ),
        ops.AddConstraint(
            model_name="AuditEvent",
            constraint=UniqueConstraint(fields=("chain_kind", "chain_id", "seq"), name=None),
        ),
    ]
