"""Declared conflicts of interest (``declareConflict``), over GraphQL.

A council member who declares a conflict on a proposal leaves its open
ballot's electorate (``eligibleCount`` down by one, the quorum recomputed
from the workflow file's rule), their vote, if cast, is withdrawn, they stay
out of ballots opened later on it, the declaration is shown on the ballot
(``recusals``) and is an event of the audit chain. Proposals belong to
``paths.OWNER_ORG`` (7 seats, quorum 4).
"""

from __future__ import annotations

from typing import Any

import pytest
from paths import OWNER_ORG, Paths, representative, voters

from council.audit.service import verify_chains

VOTERS = voters(OWNER_ORG)  # rektor.unri, sekda, kepala.kominfo, kepala.bappeda, kepala.pupr, kepala.dlhk, walikota
CHAIR = representative("council_chair")
BALLOT = """ballot { eligibleCount quorum closed result votesCast tally { yes no abstain } myVote
  recusals { member { username } reason at } }"""
ONE = "query($id: ID!) { proposal(id: $id) { state %s history { action actor comment data } } }" % BALLOT
DECLARE = """
mutation($input: DeclareConflictInput!) {
  declareConflict(input: $input) {
    recusal { member { username } reason }
    ballot { eligibleCount quorum votesCast tally { yes no abstain } recusals { member { username } } }
    proposal { state }
    errors { code field message }
  }
}"""
VOTE = """
mutation($input: CastVoteInput!) { castVote(input: $input) { errors { code field message } } }"""


async def view(p: Paths, pid: str, as_: str | None = None) -> dict[str, Any]:
    return (await p.call(ONE, {"id": pid}, as_ if as_ is not None else p.officer))["proposal"]


async def declare(
    p: Paths, pid: str, as_: str | None, reason: str = "Keluarga saya pemasok proyek ini."
) -> dict[str, Any]:
    return await p.mutate(DECLARE, "declareConflict", {"proposalId": pid, "reason": reason}, as_)


async def vote(p: Paths, pid: str, as_: str | None, choice: str = "YES") -> dict[str, Any]:
    return await p.mutate(VOTE, "castVote", {"proposalId": pid, "choice": choice}, as_)


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def close(p: Paths, pid: str) -> dict[str, Any]:
    return await p.transition(pid, "close_vote", CHAIR)


async def test_a_declared_conflict_leaves_the_ballot(p: Paths) -> None:
    pid = await p.at("quick_win_approval")
    member, second = VOTERS[0], VOTERS[1]
    await p.vote(pid, member, "YES")
    before = await view(p, pid)
    assert (before["ballot"]["eligibleCount"], before["ballot"]["quorum"], before["ballot"]["tally"]["yes"]) == (
        7,
        4,
        1,
    )

    payload = await declare(p, pid, member, "Adik saya bekerja di perusahaan pelaksana.")

    assert payload["errors"] == []
    assert payload["recusal"] == {
        "member": {"username": member},
        "reason": "Adik saya bekerja di perusahaan pelaksana.",
    }
    assert payload["ballot"]["eligibleCount"] == 6 and payload["ballot"]["quorum"] == 4
    assert payload["ballot"]["tally"] == {"yes": 0, "no": 0, "abstain": 0}, "the vote cast is withdrawn"
    assert payload["ballot"]["recusals"] == [{"member": {"username": member}}]
    event = (await view(p, pid))["history"][-1]
    assert (event["action"], event["actor"], event["comment"]) == (
        "recusal",
        member,
        "Adik saya bekerja di perusahaan pelaksana.",
    )
    assert event["data"] == {
        "ballot": event["data"]["ballot"],
        "eligible": 6,
        "quorum_required": 4,
        "vote_withdrawn": True,
    }

    refused = await vote(p, pid, member, "NO")
    assert codes(refused) == ["CONFLICT_OF_INTEREST"]
    assert refused["errors"][0]["message"] == "You declared a conflict of interest on this proposal"
    assert (await view(p, pid, member))["ballot"]["myVote"] is None

    again = await declare(p, pid, member, "Sekali lagi.")
    assert again["errors"] == [] and again["recusal"]["reason"] == "Adik saya bekerja di perusahaan pelaksana."
    assert len((await view(p, pid))["history"]) == len(before["history"]) + 1, "declaring twice changes nothing"

    assert (await declare(p, pid, second))["ballot"]["quorum"] == 3  # 5 eligible: more than 2.5
    for voter in VOTERS[2:5]:
        await p.vote(pid, voter, "YES")
    assert (await close(p, pid))["proposal"]["state"] == "implementation"
    closed = (await view(p, pid))["ballot"]
    assert (closed["eligibleCount"], closed["quorum"], closed["tally"]["yes"]) == (5, 3, 3)
    assert [r["member"]["username"] for r in closed["recusals"]] == [member, second]
    assert (await verify_chains())[2] == []


async def test_a_conflict_declared_in_review_keeps_the_member_out_of_the_ballot(p: Paths) -> None:
    pid = await p.at("technical_review")
    payload = await declare(p, pid, VOTERS[1])
    assert payload["errors"] == [] and payload["ballot"] is None
    await p.drive(pid, "quick_win_approval")
    ballot = (await view(p, pid))["ballot"]
    assert (ballot["eligibleCount"], ballot["quorum"]) == (6, 4)
    assert [r["member"]["username"] for r in ballot["recusals"]] == [VOTERS[1]]
    assert codes(await vote(p, pid, VOTERS[1])) == ["CONFLICT_OF_INTEREST"]


async def test_the_automatic_conflict_is_not_counted_twice(gql: Any, token: Any) -> None:
    kominfo = Paths(gql, token, owner_org="diskominfotik")
    pid = await kominfo.at("quick_win_approval")
    payload = await declare(kominfo, pid, "kepala.kominfo", "Saya kepala dinas pengusul.")
    assert payload["errors"] == []
    assert (payload["ballot"]["eligibleCount"], payload["ballot"]["quorum"]) == (6, 4)
    event = (await view(kominfo, pid))["history"][-1]
    assert (event["action"], set(event["data"])) == ("recusal", {"ballot"}), "recorded, but the count is unchanged"


@pytest.mark.parametrize(
    ("who", "reason", "code", "field"),
    [
        pytest.param("opd.dishub", "Alasan.", "FORBIDDEN", None, id="an-officer"),
        pytest.param("tim.teknis1", "Alasan.", "FORBIDDEN", None, id="the-technical-team"),
        pytest.param(None, "Alasan.", "UNAUTHENTICATED", None, id="anonymous"),
        pytest.param("sekda", "   ", "INVALID_INPUT", "reason", id="a-blank-reason"),
        pytest.param("sekda", "x" * 2001, "INVALID_INPUT", "reason", id="a-reason-too-long"),
    ],
)
async def test_who_may_declare_a_conflict(p: Paths, who: str | None, reason: str, code: str, field: str | None) -> None:
    pid = await p.at("quick_win_approval")
    before = await view(p, pid)
    payload = await declare(p, pid, who, reason)
    assert codes(payload) == [code] and payload["errors"][0]["field"] == field
    assert payload["recusal"] is None
    assert await view(p, pid) == before


async def test_no_conflict_is_declared_on_a_decided_proposal(p: Paths) -> None:
    pid = await p.at("rejected", via="close_vote")
    payload = await declare(p, pid, VOTERS[0])
    assert codes(payload) == ["VOTING_CLOSED"]


async def test_no_conflict_is_declared_once_no_vote_lies_ahead(p: Paths) -> None:
    """After the ballot closed (implementation) a declaration would change nothing: refused, nothing recorded."""
    pid = await p.at("implementation")
    before = await view(p, pid)
    payload = await declare(p, pid, VOTERS[0], "Baru tahu hari ini.")
    assert codes(payload) == ["VOTING_CLOSED"] and payload["recusal"] is None
    assert payload["errors"][0]["message"] == (
        "No vote on this proposal lies ahead any more, so a conflict of interest can no longer be declared"
    )
    after = await view(p, pid)
    assert after == before and after["ballot"]["recusals"] == []
