"""Trusting an external OpenID Connect provider, simulated here with its own keys and a JWKS on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from council.settings import get_settings

ISSUER = "https://sso.pekanbaru.go.id/realms/pemkot"
AUDIENCE = "council-api"
QUERY = "{ viewer { username roles organization { code } } }"
PROVIDER_KEY, FOREIGN_KEY, ROTATED_KEY = (RSAKey.generate_key(2048, auto_kid=True) for _ in range(3))


class Provider:
    """An identity provider: signs tokens with its RSA key, serves the public JWKS over HTTP."""

    def __init__(self) -> None:
        self.key = PROVIDER_KEY
        self.published = [self.key]
        self.jwks_requests = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.jwks_requests += 1
                body = json.dumps({"keys": [k.as_dict(private=False) for k in provider.published]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/protocol/openid-connect/certs"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def token(self, key: Any = None, alg: str = "RS256", **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": [AUDIENCE, "account"],
            "sub": "f3c1-77",
            "exp": now + 300,
            "iat": now,
            "preferred_username": "sekda",
            "roles": ["dewan-smart-city", "offline_access"],
            "scope": "openid profile",
            "jti": "ext-1",
        } | overrides
        key = key or self.key
        header = {"alg": alg} | ({"kid": key.kid} if getattr(key, "kid", None) else {})
        return jwt.encode(header, {k: v for k, v in claims.items() if v is not None}, key, algorithms=[alg])


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    p = Provider()
    monkeypatch.setenv("COUNCIL_EXTERNAL_ISSUER", ISSUER)
    monkeypatch.setenv("COUNCIL_EXTERNAL_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("COUNCIL_EXTERNAL_JWKS_URL", p.url)
    monkeypatch.setenv(
        "COUNCIL_EXTERNAL_ROLE_MAP", json.dumps({"dewan-smart-city": "council_member", "opd": "opd_officer"})
    )
    get_settings.cache_clear()
    yield p
    p.server.shutdown()
    p.server.server_close()
    monkeypatch.undo()
    get_settings.cache_clear()


async def post(client: Any, token: str, query: str = QUERY, variables: dict | None = None) -> Any:
    return await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers={"Authorization": f"Bearer {token}"}
    )


async def test_a_provider_token_acts_as_the_member_with_mapped_roles(client: Any, provider: Provider) -> None:
    response = await post(client, provider.token())
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"] == {
        "username": "sekda",
        "roles": ["COUNCIL_MEMBER"],
        "organization": {"code": "setda"},
    }


async def test_mapped_roles_decide_what_the_member_may_do(client: Any, provider: Provider) -> None:
    create = 'mutation { createProposal(input: {title: "Uji SSO", summary: "Ringkasan", pillar: "smart_people", budget: "1"}) { errors { code } } }'
    refused = await post(client, provider.token(), create)
    assert refused.json()["data"]["createProposal"]["errors"] == [{"code": "FORBIDDEN"}]
    officer = provider.token(
        preferred_username="opd.kominfo", roles=["opd"], scope="openid proposals:read proposals:write"
    )
    created = await post(client, officer, create)
    assert created.json()["data"]["createProposal"]["errors"] == []


async def test_council_scopes_in_the_token_narrow_the_grant(client: Any, provider: Provider) -> None:
    officer = provider.token(preferred_username="opd.kominfo", roles=["opd"], scope="openid proposals:read")
    create = 'mutation { createProposal(input: {title: "Uji", summary: "R", pillar: "smart_people", budget: "1"}) { errors { code message } } }'
    body = (await post(client, officer, create)).json()
    assert body["data"]["createProposal"]["errors"][0]["code"] == "FORBIDDEN"
    assert "proposals:write" in body["data"]["createProposal"]["errors"][0]["message"]


@pytest.mark.parametrize(
    "case, reason",
    [
        ("wrong_audience", "invalid claim: aud"),
        ("expired", "token expired"),
        ("unknown_member", "unknown or inactive member"),
        ("no_mapped_role", "maps to no Council role"),
        ("foreign_key", "unknown key id"),
        ("hs256", "algorithm 'HS256' is not accepted"),
        ("tampered", "bad signature"),
    ],
)
async def test_bad_provider_tokens_are_refused(client: Any, provider: Provider, case: str, reason: str) -> None:
    now = int(time.time())
    tokens = {
        "wrong_audience": lambda: provider.token(aud="another-api"),
        "expired": lambda: provider.token(exp=now - 120, iat=now - 600),
        "unknown_member": lambda: provider.token(preferred_username="bukan.anggota"),
        "no_mapped_role": lambda: provider.token(roles=["offline_access"]),
        "foreign_key": lambda: provider.token(key=FOREIGN_KEY),
        "hs256": lambda: provider.token(key=OctKey.import_key(b"x" * 32), alg="HS256"),
        "tampered": lambda: _tamper(provider.token()),
    }
    response = await post(client, tokens[case]())
    assert response.status_code == 401
    assert reason in response.headers["www-authenticate"]
    assert "data" not in response.json() or not response.json().get("data")


async def test_rotated_provider_keys_are_fetched_again(client: Any, provider: Provider) -> None:
    assert (await post(client, provider.token())).status_code == 200
    fetched = provider.jwks_requests
    new_key = ROTATED_KEY
    provider.published = [new_key, provider.key]
    from council.auth import external

    issuer = external.external_issuer()
    assert issuer is not None
    issuer._fetched_at -= external.JWKS_REFETCH_MIN + 1  # the last fetch is older than the refetch floor
    response = await post(client, provider.token(key=new_key))
    assert response.status_code == 200, response.text
    assert provider.jwks_requests == fetched + 1


async def test_our_own_tokens_still_work_beside_the_provider(gql: Any, token: Any, provider: Provider) -> None:
    body = await gql(QUERY, token=await token("walikota"))
    assert body["data"]["viewer"]["roles"] == ["COUNCIL_CHAIR"]


def _tamper(token: str) -> str:
    import base64

    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["roles"] = ["dewan-smart-city", "opd"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"
