"""Ballots and votes of the council on quick wins."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from council.enums import BallotResult, VoteChoice


class Ballot(Model):
    """A council vote on one proposal in one review round.

    Opened when the proposal enters a state that declares a vote (the workflow
    file); its rules are copied in when it opens so later edits of the file do
    not change a running ballot. ``eligible_count`` is the number of seated
    council members without a conflict of interest at opening;
    ``quorum_required`` the number of votes needed; ``threshold`` the share of
    yes votes that must be exceeded (0.5 = more than half) among yes + no.
    Times are UTC. Once ``closed_at`` is set the stored counts and ``result``
    never change.
    """

    id = fields.IntField(primary_key=True)
    proposal = fields.ForeignKeyField("council.Proposal", related_name="ballots", on_delete=fields.CASCADE)
    round = fields.IntField()
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField(null=True)
    eligible_count = fields.IntField()
    quorum_required = fields.IntField()
    threshold = fields.FloatField(default=0.5)
    closed_at = fields.DatetimeField(null=True)
    closed_by = fields.ForeignKeyField(
        "council.Member", related_name="closed_ballots", null=True, on_delete=fields.RESTRICT
    )
    result = fields.CharEnumField(BallotResult, max_length=16, null=True)
    yes_count = fields.IntField(default=0)
    no_count = fields.IntField(default=0)
    abstain_count = fields.IntField(default=0)

    class Meta:
        table = "ballot"
        unique_together = (("proposal", "round"),)


class Vote(Model):
    """A council member's vote on a ballot: one row per member per ballot (UNIQUE)."""

    id = fields.IntField(primary_key=True)
    ballot = fields.ForeignKeyField("council.Ballot", related_name="votes", on_delete=fields.CASCADE)
    member = fields.ForeignKeyField("council.Member", related_name="votes", on_delete=fields.RESTRICT)
    choice = fields.CharEnumField(VoteChoice, max_length=8)
    cast_at = fields.DatetimeField()
    changed_at = fields.DatetimeField()

    class Meta:
        table = "vote"
        unique_together = (("ballot", "member"),)
