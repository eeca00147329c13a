"""Quorum and threshold edge cases, recusals, members removed mid-vote and hidden tallies, over GraphQL.

Proposals belong to ``paths.OWNER_ORG`` (Dinas Perhubungan: 7 council seats,
none conflicted, quorum 4 under the shipped rule). Rules other than the
shipped ones come from a version 2 of quick-win written for the test
(``ballots.workflow_variant``); the chair closes those ballots (they have no
window). Decisions these tests pin down (DESIGN.md, "Data integrity"; the
module docstring of ``council.voting.service``):

- quorum ``q`` is "more than q of the eligible members", abstentions count;
  exactly half is not a quorum of 0.5;
- ``threshold_of: yes_no`` leaves abstentions out of the share, ``cast``
  counts them against; a tie, or all abstaining, is no majority;
- the electorate is fixed when the ballot opens: a member deactivated or
  stripped of the council role mid-vote stays in ``eligibleCount`` and the
  vote they had cast counts, but they cannot vote any more; a member given a
  seat mid-vote does not vote on that ballot;
- a closed ballot's stored result never changes.

Declared conflicts of interest are in ``test_recusals.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ballots import workflow_variant
from paths import OWNER_ORG, Paths, representative, voters

from council.audit.service import verify_chains
from council.organizations.models import Member
from council.workflow.definition import WorkflowDefinition

VOTERS = voters(OWNER_ORG)  # rektor.unri, sekda, kepala.kominfo, kepala.bappeda, kepala.pupr, kepala.dlhk, walikota
CHAIR = representative("council_chair")
BALLOT = """ballot { id closed result eligibleCount quorum threshold thresholdOf hideTally votesCast
  closedByDeadline closedBy { username } tally { yes no abstain } myVote
  recusals { member { username } reason at } }"""
ONE = "query($id: ID!) { proposal(id: $id) { state %s history { action actor comment data } } }" % BALLOT
VOTE = """
mutation($input: CastVoteInput!) {
  castVote(input: $input) { ballot { votesCast tally { yes no abstain } myVote } errors { code field message } }
}"""


@pytest.fixture
def variant(tmp_path: Path) -> Iterator[Any]:
    """``variant(vote)``: new proposals start on quick-win version 2 with this vote rule (restored after)."""
    stack: list[Any] = []

    def use(vote: dict[str, Any]) -> WorkflowDefinition:
        cm = workflow_variant(tmp_path / f"workflows{len(stack)}", vote=vote)
        stack.append(cm)
        return cm.__enter__()

    yield use
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


async def view(p: Paths, pid: str, as_: str | None = None) -> dict[str, Any]:
    return (await p.call(ONE, {"id": pid}, as_ if as_ is not None else p.officer))["proposal"]


async def vote(p: Paths, pid: str, as_: str | None, choice: str = "YES", **kw: Any) -> dict[str, Any]:
    return await p.mutate(VOTE, "castVote", {"proposalId": pid, "choice": choice}, as_, **kw)


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def close(p: Paths, pid: str) -> dict[str, Any]:
    return await p.transition(pid, "close_vote", CHAIR)


# --- quorum -----------------------------------------------------------------------------------


async def test_exactly_half_is_not_a_quorum(gql: Any, token: Any) -> None:
    kominfo = Paths(gql, token, owner_org="diskominfotik")  # its head sits on the council: 6 eligible
    seats = voters("diskominfotik")
    pid = await kominfo.at("quick_win_approval")
    ballot = (await view(kominfo, pid))["ballot"]
    assert (ballot["eligibleCount"], ballot["quorum"]) == (6, 4)
    for voter in seats[:3]:
        await kominfo.vote(pid, voter, "YES")

    refused = await close(kominfo, pid)

    assert codes(refused) == ["GUARD_FAILED"]
    assert refused["errors"][0]["message"] == "Quorum not reached: 3 of 4 votes"
    await kominfo.vote(pid, seats[3], "ABSTAIN")  # abstentions count for the quorum
    assert (await close(kominfo, pid))["proposal"]["state"] == "implementation"


async def test_an_absolute_quorum(p: Paths, variant: Any) -> None:
    variant({"quorum": {"count": 2}})
    p = Paths(p.gql, p.token)
    pid = await p.at("quick_win_approval")
    assert ((await view(p, pid))["ballot"]["quorum"], (await view(p, pid))["ballot"]["eligibleCount"]) == (2, 7)
    await p.vote(pid, VOTERS[0], "YES")
    refused = await close(p, pid)
    assert refused["errors"][0]["message"] == "Quorum not reached: 1 of 2 votes"
    await p.vote(pid, VOTERS[1], "YES")
    assert (await close(p, pid))["proposal"]["state"] == "implementation"


# --- threshold --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold_of", "threshold", "choices", "result"),
    [
        pytest.param(
            "yes_no", 0.5, ["YES", "YES", "NO", "ABSTAIN", "ABSTAIN"], "APPROVED", id="yes_no-abstentions-left-out"
        ),
        pytest.param(
            "cast", 0.5, ["YES", "YES", "NO", "ABSTAIN", "ABSTAIN"], "REJECTED", id="cast-abstentions-count-against"
        ),
        pytest.param("cast", 0.5, ["YES", "YES", "YES", "NO", "ABSTAIN"], "APPROVED", id="cast-majority"),
        pytest.param("cast", 0.5, ["YES", "YES", "ABSTAIN", "ABSTAIN"], "REJECTED", id="cast-exactly-half"),
        pytest.param("yes_no", 0.5, ["YES", "YES", "ABSTAIN", "ABSTAIN"], "APPROVED", id="yes_no-same-votes"),
        pytest.param("yes_no", 0.5, ["YES", "YES", "NO", "NO"], "REJECTED", id="yes_no-tie"),
        pytest.param("cast", 0.5, ["ABSTAIN"] * 4, "REJECTED", id="cast-all-abstain"),
        pytest.param("yes_no", 0.5, ["ABSTAIN"] * 4, "REJECTED", id="yes_no-all-abstain"),
        pytest.param("yes_no", 0.6, ["YES", "YES", "YES", "NO", "NO"], "REJECTED", id="three-fifths-is-not-more"),
        pytest.param("yes_no", 0.6, ["YES", "YES", "YES", "YES", "NO"], "APPROVED", id="four-fifths"),
    ],
)
async def test_threshold_and_its_base(
    p: Paths, variant: Any, threshold_of: str, threshold: float, choices: list[str], result: str
) -> None:
    variant({"threshold": threshold, "threshold_of": threshold_of})
    p = Paths(p.gql, p.token)
    pid = await p.at("quick_win_approval")
    for voter, choice in zip(VOTERS, choices, strict=False):
        await p.vote(pid, voter, choice)

    moved = await close(p, pid)

    assert moved["errors"] == []
    after = await view(p, pid)
    assert after["state"] == {"APPROVED": "implementation", "REJECTED": "rejected"}[result]
    ballot = after["ballot"]
    assert (ballot["result"], ballot["thresholdOf"], ballot["threshold"]) == (result, threshold_of.upper(), threshold)
    assert ballot["tally"] == {c.lower(): choices.count(c) for c in ("YES", "NO", "ABSTAIN")}
    summary = after["history"][-1]["data"]["ballot"]
    assert (summary["result"], summary["threshold_of"], summary["closed_by"]) == (result.lower(), threshold_of, CHAIR)


# --- members removed from the council mid-vote ----------------------------------------------


async def test_members_removed_mid_vote_keep_their_vote_and_their_seat_in_the_count(p: Paths) -> None:
    pid = await p.at("quick_win_approval")
    deactivated, demoted, newcomer = "sekda", "kepala.pupr", "tim.teknis3"
    await p.vote(pid, deactivated, "YES")
    await p.vote(pid, demoted, "NO")
    old_token = await p.bearer(deactivated)

    await Member.filter(username=deactivated).update(is_active=False)
    await Member.filter(username=demoted).update(roles=["opd_head"])
    await Member.filter(username=newcomer).update(roles=["technical_team", "council_member"])
    p._tokens.pop(demoted)  # a fresh token: the member's roles are read from the database

    await p.gql(VOTE, {"input": {"proposalId": pid, "choice": "NO"}}, token=old_token, status=401)
    assert codes(await vote(p, pid, demoted, "YES")) == ["FORBIDDEN"]
    late = await vote(p, pid, newcomer, "YES")
    assert codes(late) == ["FORBIDDEN"]
    assert late["errors"][0]["message"] == "You were not a voting member of the council when this ballot opened"

    ballot = (await view(p, pid))["ballot"]
    assert (ballot["eligibleCount"], ballot["quorum"], ballot["tally"]) == (7, 4, {"yes": 1, "no": 1, "abstain": 0})
    for voter in ("rektor.unri", "kepala.bappeda"):
        await p.vote(pid, voter, "YES")
    assert (await close(p, pid))["proposal"]["state"] == "implementation"
    closed = (await view(p, pid))["ballot"]
    assert (closed["result"], closed["tally"], closed["eligibleCount"]) == (
        "APPROVED",
        {"yes": 3, "no": 1, "abstain": 0},
        7,
    )


# --- hidden tallies ---------------------------------------------------------------------------


async def test_a_hidden_tally_shows_who_voted_not_how_until_the_close(p: Paths, variant: Any) -> None:
    variant({"hide_tally": True, "votes_public": True})  # who chose what joins the closing event
    p = Paths(p.gql, p.token)
    pid = await p.at("quick_win_approval")
    first = await vote(p, pid, VOTERS[0], "YES")
    assert first["errors"] == []
    assert (first["ballot"]["tally"], first["ballot"]["myVote"], first["ballot"]["votesCast"]) == (None, "YES", 1)
    await p.vote(pid, VOTERS[0], "NO")  # a change, hidden too
    for voter, choice in zip(VOTERS[1:4], ["YES", "YES", "ABSTAIN"], strict=True):
        await p.vote(pid, voter, choice)

    for viewer in (None, CHAIR, VOTERS[1], p.officer):
        ballot = (await p.call(ONE, {"id": pid}, viewer))["proposal"]["ballot"]
        assert (ballot["tally"], ballot["hideTally"], ballot["votesCast"]) == (None, True, 4), viewer
    history = (await view(p, pid))["history"]
    votes = [e for e in history if e["action"] in {"vote_cast", "vote_changed"}]
    assert [(e["action"], e["actor"]) for e in votes] == [
        ("vote_cast", VOTERS[0]),
        ("vote_changed", VOTERS[0]),
        ("vote_cast", VOTERS[1]),
        ("vote_cast", VOTERS[2]),
        ("vote_cast", VOTERS[3]),
    ]
    assert all(set(e["data"]) == {"ballot"} for e in votes), votes

    assert (await close(p, pid))["proposal"]["state"] == "implementation"  # 2 yes against 1 no
    after = await view(p, pid)
    assert after["ballot"]["tally"] == {"yes": 2, "no": 1, "abstain": 1}
    summary = after["history"][-1]["data"]["ballot"]
    assert summary["votes"] == {VOTERS[0]: "no", VOTERS[1]: "yes", VOTERS[2]: "yes", VOTERS[3]: "abstain"}
    assert (await verify_chains())[2] == []


# --- a closed ballot's result -----------------------------------------------------------------


async def test_a_closed_ballot_keeps_its_result_whatever_happens_later(p: Paths) -> None:
    pid = await p.at("quick_win_approval")
    await p.vote(pid, VOTERS[0], "YES")
    await p.vote(pid, VOTERS[1], "YES")
    await p.vote(pid, VOTERS[3], "NO")
    await p.vote(pid, VOTERS[4], "ABSTAIN")
    assert (await close(p, pid))["proposal"]["state"] == "implementation"
    closed = (await view(p, pid))["ballot"]
    assert (closed["closedBy"], closed["closedByDeadline"]) == ({"username": CHAIR}, False)

    await Member.filter(username=VOTERS[1]).update(is_active=False)
    await Member.filter(username=VOTERS[3]).update(roles=[])
    assert codes(await vote(p, pid, VOTERS[5], "NO")) == ["VOTING_CLOSED"]

    after = (await view(p, pid))["ballot"]
    assert after == closed
    assert after["tally"] == {"yes": 2, "no": 1, "abstain": 1} and after["result"] == "APPROVED"
