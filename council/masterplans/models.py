"""The master plan: a versioned Markdown document of the city, commented on, finalised by the council chair.

A plan covers one or more programmes (:class:`MasterPlanLink`; a programme
has at most one plan). Its acceleration programmes (:class:`PlanProgramme`)
are what proposals link to (:attr:`council.proposals.models.Proposal.plan_programme`).
Each version and the finalisation are events of the plan's own audit chain
(kind ``master_plan``, :mod:`council.audit.chains`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from council.organizations.models import Member
    from council.programmes.models import Programme

TEXT_MAX = 100_000
"""Longest version text (characters of Markdown)."""
COMMENT_MAX = 5_000
"""Longest comment (characters)."""
CODE_MAX = 64
"""Longest plan programme code."""
TITLE_MAX = 255
"""Longest plan or plan programme title."""


class MasterPlan(Model):
    """The master plan of the city (``Masterplan Smart City``), read-only once ``finalized_at`` (UTC) is set."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=TITLE_MAX, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    finalized_at = fields.DatetimeField(null=True)
    finalized_by: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name=False, null=True, on_delete=fields.RESTRICT
    )

    class Meta:
        table = "master_plan"


class MasterPlanLink(Model):
    """A programme the plan covers (``programme`` is unique: a programme has at most one plan)."""

    id = fields.IntField(primary_key=True)
    plan: fields.ForeignKeyRelation[MasterPlan] = fields.ForeignKeyField(
        "council.MasterPlan", related_name="links", on_delete=fields.CASCADE
    )
    programme: fields.OneToOneRelation[Programme] = fields.OneToOneField(
        "council.Programme", related_name="master_plan_link", on_delete=fields.CASCADE
    )

    class Meta:
        table = "master_plan_link"


class MasterPlanVersion(Model):
    """Version ``number`` (1, 2, ...) of a plan: Markdown ``text``, a ``## `` section per pillar."""

    id = fields.IntField(primary_key=True)
    plan: fields.ForeignKeyRelation[MasterPlan] = fields.ForeignKeyField(
        "council.MasterPlan", related_name="versions", on_delete=fields.CASCADE
    )
    number = fields.IntField()
    text = fields.TextField()
    author: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "master_plan_version"
        unique_together = (("plan", "number"),)


class MasterPlanComment(Model):
    """A comment by a member on one version of the plan (plain text)."""

    id = fields.IntField(primary_key=True)
    version: fields.ForeignKeyRelation[MasterPlanVersion] = fields.ForeignKeyField(
        "council.MasterPlanVersion", related_name="comments", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name=False, on_delete=fields.RESTRICT
    )
    text = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "master_plan_comment"


class PlanProgramme(Model):
    """An acceleration programme of the plan (``code`` unique in the plan), for one pillar code.

    ``pillar`` is a pillar code of the plan's programmes
    (:class:`council.programmes.models.Pillar`); proposals of that pillar link to it.
    """

    id = fields.IntField(primary_key=True)
    plan: fields.ForeignKeyRelation[MasterPlan] = fields.ForeignKeyField(
        "council.MasterPlan", related_name="plan_programmes", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=CODE_MAX)
    title = fields.CharField(max_length=TITLE_MAX)
    pillar = fields.CharField(max_length=CODE_MAX)
    position = fields.IntField(default=0)

    class Meta:
        table = "plan_programme"
        unique_together = (("plan", "code"),)
