"""GraphQL enums from the domain vocabularies (values UPPER_CASE, DESIGN.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from council import enums

if TYPE_CHECKING:
    # strawberry.enum registers the domain class and returns that same class, so for a type checker each name
    # here is the domain enum (a variable assigned a class is not a type to mypy).
    from council.enums import (
        BallotResult,
        NoQuorumAction,
        OrganizationKind,
        Recommendation,
        Role,
        ThresholdBase,
        VoteChoice,
    )
else:
    OrganizationKind = strawberry.enum(enums.OrganizationKind, description="What an organisation is.")
    Role = strawberry.enum(enums.Role, description="A member's role.")
    Recommendation = strawberry.enum(enums.Recommendation, description="A reviewer's recommendation.")
    VoteChoice = strawberry.enum(enums.VoteChoice, description="A council member's vote.")
    BallotResult = strawberry.enum(enums.BallotResult, description="How a closed ballot ended.")
    ThresholdBase = strawberry.enum(enums.ThresholdBase, description="What a ballot's threshold is a share of.")
    NoQuorumAction = strawberry.enum(enums.NoQuorumAction, description="What a ballot's deadline does without quorum.")

__all__ = [
    "BallotResult",
    "NoQuorumAction",
    "OrganizationKind",
    "Recommendation",
    "Role",
    "ThresholdBase",
    "VoteChoice",
]
