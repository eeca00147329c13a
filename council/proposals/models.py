"""Proposals: an OPD's initiative moving through a workflow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from council.masterplans.models import PlanProgramme
    from council.organizations.models import Member, Organization
    from council.programmes.models import Programme

TITLE_MAX = 200
SUMMARY_MAX = 10_000


class Proposal(Model):
    """A proposal for one pillar of its programme, owned by an organisation (an OPD).

    ``pillar`` is the code of one of the programme's pillars
    (:class:`council.programmes.models.Pillar`), checked on every write.
    ``plan_programme`` (optional) is an acceleration programme of the master
    plan of the proposal's programme, of the same pillar
    (:func:`council.masterplans.service.clean_plan_programme`).

    ``budget`` is whole rupiah (IDR), a 64-bit integer. ``state`` is a state
    name of the workflow ``workflow_name`` at ``workflow_version``, which the
    proposal keeps for life. ``version`` is bumped by every change (writes are
    serialised by the row lock of the write recipe). ``review_round`` counts entries into review, so reviews
    and ballots of an earlier round do not count in a later one.
    ``published_at`` (UTC) is set when the proposal first enters a public
    state; from then on anonymous callers may read it.
    """

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=TITLE_MAX)
    summary = fields.TextField()
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "council.Programme", related_name="proposals", on_delete=fields.RESTRICT
    )
    pillar = fields.CharField(max_length=64)
    plan_programme: fields.ForeignKeyNullableRelation[PlanProgramme] = fields.ForeignKeyField(
        "council.PlanProgramme", related_name="proposals", null=True, on_delete=fields.RESTRICT
    )
    budget = fields.BigIntField()
    budget_approved = fields.BigIntField(null=True)
    """The budget as approved by the ballot (whole rupiah), frozen when the vote approves it; None before."""
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "council.Organization", related_name="proposals", on_delete=fields.RESTRICT
    )
    author: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="proposals", on_delete=fields.RESTRICT
    )
    state = fields.CharField(max_length=64, db_index=True)
    workflow_name = fields.CharField(max_length=64)
    workflow_version = fields.IntField()
    version = fields.IntField(default=1)
    review_round = fields.IntField(default=0)
    published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "proposal"
        unique_together = (("organization", "title"),)
