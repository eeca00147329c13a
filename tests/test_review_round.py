"""``Proposal.reviewRound`` over GraphQL: the round the API keeps, which the web client shows as is.

The rule is the workflow file's: the round goes up by one each time the
proposal enters a reviewable state (``technical_review``) from one that is
not; a review belongs to the round it was written in.
"""

from __future__ import annotations

from paths import Paths, representative

TECH = representative("technical_team")
UNIVERSITY = representative("university_reviewer")

ROUND = """
query($id: ID!) { proposal(id: $id) { state reviewRound reviews { round } } }
"""
TRANSITION = """
mutation($input: TransitionProposalInput!) {
  transitionProposal(input: $input) { proposal { state reviewRound } errors { code field message } }
}
"""


async def round_of(p: Paths, pid: str, as_: str) -> tuple[str, int]:
    """(state, reviewRound) of the proposal as ``as_``."""
    found = (await p.call(ROUND, {"id": pid}, as_))["proposal"]
    return found["state"], found["reviewRound"]


async def fire(p: Paths, pid: str, trigger: str, as_: str, comment: str | None = None) -> tuple[str, int]:
    """Fire ``trigger``; (state, reviewRound) from the mutation's payload."""
    payload = await p.mutate(
        TRANSITION, "transitionProposal", {"proposalId": pid, "trigger": trigger, "comment": comment}, as_
    )
    assert payload["errors"] == [], payload["errors"]
    return payload["proposal"]["state"], payload["proposal"]["reviewRound"]


async def test_review_round_counts_entries_into_review(p: Paths) -> None:
    pid = await p.new_proposal()
    assert await round_of(p, pid, p.officer) == ("draft", 0)

    assert await fire(p, pid, "submit", p.officer) == ("technical_review", 1)
    review = await p.review(pid, TECH)
    assert review["review"]["round"] == 1
    assert await round_of(p, pid, TECH) == ("technical_review", 1), "a review does not start a round"

    assert await fire(p, pid, "request_revision", TECH, "Lengkapi rincian anggaran.") == ("draft", 1)
    assert await round_of(p, pid, p.officer) == ("draft", 1), "back in draft, the round stays"

    assert await fire(p, pid, "submit", p.officer) == ("technical_review", 2)
    await p.review(pid, UNIVERSITY)
    found = (await p.call(ROUND, {"id": pid}, TECH))["proposal"]
    assert found["reviewRound"] == 2
    assert [r["round"] for r in found["reviews"]] == [1, 2]
