"""Concurrent writers on one proposal, through GraphQL over HTTP against the real database.

The guarantees under test (DESIGN.md, "Data integrity" and "The workflow"):
one vote per member per ballot whatever the interleaving; a transition is a
compare-and-set, so of racing triggers exactly one wins and the others get a
``UserError`` (never a 500 or a GraphQL error); every proposal's audit chain
stays linked (seq 1..n, each prevHash the previous hash).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from paths import (
    CAST_VOTE,
    CHAIR,
    CONFLICTED,
    COUNCIL_VOTERS,
    OFFICER,
    SEEDED_ORG,
    TECH_REVIEWER,
    TRANSITION_PROPOSAL,
    Paths,
)

from council.audit.service import verify_chains
from council.voting.models import Ballot, Vote

BALLOT_AND_HISTORY = """
  version state
  ballot { id tally { yes no abstain } myVote eligibleCount closed }
  history { seq action trigger fromState toState actor hash prevHash }
"""


@pytest.fixture
def kominfo(gql: Any, token: Any) -> Paths:
    """The driver on the seeded Diskominfotik proposal's side (its officer is opd.kominfo)."""
    return Paths(gql, token, owner_org=SEEDED_ORG)


def _vote(pid: str, choice: str) -> dict[str, Any]:
    return {"input": {"proposalId": pid, "choice": choice}}


def _transition(pid: str, trigger: str, comment: str | None = None) -> dict[str, Any]:
    return {"input": {"proposalId": pid, "trigger": trigger, "comment": comment}}


async def _post(client: Any, query: str, variables: dict[str, Any], token: str) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json()


def _payload(status: int, body: dict[str, Any], field: str) -> dict[str, Any]:
    """The mutation payload of a concurrent call: HTTP 200, no GraphQL ``errors``, at most one UserError."""
    assert status == 200, (status, body)
    assert "errors" not in body, body["errors"]
    payload = body["data"][field]
    assert len(payload["errors"]) <= 1, payload
    return payload


def _assert_chain(history: list[dict[str, Any]]) -> None:
    assert [e["seq"] for e in history] == list(range(1, len(history) + 1)), [e["seq"] for e in history]
    assert history[0]["prevHash"] == ""
    for previous, event in zip(history, history[1:], strict=False):
        assert event["prevHash"] == previous["hash"], (previous, event)
    assert len({e["hash"] for e in history}) == len(history)


async def _db_chain_faults() -> list[Any]:
    _, _, faults = await verify_chains()
    return faults


async def test_twenty_concurrent_votes_of_one_member_leave_one_vote(kominfo, token, client):
    pid = await kominfo.find()
    await kominfo.drive(pid, "quick_win_approval")
    member = "sekda"
    t = await token(member)
    choices = ["YES", "NO", "ABSTAIN", "YES", "NO"] * 4

    results = await asyncio.gather(*(_post(client, CAST_VOTE, _vote(pid, c), t) for c in choices))

    payloads = [_payload(status, body, "castVote") for status, body in results]
    codes = [p["errors"][0]["code"] for p in payloads if p["errors"]]
    assert set(codes) <= {"CONFLICT"}, codes
    assert any(not p["errors"] for p in payloads)
    for p in payloads:
        if not p["errors"]:
            assert p["ballot"]["closed"] is False

    ballot = await Ballot.get(proposal__title="Aplikasi layanan publik daring")
    rows = await Vote.filter(ballot_id=ballot.id).values("member__username", "choice")
    assert [r["member__username"] for r in rows] == [member], rows

    after = await kominfo.read(pid, BALLOT_AND_HISTORY, member)
    tally = after["ballot"]["tally"]
    assert tally["yes"] + tally["no"] + tally["abstain"] == len(rows) == 1
    my_vote = after["ballot"]["myVote"]
    assert my_vote == str(rows[0]["choice"]).upper()
    assert tally[my_vote.lower()] == 1
    # every accepted change is one audit event, and the chain is intact
    votes_in_history = [e for e in after["history"] if e["action"] in {"vote_cast", "vote_changed"}]
    assert votes_in_history[0]["action"] == "vote_cast"
    assert all(e["action"] == "vote_changed" for e in votes_in_history[1:])
    assert len(votes_in_history) <= len(choices) - len(codes)
    _assert_chain(after["history"])
    assert await _db_chain_faults() == []


def _assert_serial(before: dict[str, Any], after: dict[str, Any], winners: list[str]) -> list[dict[str, Any]]:
    """The accepted triggers happened one after another: one version and one chained event each."""
    assert after["version"] == before["version"] + len(winners)
    old = len(before["history"])
    assert after["history"][:old] == before["history"]
    new = after["history"][old:]
    assert all(e["action"] == "transition" for e in new), new
    assert sorted(e["trigger"] for e in new) == sorted(winners)
    state = before["state"]
    for e in new:
        assert e["fromState"] == state, new
        state = e["toState"]
    assert after["state"] == state
    _assert_chain(after["history"])
    return new


async def _race(client: Any, pid: str, calls: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Fire (token, trigger) calls at once; return (accepted triggers, error codes of the refused)."""
    results = await asyncio.gather(
        *(_post(client, TRANSITION_PROPOSAL, _transition(pid, trig, "race"), tok) for tok, trig in calls)
    )
    payloads = [_payload(status, body, "transitionProposal") for status, body in results]
    winners = [trig for (_, trig), p in zip(calls, payloads, strict=True) if not p["errors"]]
    codes = [p["errors"][0]["code"] for p in payloads if p["errors"]]
    assert len(winners) + len(codes) == len(calls)
    assert set(codes) <= {"CONFLICT", "INVALID_TRANSITION"}, payloads
    return winners, codes


async def test_ten_concurrent_submits_one_wins(kominfo, token, client):
    pid = await kominfo.find()
    before = await kominfo.read(pid, BALLOT_AND_HISTORY, OFFICER)
    assert before["state"] == "draft"
    t = await token(OFFICER)

    winners, codes = await _race(client, pid, [(t, "submit")] * 10)

    assert winners == ["submit"]
    assert len(codes) == 9
    after = await kominfo.read(pid, BALLOT_AND_HISTORY, OFFICER)
    new = _assert_serial(before, after, winners)
    assert [(e["trigger"], e["fromState"], e["toState"], e["actor"]) for e in new] == [
        ("submit", "draft", "technical_review", OFFICER)
    ]
    assert await _db_chain_faults() == []


async def test_concurrent_submits_and_withdraws_serialise(kominfo, token, client):
    """Submit and withdraw race from draft: one submit and one withdraw at most, as if one after another.

    (Withdraw is legal from technical_review too, so submit-then-withdraw is a valid outcome.)
    """
    pid = await kominfo.find()
    before = await kominfo.read(pid, BALLOT_AND_HISTORY, OFFICER)
    t = await token(OFFICER)

    winners, _ = await _race(client, pid, [(t, "submit"), (t, "withdraw")] * 5)

    assert winners.count("submit") <= 1 and winners.count("withdraw") <= 1 and winners, winners
    after = await kominfo.read(pid, BALLOT_AND_HISTORY, OFFICER)
    new = _assert_serial(before, after, winners)
    assert after["state"] == "withdrawn" or [e["trigger"] for e in new] == ["submit"]
    assert await _db_chain_faults() == []


async def test_concurrent_technical_team_triggers_serialise(kominfo, token, client):
    """request_revision, reject and the officer's withdraw race on a proposal in technical review."""
    pid = await kominfo.find()
    t_officer, t_team = await token(OFFICER), await token(TECH_REVIEWER)
    status, body = await _post(client, TRANSITION_PROPOSAL, _transition(pid, "submit"), t_officer)
    assert _payload(status, body, "transitionProposal")["errors"] == []
    before = await kominfo.read(pid, BALLOT_AND_HISTORY, OFFICER)

    calls = [(t_team, "request_revision"), (t_team, "reject"), (t_officer, "withdraw")] * 3
    winners, _ = await _race(client, pid, calls)

    after = await kominfo.read(pid, BALLOT_AND_HISTORY, OFFICER)
    new = _assert_serial(before, after, winners)
    # every legal serial outcome ends in a final state or back in draft after one revision request
    assert [e["trigger"] for e in new] in (
        ["reject"],
        ["withdraw"],
        ["request_revision"],
        ["request_revision", "withdraw"],
    ), new
    assert await _db_chain_faults() == []


async def test_all_council_members_vote_at_once(kominfo, token, client):
    pid = await kominfo.find()
    await kominfo.drive(pid, "quick_win_approval")
    voters = list(COUNCIL_VOTERS)
    tokens = {u: await token(u) for u in [*voters, CONFLICTED]}
    first = ["YES", "NO", "ABSTAIN", "YES", "YES", "NO"]
    second = ["NO", "NO", "YES", "ABSTAIN", "YES", "YES"]
    calls = [(u, c) for u, c in zip(voters, first, strict=True)]
    calls += [(u, c) for u, c in zip(voters, second, strict=True)]
    calls += [(CONFLICTED, "YES")] * 2

    results = await asyncio.gather(*(_post(client, CAST_VOTE, _vote(pid, c), tokens[u]) for u, c in calls))

    payloads = [_payload(status, body, "castVote") for status, body in results]
    for (user, _), p in zip(calls, payloads, strict=True):
        if user == CONFLICTED:
            assert [e["code"] for e in p["errors"]] == ["CONFLICT_OF_INTEREST"]
        else:
            assert [e["code"] for e in p["errors"]] in ([], ["CONFLICT"]), p

    ballot = await Ballot.get(proposal__title="Aplikasi layanan publik daring")
    rows = await Vote.filter(ballot_id=ballot.id).values("member__username", "choice")
    assert sorted(r["member__username"] for r in rows) == sorted(voters)
    after = await kominfo.read(pid, BALLOT_AND_HISTORY, CHAIR)
    tally = after["ballot"]["tally"]
    assert tally["yes"] + tally["no"] + tally["abstain"] == len(voters) == after["ballot"]["eligibleCount"]
    counted = {"yes": 0, "no": 0, "abstain": 0}
    for r in rows:
        counted[str(r["choice"]).lower()] += 1
    assert tally == counted
    # each voter's myVote is their stored row
    for r in rows:
        mine = await kominfo.read(pid, "ballot { myVote }", r["member__username"])
        assert mine["ballot"]["myVote"] == str(r["choice"]).upper()

    history = after["history"]
    _assert_chain(history)
    voted = {e["actor"] for e in history if e["action"] == "vote_cast"}
    assert voted == set(voters)
    assert CONFLICTED not in {e["actor"] for e in history}
    assert await _db_chain_faults() == []


async def test_votes_racing_the_close_are_counted_or_refused(kominfo, token, client):
    """A vote either lands before the chair's close (and is in the stored counts) or gets VOTING_CLOSED.

    The state the proposal moves to and the stored result must agree with the stored counts,
    and the stored counts with the vote rows.
    """
    pid = await kominfo.find()
    await kominfo.drive(pid, "quick_win_approval")
    yes_first = ["sekda", "kepala.bappeda", "kepala.pupr", "kepala.dlhk"]
    tokens = {u: await token(u) for u in COUNCIL_VOTERS}
    for u in yes_first:
        status, body = await _post(client, CAST_VOTE, _vote(pid, "YES"), tokens[u])
        assert _payload(status, body, "castVote")["errors"] == []
    calls = [(u, "NO") for u in [*yes_first, "rektor.unri"]]

    close = _post(client, TRANSITION_PROPOSAL, _transition(pid, "close_vote"), tokens[CHAIR])
    results = await asyncio.gather(close, *(_post(client, CAST_VOTE, _vote(pid, c), tokens[u]) for u, c in calls))

    closed = _payload(*results[0], "transitionProposal")
    assert closed["errors"] == [], closed  # quorum was met before the race: close_vote always fires
    for status, body in results[1:]:
        p = _payload(status, body, "castVote")
        assert [e["code"] for e in p["errors"]] in ([], ["VOTING_CLOSED"], ["CONFLICT"]), p
    ballot = await Ballot.get(proposal__title="Aplikasi layanan publik daring")
    rows = await Vote.filter(ballot_id=ballot.id).values_list("choice", flat=True)
    live = {"yes": 0, "no": 0, "abstain": 0}
    for choice in rows:
        live[str(choice)] += 1
    after = await kominfo.read(pid, BALLOT_AND_HISTORY, CHAIR)
    stored = (ballot.yes_count, ballot.no_count, ballot.abstain_count)
    print("state, stored result, vote rows, stored counts:", after["state"], ballot.result, live, stored)
    assert ballot.closed_at is not None and after["ballot"]["closed"] is True
    assert stored == (live["yes"], live["no"], live["abstain"]), "a vote landed after the ballot closed"
    expected = {"implementation": "approved", "rejected": "rejected"}[after["state"]]
    assert str(ballot.result) == expected
    approved = ballot.yes_count > ballot.threshold * (ballot.yes_count + ballot.no_count)
    assert approved == (after["state"] == "implementation")
    actions = [e["action"] for e in after["history"]]
    close_at = actions.index("transition", actions.index("vote_cast"))
    assert not {"vote_cast", "vote_changed"} & set(actions[close_at:]), actions
    _assert_chain(after["history"])
    assert await _db_chain_faults() == []
