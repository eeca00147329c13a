"""The first requests: what an anonymous visitor and an OPD officer see of the seed."""

from __future__ import annotations

import re


async def test_anonymous_sees_no_drafts(gql):
    body = await gql("{ proposals(first: 10) { totalCount edges { node { title } } } viewer { username } }")
    assert body == {"data": {"proposals": {"totalCount": 0, "edges": []}, "viewer": None}}


async def test_officer_sees_own_drafts(gql, token):
    t = await token("opd.kominfo")
    body = await gql(
        "{ viewer { username roles organization { code } } proposals(first: 10) { totalCount edges { node { title budget state availableTransitions organization { code } author { username } history { action hash } } } } }",
        token=t,
    )
    assert "errors" not in body
    data = body["data"]
    assert data["viewer"] == {
        "username": "opd.kominfo",
        "roles": ["OPD_OFFICER"],
        "organization": {"code": "diskominfotik"},
    }
    nodes = [e["node"] for e in data["proposals"]["edges"]]
    assert data["proposals"]["totalCount"] == len(nodes) == 3
    assert {n["title"] for n in nodes} == {  # Diskominfotik's drafts in the seed, and no other OPD's
        "Aplikasi layanan publik daring",
        "Kartu pintar Pekanbaru (smart card)",
        "Peningkatan SDM dan literasi digital",
    }
    for n in nodes:
        assert (n["state"], n["availableTransitions"]) == ("draft", ["submit", "withdraw"]), n
        assert n["organization"] == {"code": "diskominfotik"} and n["author"] == {"username": "opd.kominfo"}, n
        assert [h["action"] for h in n["history"]] == ["created"], n
        assert re.fullmatch("[0-9a-f]{64}", n["history"][0]["hash"]), n
        assert int(n["budget"]) > 0, n
