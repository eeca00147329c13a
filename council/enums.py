"""Closed vocabularies shared by the models, the services and the API.

Values are the lower-case strings stored in the database and used in the
workflow files and seed files; the GraphQL enums expose them UPPER_CASE.
"""

from __future__ import annotations

from enum import StrEnum


class OrganizationKind(StrEnum):
    """What an organisation is in the programme (DESIGN.md, "The people")."""

    OPD = "opd"
    UNIVERSITY = "university"
    COUNCIL = "council"
    TECHNICAL_TEAM = "technical_team"
    MINISTRY = "ministry"


class Role(StrEnum):
    """A member's role; the workflow files grant transitions to these names."""

    OPD_OFFICER = "opd_officer"
    OPD_HEAD = "opd_head"
    TECHNICAL_TEAM = "technical_team"
    UNIVERSITY_REVIEWER = "university_reviewer"
    COUNCIL_MEMBER = "council_member"
    COUNCIL_CHAIR = "council_chair"
    ADMIN = "admin"


class PhaseStatus(StrEnum):
    """Where today (in the city's time zone) falls against a programme phase's dates; derived, never stored."""

    PLANNED = "planned"
    ACTIVE = "active"
    DONE = "done"


class SignatoryRole(StrEnum):
    """How a member signs a commitment: ``signatory`` (an OPD head) or ``countersignatory`` (the council chair)."""

    SIGNATORY = "signatory"
    COUNTERSIGNATORY = "countersignatory"


class CommitmentStatus(StrEnum):
    """A commitment is ``open`` until every required signatory has signed, then ``complete``; derived, never stored."""

    OPEN = "open"
    COMPLETE = "complete"


class Recommendation(StrEnum):
    """A reviewer's recommendation on a proposal."""

    APPROVE = "approve"
    REVISE = "revise"
    REJECT = "reject"


class VoteChoice(StrEnum):
    """A council member's vote on a ballot."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class BallotResult(StrEnum):
    """How a closed ballot ended."""

    APPROVED = "approved"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    CANCELLED = "cancelled"


class ThresholdBase(StrEnum):
    """What a ballot's threshold is a share of (the workflow file's ``threshold_of``)."""

    YES_NO = "yes_no"
    CAST = "cast"


class NoQuorumAction(StrEnum):
    """What a ballot's deadline does without quorum (the workflow file's ``on_no_quorum``)."""

    REJECT = "reject"
    EXTEND = "extend"


class AssignmentStatus(StrEnum):
    """A review assignment: ``pending`` until the assignee reviews (``done``) or declines with a reason."""

    PENDING = "pending"
    DONE = "done"
    DECLINED = "declined"
