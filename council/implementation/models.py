"""Implementation progress reports of approved quick wins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from council.organizations.models import Member
    from council.proposals.models import Proposal

NOTE_MAX = 10_000


class ProgressReport(Model):
    """An OPD's report of implementation progress: ``percent`` 0 to 100 and a note."""

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "council.Proposal", related_name="progress_reports", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="progress_reports", on_delete=fields.RESTRICT
    )
    percent = fields.SmallIntField()
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "progress_report"
