"""Subscriptions over websockets against the app served by uvicorn on loopback, in this process.

The server shares the session's app (and so its database and in-memory
broadcaster) with the ``gql`` fixture: votes go over HTTP through ``gql``,
tallies come back over ``graphql-transport-ws``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ballots import workflow_variant
from paths import OWNER_ORG, Paths, actor_for, representative, voters
from ws_client import EVENTS, TALLY, ConnectionRefused, LiveClient

from council.api.live import MAX_SUBSCRIPTIONS

VOTERS = voters(OWNER_ORG)
CHAIR = representative("council_chair")


@pytest.fixture
def hidden_tally(tmp_path: Path) -> Iterator[None]:
    """New proposals start on a quick-win variant whose ballot hides its tally."""
    with workflow_variant(tmp_path / "workflows", vote={"hide_tally": True}):
        yield


async def tallies_until(live: LiveClient, sub_id: str, done: Any) -> list[dict[str, Any]]:
    """``voteTally`` messages of ``sub_id`` up to the first for which ``done(ballot)`` holds."""
    seen = []
    while True:
        ballot = (await live.data(sub_id))["voteTally"]
        seen.append(ballot)
        if done(ballot):
            return seen


async def test_a_subscriber_sees_each_vote_and_the_close(ws_url: str, p: Paths, token: Any) -> None:
    pid = await p.at("quick_win_approval")
    async with LiveClient.connect(ws_url, {"Authorization": f"Bearer {await token(VOTERS[0])}"}) as live:
        await live.subscribe("t", TALLY, {"id": pid})
        first = (await live.data("t"))["voteTally"]
        assert (first["votesCast"], first["tally"], first["closed"]) == (0, {"yes": 0, "no": 0, "abstain": 0}, False)

        for voter, choice in zip(VOTERS[:4], ["YES", "YES", "NO", "YES"], strict=True):
            await p.vote(pid, voter, choice)
        seen = await tallies_until(live, "t", lambda b: b["votesCast"] == 4)
        assert seen[-1]["tally"] == {"yes": 3, "no": 1, "abstain": 0}
        assert [b["votesCast"] for b in seen] == sorted({b["votesCast"] for b in seen})  # each change once, in order

        assert (await p.transition(pid, "close_vote", CHAIR))["errors"] == []
        closed = await tallies_until(live, "t", lambda b: b["closed"])
        assert (closed[-1]["result"], closed[-1]["tally"]) == ("APPROVED", {"yes": 3, "no": 1, "abstain": 0})


async def test_audit_events_arrive_as_they_are_appended(ws_url: str, p: Paths, token: Any) -> None:
    pid = await p.at("quick_win_approval")
    async with LiveClient.connect(ws_url, {"token": await token(VOTERS[0])}) as live:
        await live.subscribe("one", EVENTS, {"id": pid})
        await live.subscribe("all", EVENTS, {})
        await live.subscribe("t", TALLY, {"id": pid})  # its first message: the two above are listening
        await live.data("t")
        await p.vote(pid, VOTERS[1], "NO")
        withdraw = next(t for t in p.definition.transitions if t.trigger == "withdraw")
        assert (await p.transition(pid, "withdraw", actor_for(withdraw), "Ditarik."))["errors"] == []
        for sub_id in ("one", "all"):
            got = [(await live.data(sub_id))["proposalEvents"] for _ in range(2)]
            assert {g["proposalId"] for g in got} == {pid}
            assert [g["event"]["action"] for g in got] == ["vote_cast", "transition"]
            assert got[0]["event"]["data"]["choice"] == "no" and got[1]["event"]["toState"] == withdraw.dest
            assert got[1]["event"]["seq"] == got[0]["event"]["seq"] + 1


async def test_a_bad_token_is_refused_at_connection_init(ws_url: str) -> None:
    for payload in (
        {"Authorization": "Bearer not.a.token"},
        {"token": "garbage"},
        {"Authorization": "Basic x"},
        {"Authorization": 42},
    ):
        with pytest.raises(ConnectionRefused) as refused:
            async with LiveClient.connect(ws_url, payload):
                pass
        assert refused.value.code == 4403, payload


async def test_the_socket_closes_when_the_token_expires(ws_url: str, p: Paths, token: Any) -> None:
    pid = await p.at("quick_win_approval")
    async with LiveClient.connect(ws_url, {"token": await token(VOTERS[0], ttl=2)}) as live:
        await live.subscribe("t", TALLY, {"id": pid})
        assert (await live.data("t"))["voteTally"]["votesCast"] == 0
        assert await asyncio.wait_for(live.closed, 10) == 4401


async def test_anonymous_watches_published_proposals_only(ws_url: str, p: Paths, token: Any) -> None:
    draft = await p.new_proposal()
    voting = await p.at("quick_win_approval")
    async with LiveClient.connect(ws_url) as live:  # no token: anonymous
        await live.subscribe("draft", TALLY, {"id": draft})
        refused = await live.next("draft")
        assert refused["type"] == "next" and refused["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        await live.subscribe("draft-events", EVENTS, {"id": draft})
        assert (await live.next("draft-events"))["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"

        await live.subscribe("all", EVENTS, {})
        await live.subscribe("voting", TALLY, {"id": voting})
        assert (await live.data("voting"))["voteTally"]["votesCast"] == 0
        assert (await p.transition(draft, "submit", p.officer))["errors"] == []  # not published: not shown
        await p.vote(voting, VOTERS[0], "YES")
        assert (await live.data("voting"))["voteTally"]["tally"]["yes"] == 1
        only = (await live.data("all"))["proposalEvents"]
        assert (only["proposalId"], only["event"]["action"]) == (voting, "vote_cast")
        assert live.queues["all"].empty()


async def test_a_hidden_tally_is_not_leaked(ws_url: str, p: Paths, token: Any, hidden_tally: None) -> None:
    pid = await p.at("quick_win_approval")
    async with LiveClient.connect(ws_url, {"token": await token(CHAIR)}) as live:
        await live.subscribe("e", EVENTS, {"id": pid})
        await live.subscribe("t", TALLY, {"id": pid})
        assert (await live.data("t"))["voteTally"]["tally"] is None
        for voter, choice in zip(VOTERS[:4], ["YES", "NO", "YES", "ABSTAIN"], strict=True):
            await p.vote(pid, voter, choice)
        seen = await tallies_until(live, "t", lambda b: b["votesCast"] == 4)
        assert all(b["tally"] is None and b["hideTally"] for b in seen), seen
        votes = [(await live.data("e"))["proposalEvents"]["event"] for _ in range(4)]
        assert all(set(e["data"]) == {"ballot"} for e in votes), votes

        assert (await p.transition(pid, "close_vote", CHAIR))["errors"] == []
        closed = await tallies_until(live, "t", lambda b: b["closed"])
        assert closed[-1]["tally"] == {"yes": 2, "no": 1, "abstain": 1}


async def test_subscriptions_per_connection_are_capped(ws_url: str, p: Paths, token: Any) -> None:
    pid = await p.at("quick_win_approval")
    async with LiveClient.connect(ws_url, {"token": await token(VOTERS[0])}) as live:
        for n in range(MAX_SUBSCRIPTIONS):
            await live.subscribe(str(n), TALLY, {"id": pid})
        for n in range(MAX_SUBSCRIPTIONS):
            assert (await live.data(str(n)))["voteTally"]["votesCast"] == 0
        await live.subscribe("one-too-many", TALLY, {"id": pid})
        refused = await live.next("one-too-many")
        assert refused["type"] == "error" and "limit" in refused["payload"][0]["message"]
        await live.complete("0")  # one ends: room for another
        await asyncio.sleep(0.2)
        await live.subscribe("again", TALLY, {"id": pid})
        assert (await live.data("again"))["voteTally"]["votesCast"] == 0


UPDATE = """
mutation($input: UpdateProposalInput!) { updateProposal(input: $input) { errors { code field } } }"""


async def test_a_refused_write_announces_nothing(ws_url: str, p: Paths, token: Any) -> None:
    """The write recipe publishes after the commit only: a write refused in its body (a title the OPD
    already uses, caught by the database) leaves no event for subscribers and none in the chain."""
    await p.new_proposal(title="Judul yang sudah dipakai")
    pid = await p.new_proposal(title="Judul awal")

    async def update(title: str) -> list[tuple[str, str]]:
        payload = await p.mutate(UPDATE, "updateProposal", {"proposalId": pid, "title": title}, p.officer)
        return [(e["code"], e["field"]) for e in payload["errors"]]

    async with LiveClient.connect(ws_url, {"token": await token(p.officer)}) as live:
        await live.subscribe("one", EVENTS, {"id": pid})
        seen: list[dict[str, Any]] = []
        for attempt in range(50):  # until the subscription listens: an event arrives
            assert await update(f"Judul percobaan {attempt}") == []
            with contextlib.suppress(TimeoutError):
                seen.append((await live.data("one", timeout=0.2))["proposalEvents"]["event"])
                break
        assert seen, "the subscription never listened"
        assert await update("Judul yang sudah dipakai") == [("INVALID_INPUT", "title")]
        assert await update("Judul kedua") == []
        while seen[-1]["data"].get("title") != "Judul kedua":
            seen.append((await live.data("one"))["proposalEvents"]["event"])
    assert all(e["action"] == "updated" for e in seen), seen
    assert "Judul yang sudah dipakai" not in [e["data"].get("title") for e in seen]
    assert [e["seq"] for e in seen] == list(range(seen[0]["seq"], seen[-1]["seq"] + 1))
    history = (await p.snapshot(pid))["history"]
    assert len(history) == seen[-1]["seq"] and history[-1]["action"] == "updated"
