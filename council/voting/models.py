"""Ballots and votes of the council on quick wins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from council.enums import BallotResult, VoteChoice

if TYPE_CHECKING:
    from council.organizations.models import Member
    from council.proposals.models import Proposal


class Ballot(Model):
    """A council vote on one proposal in one review round.

    Opened when the proposal enters a state that declares a vote (the workflow
    file); its rules are copied in when it opens so later edits of the file do
    not change a running ballot: ``quorum_share`` or ``quorum_count``,
    ``threshold`` with ``threshold_of`` (``yes_no`` or ``cast``),
    ``eligible_roles``, ``hide_tally``, ``votes_public``, ``window_seconds``
    and ``on_no_quorum`` (``reject`` or ``extend``). ``votes_public`` says
    whether who chose what is published (in the audit chain's vote events and
    the open data); without it only the counts are.

    ``electorate`` lists the ids of the members who may vote, fixed at
    opening (active holders of an eligible role outside the owning
    organisation) less those who declared a conflict since;
    ``eligible_count`` is its length and ``quorum_required`` the votes needed
    for it (recomputed on a recusal). None on ballots opened before the list
    was kept. ``closes_at`` is the deadline (opening + window, + the window
    again once ``extended``), None without a window.

    When it closes, ``closed_at``, the counts, ``result`` and who closed it
    (``closed_by``, or null with ``closed_by_deadline`` when its deadline
    did) are stored and never change again. Times are UTC.
    """

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "council.Proposal", related_name="ballots", on_delete=fields.CASCADE
    )
    round = fields.IntField()
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField(null=True)
    eligible_count = fields.IntField()
    quorum_required = fields.IntField()
    threshold = fields.FloatField(default=0.5)
    threshold_of = fields.CharField(max_length=8, default="yes_no")
    quorum_share = fields.FloatField(null=True, default=0.5)
    quorum_count = fields.IntField(null=True)
    eligible_roles: fields.JSONField[list[str]] = fields.JSONField(default=list)
    electorate: fields.JSONField[list[int] | None] = fields.JSONField(null=True)
    hide_tally = fields.BooleanField(default=False)
    votes_public = fields.BooleanField(default=False)
    window_seconds = fields.IntField(null=True)
    on_no_quorum = fields.CharField(max_length=8, default="reject")
    extended = fields.BooleanField(default=False)
    closed_at = fields.DatetimeField(null=True)
    closed_by: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="closed_ballots", null=True, on_delete=fields.RESTRICT
    )
    closed_by_deadline = fields.BooleanField(default=False)
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
    ballot: fields.ForeignKeyRelation[Ballot] = fields.ForeignKeyField(
        "council.Ballot", related_name="votes", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="votes", on_delete=fields.RESTRICT
    )
    choice = fields.CharEnumField(VoteChoice, max_length=8)
    cast_at = fields.DatetimeField()
    changed_at = fields.DatetimeField()

    class Meta:
        table = "vote"
        unique_together = (("ballot", "member"),)


class Recusal(Model):
    """A council member's declared conflict of interest on a proposal (one per member per proposal).

    It takes the member out of the electorate of the proposal's open ballot
    (``ballot``, null when none was open) and of every ballot opened later.
    ``at`` is UTC.
    """

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "council.Proposal", related_name="recusals", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="recusals", on_delete=fields.RESTRICT
    )
    ballot: fields.ForeignKeyNullableRelation[Ballot] = fields.ForeignKeyField(
        "council.Ballot", related_name="recusals", null=True, on_delete=fields.CASCADE
    )
    reason = fields.TextField()
    at = fields.DatetimeField()

    class Meta:
        table = "recusal"
        unique_together = (("proposal", "member"),)
