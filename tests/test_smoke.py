from __future__ import annotations


async def test_anonymous_sees_no_drafts(gql):
    body = await gql("{ proposals(first: 10) { totalCount edges { node { title } } } viewer { username } }")
    assert body == {"data": {"proposals": {"totalCount": 0, "edges": []}, "viewer": None}}


async def test_officer_sees_own_drafts(gql, token):
    t = await token("opd.kominfo")
    body = await gql("{ viewer { username roles organization { code } } proposals(first: 10) { totalCount edges { node { title budget state availableTransitions organization { code } author { username } history { action hash } } } } }", token=t)
    print(body)
    assert "errors" not in body
