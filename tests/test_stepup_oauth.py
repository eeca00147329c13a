"""``auth_time`` through the real OAuth flows: set by the password, kept by refresh and ``prompt=none``.

Driven over HTTP in process (httpx on the ASGI app, as if from 127.0.0.1,
keeping cookies like a browser) with the sign-in and consent forms of
``/oauth/authorize``, code + PKCE, and the token endpoint. The test moves
the services' clock (:class:`ballots.FakeClock`) instead of sleeping, so a
later sign-in has a later ``auth_time`` by a known amount. Claims are read
from the JWT's payload as any client would (base64url JSON).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from ballots import FakeClock
from oauth_steps import (
    PASSWORDS,
    authorize_params,
    consent,
    exchange,
    machine_client,
    pkce_pair,
    redirect_query,
    sign_in,
)

from council import clock as council_clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    fake = FakeClock()
    monkeypatch.setattr(council_clock, "now", fake.now)
    yield fake


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def epoch(fake: FakeClock) -> int:
    return int(fake.current.timestamp())


class Attempt:
    """One authorization request of the web client: its URL, state and PKCE verifier."""

    def __init__(self, client_id: str, **params: str | None) -> None:
        self.client_id = client_id
        self.verifier, challenge = pkce_pair()
        self.params = authorize_params(client_id, challenge, **params)
        self.url = f"/oauth/authorize?{urlencode(self.params)}"

    async def interactive(self, http: httpx.AsyncClient, username: str = "sekda") -> dict[str, Any]:
        """The sign-in form (it must be shown), the password, consent if asked; the token response."""
        answer, csrf = await sign_in(http, self.url, username, PASSWORDS[username])
        if answer.status_code == 200:
            answer = await consent(http, self.url, answer, csrf, "allow")
        return await self.tokens(http, redirect_query(answer))

    async def silent(self, http: httpx.AsyncClient) -> dict[str, str]:
        """GET the URL (``prompt=none``): it must answer with a redirect at once, never a page."""
        answer = await http.get(self.url)
        query = redirect_query(answer)
        assert query["state"] == self.params["state"], query
        return query

    async def tokens(self, http: httpx.AsyncClient, query: dict[str, str]) -> dict[str, Any]:
        assert query["state"] == self.params["state"] and "code" in query, query
        response = await exchange(http, self.client_id, query["code"], self.verifier)
        assert response.status_code == 200, response.text
        return dict(response.json())


async def refresh(http: httpx.AsyncClient, client_id: str, refresh_token: str) -> dict[str, Any]:
    response = await http.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_the_password_sets_auth_time_and_refresh_keeps_it(
    http: httpx.AsyncClient, web: str, clock: FakeClock
) -> None:
    signed_at = epoch(clock)
    first = await Attempt(web).interactive(http)
    assert claims(first["access_token"])["auth_time"] == signed_at

    clock.advance(minutes=7)
    second = await refresh(http, web, first["refresh_token"])
    clock.advance(minutes=7)
    third = await refresh(http, web, second["refresh_token"])
    for refreshed in (second, third):
        body = claims(refreshed["access_token"])
        assert body["auth_time"] == signed_at  # the original password, however many rotations
        assert body["iat"] > signed_at
    # the API reads it: the viewer is signed in with that token
    viewer = await http.post(
        "/graphql",
        json={"query": "{ viewer { username } }"},
        headers={"Authorization": f"Bearer {third['access_token']}"},
    )
    assert viewer.json()["data"]["viewer"] == {"username": "sekda"}


async def test_prompt_none_reuses_the_sign_in_and_its_auth_time(
    http: httpx.AsyncClient, web: str, clock: FakeClock
) -> None:
    signed_at = epoch(clock)
    await Attempt(web).interactive(http)
    clock.advance(minutes=5)

    silent = Attempt(web, prompt="none")
    tokens = await silent.tokens(http, await silent.silent(http))
    assert claims(tokens["access_token"])["auth_time"] == signed_at
    refreshed = await refresh(http, web, tokens["refresh_token"])
    assert claims(refreshed["access_token"])["auth_time"] == signed_at

    recent_enough = Attempt(web, prompt="none", max_age="300")
    tokens = await recent_enough.tokens(http, await recent_enough.silent(http))
    assert claims(tokens["access_token"])["auth_time"] == signed_at
    too_old = await Attempt(web, prompt="none", max_age="299").silent(http)
    assert too_old["error"] == "login_required" and "code" not in too_old


async def test_prompt_none_without_a_sign_in_or_a_consent_answers_an_error(
    http: httpx.AsyncClient, web: str, clock: FakeClock
) -> None:
    assert (await Attempt(web, prompt="none").silent(http))["error"] == "login_required"

    # a password but no Allow yet: signed in, but the scopes were never allowed
    attempt = Attempt(web)
    answer, _ = await sign_in(http, attempt.url, "sekda", PASSWORDS["sekda"])
    assert answer.status_code == 200  # the consent page, left unanswered
    assert (await Attempt(web, prompt="none").silent(http))["error"] == "consent_required"

    # the session ends SESSION_TTL after the password
    clock.advance(hours=9)
    assert (await Attempt(web, prompt="none").silent(http))["error"] == "login_required"


async def test_bad_prompt_or_max_age_is_invalid_request(http: httpx.AsyncClient, web: str) -> None:
    for params in ({"prompt": "none login"}, {"max_age": "-1"}, {"max_age": "ten"}, {"max_age": "1e3"}):
        answer = await http.get(Attempt(web, **params).url)
        query = redirect_query(answer)
        assert query["error"] == "invalid_request", (params, query)


@pytest.mark.parametrize("params", [{"max_age": "0"}, {"prompt": "login"}, {"max_age": "60", "prompt": "login"}])
async def test_max_age_and_prompt_login_ask_the_password_again(
    http: httpx.AsyncClient, web: str, clock: FakeClock, params: dict[str, str]
) -> None:
    first_at = epoch(clock)
    first = await Attempt(web).interactive(http)
    assert claims(first["access_token"])["auth_time"] == first_at
    clock.advance(minutes=20)

    again = Attempt(web, **params)
    page = await http.get(again.url)
    assert page.status_code == 200 and 'name="password"' in page.text  # the sign-in form, not a redirect
    second_at = epoch(clock)
    tokens = await again.interactive(http)
    assert claims(tokens["access_token"])["auth_time"] == second_at > first_at

    # the sign-in session now holds the new time too
    silent = Attempt(web, prompt="none", max_age="60")
    tokens = await silent.tokens(http, await silent.silent(http))
    assert claims(tokens["access_token"])["auth_time"] == second_at


async def test_auth_time_survives_the_consent_page(http: httpx.AsyncClient, web: str, clock: FakeClock) -> None:
    attempt = Attempt(web, prompt="consent")
    answer, csrf = await sign_in(http, attempt.url, "sekda", PASSWORDS["sekda"])
    signed_at = epoch(clock)
    clock.advance(seconds=90)  # reading the consent page
    allowed = await consent(http, attempt.url, answer, csrf, "allow")
    tokens = await attempt.tokens(http, redirect_query(allowed))
    assert claims(tokens["access_token"])["auth_time"] == signed_at


async def test_machine_clients_get_no_auth_time(http: httpx.AsyncClient) -> None:
    client = await machine_client()
    assert client.client_secret is not None
    response = await http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, client.client_secret)
    )
    assert response.status_code == 200, response.text
    body = claims(response.json()["access_token"])
    assert body["sub"] and "auth_time" not in body
