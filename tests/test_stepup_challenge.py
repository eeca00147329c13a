"""Step-up for deliberate acts: ``require_recent_authentication``, ``REAUTHENTICATION_REQUIRED`` and RFC 9470's challenge.

No mutation of the real schema asks for a recent password yet (signing the
commitment will), so the mapping is exercised through a schema made for this
test with the public recipe (:func:`council.api.mutations.mutation_recipe`),
served by the app's own GraphQL view behind its auth gate, over HTTP. Its
tokens come from ``council token`` (``--auth-age``) and from the real OAuth
flow. ``castVote`` is shown not to ask for it.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from oauth_steps import authorization_code, browser_for, exchange
from paths import Paths, operation, voters

from council.api.context import Context
from council.api.errors import UserError
from council.api.mutations import mutation_recipe
from council.app import AuthGate, CouncilGraphQL
from council.auth.principal import Principal
from council.auth.stepup import ReauthenticationRequired, challenge, require_recent_authentication
from council.errors import DomainError, ErrorCode

COUNCIL = str(Path(sys.executable).with_name("council"))
CHALLENGE = (
    'Bearer error="insufficient_user_authentication", '
    'error_description="A more recent authentication is required", max_age=600'
)
SIGN = "mutation { sign { signed errors { code field message } } }"


@strawberry.type
class SignPayload:
    signed: bool | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    ping: bool = True


@strawberry.type
class Mutation:
    @strawberry.mutation
    @mutation_recipe(SignPayload)
    async def sign(self, info: strawberry.Info[Context, None]) -> SignPayload:
        require_recent_authentication(info.context.principal)
        return SignPayload(signed=True)

    @strawberry.mutation
    @mutation_recipe(SignPayload)
    async def sign_within_a_minute(self, info: strawberry.Info[Context, None]) -> SignPayload:
        require_recent_authentication(info.context.principal, max_age=60)
        return SignPayload(signed=True)


@pytest.fixture
async def deliberate(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the test schema, behind the app's auth gate (``app`` set up the database and keys)."""
    view = AuthGate(CouncilGraphQL(strawberry.Schema(query=Query, mutation=Mutation)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=view), base_url="http://127.0.0.1:8000") as c:
        yield c


def council(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``council`` CLI on the tests' database (conftest's COUNCIL_* environment)."""
    return subprocess.run(
        [COUNCIL, *args], capture_output=True, text=True, env=os.environ | {"COLUMNS": "200"}, timeout=120
    )


def cli_token(username: str, *args: str) -> str:
    done = council("token", username, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def post(client: httpx.AsyncClient, query: str, token: str | None = None, lang: str = "en") -> httpx.Response:
    headers = {"Accept-Language": lang} | ({"Authorization": f"Bearer {token}"} if token else {})
    return await client.post("/graphql", json={"query": query}, headers=headers)


def test_council_token_carries_auth_time_and_sets_it_in_the_past() -> None:
    before = int(time.time())
    fresh = claims(cli_token("sekda"))
    assert before <= fresh["auth_time"] <= int(time.time())

    done = council("token", "sekda", "--auth-age", "3600")
    assert done.returncode == 0, done.stderr
    old = claims(done.stdout.strip())
    assert before - 3600 <= old["auth_time"] <= int(time.time()) - 3600
    assert old["iat"] - old["auth_time"] == 3600
    assert "auth_time:" in done.stderr and "(3600 s ago)" in done.stderr

    for bad in ("-1", str(31 * 86400)):
        refused = council("token", "sekda", "--auth-age", bad)
        assert refused.returncode == 1 and "--auth-age must be from 0" in refused.stderr, refused.stderr


async def test_a_stale_sign_in_gets_the_payload_error_and_the_challenge(deliberate: httpx.AsyncClient) -> None:
    stale = cli_token("sekda", "--auth-age", "3600")
    response = await post(deliberate, SIGN, stale)
    # 200: the token is valid and the answer is a GraphQL payload (see council.auth.stepup)
    assert response.status_code == 200, response.text
    assert response.headers["www-authenticate"] == CHALLENGE
    payload = response.json()["data"]["sign"]
    assert payload["signed"] is None
    assert payload["errors"] == [
        {
            "code": "REAUTHENTICATION_REQUIRED",
            "field": None,
            "message": "Enter your password again: this needs a sign-in within the last 10 minutes",
        }
    ]
    in_indonesian = (await post(deliberate, SIGN, stale, lang="id")).json()["data"]["sign"]["errors"][0]
    assert in_indonesian["message"].startswith("Masukkan kata sandi Anda lagi")

    # a narrower max_age is told in the challenge
    response = await post(deliberate, "mutation { signWithinAMinute { signed errors { code } } }", stale)
    assert response.headers["www-authenticate"].endswith(", max_age=60")


async def test_a_recent_sign_in_passes_without_a_challenge(deliberate: httpx.AsyncClient) -> None:
    for token in (cli_token("sekda"), cli_token("sekda", "--auth-age", "300")):
        response = await post(deliberate, SIGN, token)
        assert response.status_code == 200
        assert "www-authenticate" not in response.headers
        assert response.json()["data"]["sign"] == {"signed": True, "errors": []}


async def test_a_token_from_the_oauth_flow_passes_and_one_without_auth_time_does_not(
    app: Any, web: str, deliberate: httpx.AsyncClient, token: Callable[..., Any]
) -> None:
    async with browser_for(app) as browser:
        code, verifier = await authorization_code(browser, web, "sekda")
        tokens = (await exchange(browser, web, code, verifier)).json()
    assert (await post(deliberate, SIGN, tokens["access_token"])).json()["data"]["sign"]["signed"] is True

    # a token without auth_time (issued before it existed; conftest's tokens are such) must step up
    old_style = await token("sekda")
    assert "auth_time" not in claims(old_style)
    response = await post(deliberate, SIGN, old_style)
    assert response.headers["www-authenticate"] == CHALLENGE
    assert response.json()["data"]["sign"]["errors"][0]["code"] == "REAUTHENTICATION_REQUIRED"


async def test_anonymous_is_unauthenticated_not_a_challenge(deliberate: httpx.AsyncClient) -> None:
    response = await post(deliberate, SIGN)
    assert "www-authenticate" not in response.headers
    assert response.json()["data"]["sign"]["errors"][0]["code"] == "UNAUTHENTICATED"


def test_require_recent_authentication_rules() -> None:
    now = datetime.now(UTC)
    member = Principal(member_id=1, username="sekda", auth_time=now - timedelta(seconds=599))
    require_recent_authentication(member)  # the default, COUNCIL_STEP_UP_MAX_AGE = 600
    require_recent_authentication(member, max_age=600)
    with pytest.raises(ReauthenticationRequired) as raised:
        require_recent_authentication(member, max_age=300)
    assert raised.value.code is ErrorCode.REAUTHENTICATION_REQUIRED and raised.value.max_age == 300
    assert isinstance(raised.value, DomainError)
    with pytest.raises(ReauthenticationRequired):
        require_recent_authentication(Principal(member_id=1, username="sekda"))  # no auth_time: a machine, the CLI
    with pytest.raises(DomainError) as anonymous:
        require_recent_authentication(Principal())
    assert anonymous.value.code is ErrorCode.UNAUTHENTICATED
    with pytest.raises(ValueError):
        require_recent_authentication(member, max_age=0)
    assert challenge(600) == CHALLENGE


async def test_cast_vote_does_not_ask_for_a_recent_sign_in(p: Paths, client: httpx.AsyncClient) -> None:
    pid = await p.at("quick_win_approval")
    voter = voters()[0]
    stale = cli_token(voter, "--auth-age", "3600")
    response = await client.post(
        "/graphql",
        json={"query": operation("CastVote"), "variables": {"input": {"proposalId": pid, "choice": "YES"}}},
        headers={"Authorization": f"Bearer {stale}"},
    )
    assert "www-authenticate" not in response.headers
    assert response.json()["data"]["castVote"]["errors"] == []
