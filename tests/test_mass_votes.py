"""200 concurrent castVote calls from 100 council members, over GraphQL against the real database.

A hundred council members are added through the ORM before the ballot opens
(so they are in its electorate); each sends two votes with different choices
at the same moment. Afterwards there is exactly one vote row per member, each
the last accepted of that member's two, and the tally the API shows (and the
chair's close stores) equals the rows (DESIGN.md, "Data integrity": one vote
per member per ballot is a UNIQUE constraint, not a read-then-write).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from paths import OWNER_ORG, Paths, representative

from council.audit.service import verify_chains
from council.auth.scopes import scopes_for_roles
from council.auth.tokens import issue_access_token
from council.organizations.models import Member, Organization
from council.voting.models import Ballot, Vote

MEMBERS = 100
CHOICES = ("YES", "NO", "ABSTAIN")
VOTE = """
mutation($input: CastVoteInput!) {
  castVote(input: $input) { ballot { votesCast tally { yes no abstain } myVote } errors { code field message } }
}"""


async def _council_members(n: int) -> list[tuple[int, str]]:
    council = await Organization.get(code="council")
    await Member.bulk_create(
        [
            Member(
                username=f"anggota.{i:03d}",
                display_name=f"Anggota Dewan {i:03d}",
                organization_id=council.id,
                roles=["council_member"],
            )
            for i in range(n)
        ]
    )
    return await Member.filter(username__startswith="anggota.").order_by("username").values_list("id", "username")


async def test_two_hundred_concurrent_votes_from_a_hundred_members(gql: Any, token: Any, client: Any) -> None:
    members = await _council_members(MEMBERS)
    p = Paths(gql, token)
    pid = await p.at("quick_win_approval")
    ballot = await Ballot.get(proposal__organization__code=OWNER_ORG, closed_at=None)
    assert ballot.eligible_count == 7 + MEMBERS
    scopes = sorted(scopes_for_roles(["council_member"]))
    tokens = {u: issue_access_token(member_id=m, username=u, scopes=scopes) for m, u in members}
    calls = [(u, CHOICES[(i + k) % 3]) for k in (0, 1) for i, (_, u) in enumerate(members)]

    async def post(username: str, choice: str) -> dict[str, Any]:
        response = await client.post(
            "/graphql",
            json={"query": VOTE, "variables": {"input": {"proposalId": pid, "choice": choice}}},
            headers={"Authorization": f"Bearer {tokens[username]}"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]["castVote"]

    payloads = await asyncio.gather(*(post(u, c) for u, c in calls))

    refused = Counter(e["code"] for pl in payloads for e in pl["errors"])
    assert set(refused) <= {"CONFLICT"}, refused
    rows = await Vote.filter(ballot_id=ballot.id).values_list("member__username", "choice")
    assert len(rows) == MEMBERS and len({u for u, _ in rows}) == MEMBERS
    accepted: dict[str, list[str]] = {}
    for (username, choice), payload in zip(calls, payloads, strict=True):
        if not payload["errors"]:
            accepted.setdefault(username, []).append(choice)
    for username, choice in rows:
        assert str(choice).upper() in accepted[username], (username, choice, accepted[username])

    counted = Counter(str(c) for _, c in rows)
    snap = await p.snapshot(pid)
    assert snap["ballot"]["tally"] == {k: counted[k] for k in ("yes", "no", "abstain")}
    assert sum(snap["ballot"]["tally"].values()) == MEMBERS
    assert (await p.transition(pid, "close_vote", representative("council_chair")))["errors"] == []
    stored = await Ballot.get(id=ballot.id)
    assert (stored.yes_count, stored.no_count, stored.abstain_count) == (
        counted["yes"],
        counted["no"],
        counted["abstain"],
    )
    history = (await p.snapshot(pid))["history"]
    assert sum(e["action"] == "vote_cast" for e in history) == MEMBERS
    assert (await verify_chains())[2] == []
