"""GraphQL enums from the domain vocabularies (values UPPER_CASE, DESIGN.md)."""

from __future__ import annotations

import strawberry

from council import enums

Pillar = strawberry.enum(enums.Pillar, description="The six Smart City pillars.")
OrganizationKind = strawberry.enum(enums.OrganizationKind, description="What an organisation is.")
Role = strawberry.enum(enums.Role, description="A member's role.")
Recommendation = strawberry.enum(enums.Recommendation, description="A reviewer's recommendation.")
VoteChoice = strawberry.enum(enums.VoteChoice, description="A council member's vote.")
BallotResult = strawberry.enum(enums.BallotResult, description="How a closed ballot ended.")
ThresholdBase = strawberry.enum(enums.ThresholdBase, description="What a ballot's threshold is a share of.")
NoQuorumAction = strawberry.enum(enums.NoQuorumAction, description="What a ballot's deadline does without quorum.")
