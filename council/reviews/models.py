"""Technical reviews of proposals with the four-criterion rubric."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from council.enums import AssignmentStatus, Recommendation

if TYPE_CHECKING:
    from council.organizations.models import Member, Organization
    from council.proposals.models import Proposal

SCORE_MIN, SCORE_MAX = 1, 5
COMMENT_MAX = 10_000


class Review(Model):
    """One reviewer's review of a proposal in one review round.

    Scores are integers 1 to 5. ``organization`` is the reviewer's
    organisation when the review was given (so a university review stays one
    if the reviewer moves). A reviewer has one review per round; submitting
    again in the same round replaces it.
    """

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "council.Proposal", related_name="reviews", on_delete=fields.CASCADE
    )
    reviewer: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="reviews", on_delete=fields.RESTRICT
    )
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "council.Organization", related_name="reviews", on_delete=fields.RESTRICT
    )
    round = fields.IntField()
    recommendation = fields.CharEnumField(Recommendation, max_length=16)
    feasibility = fields.SmallIntField()
    impact = fields.SmallIntField()
    cost_effectiveness = fields.SmallIntField()
    alignment = fields.SmallIntField()
    comment = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "review"
        unique_together = (("proposal", "reviewer", "round"),)


class ReviewAssignment(Model):
    """The technical team asks a member, or a university organisation, to review a proposal by ``due_on``.

    Exactly one of ``reviewer`` and ``organization`` is set (an organisation's
    assignment is taken by any of its reviewers). ``round`` is the proposal's
    review round when assigned; ``status`` turns ``done`` when the assignee's
    review of that round arrives (``review`` names it) and ``declined`` with a
    ``decline_reason``. ``due_on`` is a date in the city's time zone. Under a
    workflow whose reviewable state says ``assigned_only`` only assignees and
    the technical team may review, and ``min_reviews`` counts done assignments.
    """

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "council.Proposal", related_name="assignments", on_delete=fields.CASCADE
    )
    reviewer: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="assignments", null=True, on_delete=fields.RESTRICT
    )
    organization: fields.ForeignKeyNullableRelation[Organization] = fields.ForeignKeyField(
        "council.Organization", related_name="assignments", null=True, on_delete=fields.RESTRICT
    )
    round = fields.IntField()
    due_on = fields.DateField()
    status = fields.CharEnumField(AssignmentStatus, max_length=16, default=AssignmentStatus.PENDING)
    decline_reason = fields.TextField(default="")
    review: fields.ForeignKeyNullableRelation[Review] = fields.ForeignKeyField(
        "council.Review", related_name="assignments", null=True, on_delete=fields.SET_NULL
    )
    assigned_by: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="assignments_made", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "review_assignment"
