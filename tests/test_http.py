"""HTTP-level rules of the GraphQL endpoint (DESIGN.md, "GraphQL limits")."""

from __future__ import annotations

import json


async def test_no_mutation_over_get(client):
    query = 'mutation { castVote(input: {proposalId: "x", choice: YES}) { errors { code } } }'
    response = await client.get("/graphql", params={"query": query}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "mutations are not allowed" in response.text


async def test_queries_over_get_work(client):
    response = await client.get(
        "/graphql", params={"query": "{ pillars { code } }"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert len(response.json()["data"]["pillars"]) == 6


async def test_simple_content_types_are_refused(client):
    body = json.dumps({"query": "{ pillars { code } }"})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = await client.post("/graphql", content=body, headers={"Content-Type": content_type})
        assert response.status_code in (400, 415), (content_type, response.status_code)


async def test_alias_limit(gql):
    ok = "{ " + " ".join(f"a{i}: pillars {{ code }}" for i in range(30)) + " }"
    assert "errors" not in await gql(ok)
    too_many = "{ " + " ".join(f"a{i}: pillars {{ code }}" for i in range(31)) + " }"
    body = await gql(too_many)
    assert body["data"] is None and "aliases" in body["errors"][0]["message"]


async def test_page_size_is_capped(gql, token):
    from council.auth.principal import Principal
    from council.auth.scopes import scopes_for_roles
    from council.organizations.models import Member
    from council.proposals.service import create_proposal

    officer = await Member.get(username="opd.kominfo")
    actor = Principal(
        member_id=officer.id,
        username=officer.username,
        organization_id=officer.organization_id,
        roles=frozenset(officer.roles),
        scopes=scopes_for_roles(officer.roles),
    )
    for i in range(100):
        await create_proposal(actor, title=f"Usulan {i}", summary="Ringkasan", pillar="smart_people", budget=i)
    body = await gql(
        "{ proposals(first: 100000) { totalCount edges { cursor } pageInfo { hasNextPage } } }",
        token=await token("opd.kominfo"),
    )
    page = body["data"]["proposals"]
    assert page["totalCount"] == 103
    assert len(page["edges"]) == 100
    assert page["pageInfo"]["hasNextPage"] is True


async def test_cursor_pagination_walks_every_readable_proposal_once(gql, token):
    t = await token("opd.kominfo")
    seen, after = [], None
    while True:
        body = await gql(
            "query($after: String) { proposals(first: 2, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
            token=t,
        )
        page = body["data"]["proposals"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] == 3


async def test_malformed_cursor_is_a_client_error_not_a_500(gql):
    body = await gql('{ proposals(first: 2, after: "not-a-cursor") { totalCount } }')
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "after"}
    assert error["message"] == "Malformed ID 'not-a-cursor'"


async def test_graphiql_in_development_mode(client):
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_jwks_publishes_only_public_keys(client, token):
    await token("admin")
    keys = (await client.get("/.well-known/jwks.json")).json()["keys"]
    assert keys and all("d" not in k and k["kty"] == "EC" for k in keys)
