"""Steps of the OAuth flows for tests: clients, passwords, PKCE pairs, the sign-in and consent forms.

The browser part (sign-in form, consent form) is driven with httpx against
whatever base URL the given client has (in-process ASGI or a server on
loopback); the OAuth client part is left to the tests, which use
requests-oauthlib (an independent client library) or plain HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from council.oauth2.service import NewClient, create_client
from council.organizations.service import set_password

REDIRECT = "http://127.0.0.1:8123/callback"
"""The web client's registered redirect URI (nothing listens there: tests read ``Location``)."""
PASSWORDS = {"sekda": "rahasia-dewan-2018", "opd.kominfo": "rahasia-opd-2018"}


def browser_for(app: Any, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """An httpx client (and browser: it keeps cookies) on the ASGI ``app``, as if from ``address``.

    The base URL is the default issuer's, a loopback http URL that authlib accepts.
    """
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")


async def web_client(*, scopes: list[str] | None = None, redirect: str = REDIRECT) -> NewClient:
    """A public web client of Diskominfotik with ``redirect`` as its only redirect URI."""
    return await create_client(
        name="Council web",
        organization="diskominfotik",
        client_type="public",
        redirect_uris=[redirect],
        scopes=scopes or [],
    )


async def machine_client(organization: str = "unri") -> NewClient:
    """A university's confidential machine client (client credentials, acting as a service member)."""
    return await create_client(
        name=f"Reviews from {organization}",
        organization=organization,
        client_type="confidential",
        redirect_uris=[],
        scopes=[],
    )


async def with_password(username: str) -> str:
    """Set the member's test password (argon2id); return it."""
    await set_password(username, PASSWORDS[username])
    return PASSWORDS[username]


def pkce_pair() -> tuple[str, str]:
    """``(code_verifier, S256 code_challenge)`` per RFC 7636 §4.1-4.2."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(client_id: str, challenge: str | None, **extra: str | None) -> dict[str, str]:
    """The query of an authorization request (RFC 6749 §4.1.1); ``None`` in ``extra`` drops a parameter."""
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "proposals:read votes:write",
        "state": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def hidden(page: str, name: str) -> str:
    """The value of the hidden form field ``name`` in an HTML page."""
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert match, f"no field {name!r} in page:\n{page}"
    return match.group(1).replace("&amp;", "&")


def redirect_query(response: httpx.Response) -> dict[str, str]:
    """The query parameters of a 302 answer's ``Location``."""
    assert response.status_code == 302, (response.status_code, response.text)
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


async def sign_in(
    browser: httpx.AsyncClient, url: str, username: str, password: str, *, lang: str = "en"
) -> tuple[httpx.Response, str]:
    """GET the authorization URL, then POST the sign-in form; return (the answer, the CSRF token)."""
    headers = {"Accept-Language": lang}
    page = await browser.get(url, headers=headers)
    assert page.status_code == 200, page.text
    csrf = hidden(page.text, "csrf_token")
    answer = await browser.post(
        url,
        data={"csrf_token": csrf, "step": "sign_in", "username": username, "password": password},
        headers=headers,
    )
    return answer, csrf


async def consent(
    browser: httpx.AsyncClient, url: str, page: httpx.Response, csrf: str, decision: str = "allow"
) -> httpx.Response:
    """POST the consent form of ``page`` with ``decision`` (``allow`` or ``deny``)."""
    assert page.status_code == 200, page.text
    return await browser.post(
        url, data={"csrf_token": csrf, "step": "consent", "ticket": hidden(page.text, "ticket"), "decision": decision}
    )


async def authorization_code(
    browser: httpx.AsyncClient, client_id: str, username: str, *, scope: str = "proposals:read votes:write"
) -> tuple[str, str]:
    """Run sign-in and consent for ``username``; return ``(code, code_verifier)``.

    The consent page is skipped (the sign-in answers the redirect) when the
    member allowed the client these scopes before.
    """
    verifier, challenge = pkce_pair()
    params = authorize_params(client_id, challenge, scope=scope)
    url = f"/oauth/authorize?{urlencode(params)}"
    page, csrf = await sign_in(browser, url, username, PASSWORDS[username])
    query = redirect_query(page if page.status_code == 302 else await consent(browser, url, page, csrf))
    assert query["state"] == params["state"]
    return query["code"], verifier


async def exchange(
    http: httpx.AsyncClient, client_id: str, code: str, verifier: str | None, redirect: str = REDIRECT
) -> httpx.Response:
    """POST the code to the token endpoint as a public client (RFC 6749 §4.1.3)."""
    form: dict[str, Any] = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect,
        "client_id": client_id,
    }
    if verifier is not None:
        form["code_verifier"] = verifier
    return await http.post("/oauth/token", data=form)
