"""One readable rule (issue 9): the filter and the check agree, through the database.

``policy.proposal_visibility`` (a filter, for lists) and
``policy.can_read_proposal`` (a check, for one row) both derive from
``policy.read_grants``. For every role, with and without ``proposals:read``,
and anonymous, over every combination of (published, own organisation,
review round), the rows the filter selects are exactly those the check
accepts; so are the rows :mod:`council.proposals.queries` reads for one
proposal (``readable_row``), for subscriptions (``readable_ids``) and for the
list (``proposal_page``).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from council.auth import policy
from council.auth.principal import ANONYMOUS, Principal
from council.auth.scopes import PROPOSALS_READ, scopes_for_roles
from council.enums import Role
from council.errors import DomainError, ErrorCode
from council.organizations.models import Member, Organization
from council.programmes.models import Programme
from council.proposals import queries
from council.proposals.models import Proposal

CASES = list(itertools.product((False, True), (False, True), (0, 1)))
"""(published, own organisation, review round) of each proposal created."""


def actors(own_org: int) -> dict[str, Principal]:
    found = {"anonymous": ANONYMOUS}
    for role in Role:
        scopes = scopes_for_roles([role.value])
        found[role.value] = Principal(
            member_id=1, username=role.value, organization_id=own_org, roles=frozenset({role.value}), scopes=scopes
        )
        found[f"{role.value} without proposals:read"] = Principal(
            member_id=1,
            username=role.value,
            organization_id=own_org,
            roles=frozenset({role.value}),
            scopes=scopes - {PROPOSALS_READ},
        )
    return found


async def make_proposals(own_org: int, other_org: int) -> dict[int, tuple[bool, bool, int]]:
    author = await Member.first().values_list("id", flat=True)
    programme = await Programme.first().values_list("id", flat=True)
    made = {}
    for n, (published, own, review_round) in enumerate(CASES):
        proposal = await Proposal.create(
            title=f"read rule {n}",
            summary="-",
            pillar="smart_governance",
            programme_id=programme,
            budget=1,
            organization_id=own_org if own else other_org,
            author_id=author,
            state="draft",
            workflow_name="default",
            workflow_version=1,
            review_round=review_round,
            published_at=datetime(2018, 5, 1, tzinfo=UTC) if published else None,
        )
        made[proposal.id] = (published, own, review_round)
    return made


async def test_filter_and_check_agree_for_every_role_and_case() -> None:
    own_org, other_org = await Organization.all().order_by("id").limit(2).values_list("id", flat=True)
    made = await make_proposals(own_org, other_org)
    rows = {r["id"]: r for r in await Proposal.filter(id__in=list(made)).values(*queries.PROPOSAL_FIELDS)}
    for name, actor in actors(own_org).items():
        by_filter = set(
            await Proposal.filter(id__in=list(made))
            .filter(policy.proposal_visibility(actor))
            .values_list("id", flat=True)
        )
        by_check = {
            pk
            for pk, row in rows.items()
            if policy.can_read_proposal(
                actor,
                organization_id=row["organization_id"],
                review_round=row["review_round"],
                published=row["published_at"] is not None,
            )
        }
        assert by_filter == by_check, name
        assert set(await queries.readable_ids(actor, made)) == by_check, name
        for pk in made:
            if pk in by_check:
                assert (await queries.readable_row(actor, pk))["id"] == pk, name
            else:
                with pytest.raises(DomainError) as caught:
                    await queries.readable_row(actor, pk)
                assert (caught.value.code, caught.value.field) == (ErrorCode.NOT_FOUND, "proposalId"), name
        page, total, has_next = await queries.proposal_page(actor, search="read rule", limit=100)
        assert ({r["id"] for r in page}, total, has_next) == (by_check, len(by_check), False), name


async def test_the_rule_reads_as_documented() -> None:
    """What the grants mean, case by case (so agreement is not agreement on nothing)."""
    own_org, other_org = await Organization.all().order_by("id").limit(2).values_list("id", flat=True)
    made = await make_proposals(own_org, other_org)
    staff = {r.value for r in policy.STAFF_ROLES}
    for name, actor in actors(own_org).items():
        for published, own, review_round in made.values():
            reading = actor.has_scope(PROPOSALS_READ)
            expected = published or (reading and own) or (reading and review_round > 0 and name in staff)
            assert (
                policy.can_read_proposal(
                    actor,
                    organization_id=own_org if own else other_org,
                    review_round=review_round,
                    published=published,
                )
                == expected
            ), (name, published, own, review_round)
