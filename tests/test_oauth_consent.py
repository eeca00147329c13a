"""Remembered consent: the consent page the first time, then straight back with the code.

Driven over HTTP in process (httpx on the ASGI app, as if from 127.0.0.1),
with the sign-in and consent forms of ``/oauth/authorize``; withdrawing
consent goes through the CLI (``council members revoke-consent``) on the same
database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from oauth_steps import (
    PASSWORDS,
    authorize_params,
    consent,
    exchange,
    pkce_pair,
    redirect_query,
    sign_in,
    web_client,
)

COUNCIL = str(Path(sys.executable).with_name("council"))
CONSENT_TITLE = "Allow access?"


class Attempt:
    """One authorization request: its URL, state, PKCE verifier, and the answer to the sign-in form."""

    def __init__(self, client_id: str, **params: str | None) -> None:
        self.client_id = client_id
        self.verifier, challenge = pkce_pair()
        self.params = authorize_params(client_id, challenge, **params)
        self.url = f"/oauth/authorize?{urlencode(self.params)}"
        self.answer: httpx.Response | None = None
        self.csrf = ""

    async def sign_in(self, http: httpx.AsyncClient, username: str = "sekda", lang: str = "en") -> httpx.Response:
        self.answer, self.csrf = await sign_in(http, self.url, username, PASSWORDS[username], lang=lang)
        return self.answer

    def shows_consent(self) -> bool:
        assert self.answer is not None
        if self.answer.status_code == 200:
            assert CONSENT_TITLE in self.answer.text or "Izinkan akses?" in self.answer.text, self.answer.text
            return True
        # Skipped: straight back to the client with a code for this request's state.
        query = redirect_query(self.answer)
        assert query.get("code") and query.get("state") == self.params["state"], query
        return False

    async def decide(self, http: httpx.AsyncClient, decision: str) -> dict[str, str]:
        assert self.answer is not None
        return redirect_query(await consent(http, self.url, self.answer, self.csrf, decision))

    async def tokens(self, http: httpx.AsyncClient, query: dict[str, str]) -> dict[str, Any]:
        """Check ``state`` and exchange the code of ``query``; the token response."""
        assert query["state"] == self.params["state"]
        response = await exchange(http, self.client_id, query["code"], self.verifier)
        assert response.status_code == 200, response.text
        return dict(response.json())


async def allowed_once(http: httpx.AsyncClient, client_id: str, username: str = "sekda", **params: str) -> None:
    first = Attempt(client_id, **params)
    await first.sign_in(http, username)
    assert first.shows_consent()
    await first.tokens(http, await first.decide(http, "allow"))


async def test_first_sign_in_shows_consent_and_the_second_skips_it(http: httpx.AsyncClient, web: str) -> None:
    first = Attempt(web)
    await first.sign_in(http)
    assert first.shows_consent()
    granted = await first.tokens(http, await first.decide(http, "allow"))
    assert granted["scope"] == "proposals:read votes:write"

    second = Attempt(web)
    answer = await second.sign_in(http)
    assert not second.shows_consent()  # straight back to the client after the password
    again = await second.tokens(http, redirect_query(answer))
    assert again["scope"] == "proposals:read votes:write"
    viewer = await http.post(
        "/graphql",
        json={"query": "{ viewer { username } }"},
        headers={"Authorization": f"Bearer {again['access_token']}"},
    )
    assert viewer.json()["data"]["viewer"] == {"username": "sekda"}


async def test_a_narrower_request_is_covered_by_an_earlier_consent(http: httpx.AsyncClient, web: str) -> None:
    await allowed_once(http, web)
    narrower = Attempt(web, scope="proposals:read")
    answer = await narrower.sign_in(http)
    assert not narrower.shows_consent()
    assert (await narrower.tokens(http, redirect_query(answer)))["scope"] == "proposals:read"


async def test_prompt_consent_shows_the_page_again(http: httpx.AsyncClient, web: str) -> None:
    await allowed_once(http, web)
    forced = Attempt(web, prompt="consent")
    await forced.sign_in(http, lang="id")
    assert forced.shows_consent()
    assert "Izinkan akses?" in forced.answer.text
    await forced.tokens(http, await forced.decide(http, "allow"))
    # other prompt values beside consent count too (space-separated, OpenID Connect Core §3.1.2.1)
    both = Attempt(web, prompt="login consent")
    await both.sign_in(http)
    assert both.shows_consent()


async def test_deny_remembers_nothing(http: httpx.AsyncClient, web: str) -> None:
    first = Attempt(web)
    await first.sign_in(http)
    assert first.shows_consent()
    denied = await first.decide(http, "deny")
    assert denied["error"] == "access_denied" and "code" not in denied

    second = Attempt(web)
    await second.sign_in(http)
    assert second.shows_consent()


async def test_a_wider_request_shows_consent_again_and_then_is_remembered(http: httpx.AsyncClient, web: str) -> None:
    await allowed_once(http, web, scope="proposals:read")
    wider = Attempt(web, scope="proposals:read votes:write")
    await wider.sign_in(http)
    assert wider.shows_consent()
    assert "<code>votes:write</code>" in wider.answer.text
    await wider.tokens(http, await wider.decide(http, "allow"))

    for scope in ("proposals:read votes:write", "votes:write", "proposals:read"):
        later = Attempt(web, scope=scope)
        await later.sign_in(http)
        assert not later.shows_consent(), scope


async def test_consent_is_per_member_and_per_client(http: httpx.AsyncClient, web: str) -> None:
    await allowed_once(http, web)
    other_member = Attempt(web, scope="proposals:read")
    await other_member.sign_in(http, "opd.kominfo")
    assert other_member.shows_consent()

    other_client = (await web_client()).client_id
    elsewhere = Attempt(other_client)
    await elsewhere.sign_in(http)
    assert elsewhere.shows_consent()


async def test_what_the_roles_drop_does_not_make_the_page_come_back(http: httpx.AsyncClient, web: str) -> None:
    """opd.kominfo asks for votes:write, which an OPD officer's roles never grant: remembered is what was granted."""
    await allowed_once(http, web, "opd.kominfo", scope="proposals:read votes:write")
    again = Attempt(web, scope="proposals:read votes:write")
    answer = await again.sign_in(http, "opd.kominfo")
    assert not again.shows_consent()
    assert (await again.tokens(http, redirect_query(answer)))["scope"] == "proposals:read"


def council(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``council`` CLI on the tests' database (conftest's COUNCIL_* environment)."""
    return subprocess.run(
        [COUNCIL, *args], capture_output=True, text=True, env=os.environ | {"COLUMNS": "200"}, timeout=120
    )


async def test_revoked_consent_shows_the_page_again_and_revokes_the_grant(http: httpx.AsyncClient, web: str) -> None:
    first = Attempt(web)
    await first.sign_in(http)
    tokens = await first.tokens(http, await first.decide(http, "allow"))

    done = council("members", "revoke-consent", "sekda", "--client", web)
    assert done.returncode == 0, done.stderr
    assert f"consent of sekda withdrawn: {web}; 1 grant(s) revoked" in done.stdout
    refreshed = await http.post(
        "/oauth/token", data={"grant_type": "refresh_token", "client_id": web, "refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"

    again = Attempt(web)
    await again.sign_in(http)
    assert again.shows_consent()
    await again.tokens(http, await again.decide(http, "allow"))
    remembered = Attempt(web)
    await remembered.sign_in(http)
    assert not remembered.shows_consent()


def test_revoke_consent_refuses_an_unknown_member_or_client() -> None:
    nobody = council("members", "revoke-consent", "hantu")
    assert nobody.returncode == 1 and "no member with username 'hantu'" in nobody.stderr
    no_client = council("members", "revoke-consent", "sekda", "--client", "tidak-ada")
    assert no_client.returncode == 1 and "no client with id 'tidak-ada'" in no_client.stderr
