"""Bad input to the authorization server: each refused with the RFC error, and nothing changed.

Driven over HTTP in process (httpx on the ASGI app, as if from 127.0.0.1).
Crafted bad JWTs (``alg: none``, HS256 with the public key or an empty key,
expired, wrong audience or issuer, unknown ``kid``, tampered payload) are in
``test_tokens.py``; here are the protocol's: PKCE, redirect URIs, codes,
refresh tokens, scopes, revocation, client authentication, CSRF, throttling.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from oauth_steps import (
    PASSWORDS,
    REDIRECT,
    authorization_code,
    authorize_params,
    browser_for,
    consent,
    exchange,
    hidden,
    machine_client,
    pkce_pair,
    redirect_query,
    sign_in,
    web_client,
    with_password,
)

from council.oauth2 import service
from council.oauth2.models import AuthorizationCode, RefreshToken, RevokedToken, SignInFailure

VIEWER = "{ viewer { username } }"


async def graphql(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"})


async def tokens_for(http: httpx.AsyncClient, client_id: str) -> dict[str, Any]:
    code, verifier = await authorization_code(http, client_id, "sekda")
    response = await exchange(http, client_id, code, verifier)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def refresh(http: httpx.AsyncClient, client_id: str, token: str) -> httpx.Response:
    return await http.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token, "client_id": client_id}
    )


def error(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["cache-control"] == "no-store"
    return str(response.json()["error"])


async def start(http: httpx.AsyncClient, **params: str | None) -> httpx.Response:
    return await http.get(f"/oauth/authorize?{urlencode({k: v for k, v in params.items() if v is not None})}")


# --- PKCE (RFC 7636, required for every client, S256 only) -------------------------


@pytest.mark.parametrize(
    ("challenge", "method"),
    [(None, None), (None, "S256"), ("c" * 43, "plain"), ("c" * 43, None)],
    ids=["no-challenge", "no-challenge-with-method", "plain", "no-method-means-plain"],
)
async def test_authorization_without_s256_challenge_goes_back_with_invalid_request(
    http: httpx.AsyncClient, web: str, challenge: str | None, method: str | None
) -> None:
    params = authorize_params(web, challenge, code_challenge_method=method)
    query = redirect_query(await start(http, **params))

    assert query["error"] == "invalid_request"
    assert query["state"] == params["state"]
    assert "code" not in query


async def test_missing_verifier_is_invalid_request_and_the_code_stays_unused(http: httpx.AsyncClient, web: str) -> None:
    code, verifier = await authorization_code(http, web, "sekda")

    assert error(await exchange(http, web, code, None)) == "invalid_request"
    assert await AuthorizationCode.filter(used_at__isnull=True).count() == 1
    assert (await exchange(http, web, code, verifier)).status_code == 200


async def test_wrong_verifier_is_invalid_grant_and_issues_nothing(http: httpx.AsyncClient, web: str) -> None:
    code, _ = await authorization_code(http, web, "sekda")
    other, _ = pkce_pair()

    assert error(await exchange(http, web, code, other)) == "invalid_grant"
    assert await RefreshToken.all().count() == 0
    assert await AuthorizationCode.filter(used_at__isnull=True).count() == 1


# --- redirect URIs: exact match (RFC 9700 §4.1.3) -------------------------------------


@pytest.mark.parametrize("uri", [REDIRECT + "/", REDIRECT + "?x=1", REDIRECT.upper(), REDIRECT[:-1]])
async def test_a_redirect_uri_not_exactly_registered_is_an_error_page_not_a_redirect(
    http: httpx.AsyncClient, web: str, uri: str
) -> None:
    _, challenge = pkce_pair()
    response = await start(http, **authorize_params(web, challenge, redirect_uri=uri))

    assert response.status_code == 400
    assert "location" not in response.headers
    assert "invalid_request" in response.text
    assert response.headers["x-frame-options"] == "DENY"


async def test_token_request_with_a_trailing_slash_redirect_uri_is_invalid_grant(
    http: httpx.AsyncClient, web: str
) -> None:
    code, verifier = await authorization_code(http, web, "sekda")

    assert error(await exchange(http, web, code, verifier, redirect=REDIRECT + "/")) == "invalid_grant"
    assert (await exchange(http, web, code, verifier)).status_code == 200


async def test_unknown_client_is_an_error_page(http: httpx.AsyncClient, web: str) -> None:
    _, challenge = pkce_pair()
    response = await start(http, **authorize_params("no-such-client", challenge))

    assert response.status_code == 400 and "location" not in response.headers
    assert "invalid_client" in response.text


# --- codes and refresh tokens: single use, reuse revokes the grant -------------------


async def test_reused_code_is_invalid_grant_and_revokes_what_it_issued(
    http: httpx.AsyncClient, web: str, caplog: pytest.LogCaptureFixture
) -> None:
    code, verifier = await authorization_code(http, web, "sekda")
    first = await exchange(http, web, code, verifier)
    assert first.status_code == 200
    issued = first.json()
    assert (await graphql(http, issued["access_token"])).status_code == 200

    with caplog.at_level(logging.WARNING, logger="council.oauth2"):
        assert error(await exchange(http, web, code, verifier)) == "invalid_grant"

    refused = await graphql(http, issued["access_token"])
    assert refused.status_code == 401
    assert 'error_description="token revoked"' in refused.headers["www-authenticate"]
    assert error(await refresh(http, web, issued["refresh_token"])) == "invalid_grant"
    assert "code reuse" in caplog.text


async def test_refresh_rotates_and_reuse_revokes_the_family(
    http: httpx.AsyncClient, web: str, caplog: pytest.LogCaptureFixture
) -> None:
    issued = await tokens_for(http, web)
    rotated = await refresh(http, web, issued["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != issued["refresh_token"]
    assert second["scope"] == "proposals:read votes:write"

    with caplog.at_level(logging.WARNING, logger="council.oauth2"):
        assert error(await refresh(http, web, issued["refresh_token"])) == "invalid_grant"

    assert "refresh reuse" in caplog.text
    assert error(await refresh(http, web, second["refresh_token"])) == "invalid_grant"
    for access in (issued["access_token"], second["access_token"]):
        assert (await graphql(http, access)).status_code == 401
    assert await RevokedToken.all().count() == 2


async def test_refresh_token_of_another_client_is_invalid_grant(http: httpx.AsyncClient, web: str) -> None:
    issued = await tokens_for(http, web)
    other = (await web_client()).client_id

    assert error(await refresh(http, other, issued["refresh_token"])) == "invalid_grant"


async def test_refresh_asking_more_gets_at_most_the_original_grant(http: httpx.AsyncClient, web: str) -> None:
    issued = await tokens_for(http, web)
    wider = await http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": issued["refresh_token"],
            "client_id": web,
            "scope": "votes:write admin",
        },
    )
    assert wider.status_code == 200, wider.text
    assert wider.json()["scope"] == "votes:write"

    nothing = await http.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": wider.json()["refresh_token"],
            "client_id": web,
            "scope": "admin",
        },
    )
    assert error(nothing) == "invalid_scope"


# --- scopes: asked ∩ client's ∩ holder's roles ------------------------------------------


async def test_university_client_asking_for_votes_gets_less(http: httpx.AsyncClient) -> None:
    unri = await machine_client()
    auth = (unri.client_id, unri.client_secret or "")

    more = await http.post(
        "/oauth/token",
        auth=auth,
        data={"grant_type": "client_credentials", "scope": "proposals:read reviews:write votes:write"},
    )
    assert more.status_code == 200, more.text
    assert more.json()["scope"] == "proposals:read reviews:write"

    only_votes = await http.post(
        "/oauth/token", auth=auth, data={"grant_type": "client_credentials", "scope": "votes:write"}
    )
    assert error(only_votes) == "invalid_scope"


async def test_member_whose_roles_allow_none_of_the_scopes_goes_back_with_invalid_scope(
    http: httpx.AsyncClient, web: str
) -> None:
    await with_password("opd.kominfo")
    _, challenge = pkce_pair()
    params = authorize_params(web, challenge, scope="votes:write")
    url = f"/oauth/authorize?{urlencode(params)}"
    answer, _ = await sign_in(http, url, "opd.kominfo", PASSWORDS["opd.kominfo"])

    query = redirect_query(answer)
    assert query["error"] == "invalid_scope" and query["state"] == params["state"]


async def test_consent_page_lists_only_what_the_roles_allow(http: httpx.AsyncClient, web: str) -> None:
    await with_password("opd.kominfo")
    _, challenge = pkce_pair()
    url = f"/oauth/authorize?{urlencode(authorize_params(web, challenge, scope='proposals:read votes:write'))}"
    page, _ = await sign_in(http, url, "opd.kominfo", PASSWORDS["opd.kominfo"])

    assert page.status_code == 200
    assert "<code>proposals:read</code>" in page.text
    assert "<code>votes:write</code>" not in page.text
    assert (
        "<p>Not granted, since your roles do not allow it:</p><ul><li>vote on quick wins</li></ul>" in page.text
    )  # what the scope does, not its code


# --- grants that do not exist here -------------------------------------------------------


async def test_implicit_grant_is_unsupported_response_type(http: httpx.AsyncClient, web: str) -> None:
    _, challenge = pkce_pair()
    query = redirect_query(await start(http, **authorize_params(web, challenge, response_type="token")))
    assert query["error"] == "unsupported_response_type"


@pytest.mark.parametrize("grant", ["password", "implicit", "urn:ietf:params:oauth:grant-type:device_code"])
async def test_other_grants_are_unsupported_grant_type(http: httpx.AsyncClient, web: str, grant: str) -> None:
    response = await http.post(
        "/oauth/token",
        data={"grant_type": grant, "username": "sekda", "password": PASSWORDS["sekda"], "client_id": web},
    )
    assert error(response) == "unsupported_grant_type"


async def test_a_public_client_may_not_use_client_credentials(http: httpx.AsyncClient, web: str) -> None:
    response = await http.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": web})
    assert error(response, 401) == "invalid_client"


# --- client authentication and request format ---------------------------------------------


async def test_wrong_client_secret_is_invalid_client_401(http: httpx.AsyncClient) -> None:
    unri = await machine_client()
    response = await http.post(
        "/oauth/token", auth=(unri.client_id, "not-the-secret"), data={"grant_type": "client_credentials"}
    )

    assert error(response, 401) == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic ")


async def test_token_request_must_be_form_encoded_and_not_repeat_parameters(http: httpx.AsyncClient) -> None:
    unri = await machine_client()
    auth = (unri.client_id, unri.client_secret or "")

    as_json = await http.post("/oauth/token", auth=auth, json={"grant_type": "client_credentials"})
    assert error(as_json) == "invalid_request"
    twice = await http.post(
        "/oauth/token",
        auth=auth,
        content="grant_type=client_credentials&scope=a&scope=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert error(twice) == "invalid_request"


# --- revocation (RFC 7009) and introspection (RFC 7662) -------------------------------------


async def test_revoked_token_is_inactive_and_refused_by_graphql(http: httpx.AsyncClient) -> None:
    unri = await machine_client()
    auth = (unri.client_id, unri.client_secret or "")
    token = (await http.post("/oauth/token", auth=auth, data={"grant_type": "client_credentials"})).json()[
        "access_token"
    ]

    active = (await http.post("/oauth/introspect", auth=auth, data={"token": token})).json()
    assert active["active"] is True
    assert active["client_id"] == unri.client_id and active["username"] == unri.service_username
    assert active["scope"] == "proposals:read reviews:write" and active["token_type"] == "Bearer"
    assert (await graphql(http, token)).status_code == 200

    revoked = await http.post("/oauth/revoke", auth=auth, data={"token": token, "token_type_hint": "access_token"})
    assert revoked.status_code == 200

    assert (await http.post("/oauth/introspect", auth=auth, data={"token": token})).json() == {"active": False}
    refused = await graphql(http, token)
    assert refused.status_code == 401
    assert 'error_description="token revoked"' in refused.headers["www-authenticate"]


async def test_revoking_a_refresh_token_revokes_its_grant(http: httpx.AsyncClient, web: str) -> None:
    issued = await tokens_for(http, web)
    response = await http.post("/oauth/revoke", data={"token": issued["refresh_token"], "client_id": web})

    assert response.status_code == 200
    assert error(await refresh(http, web, issued["refresh_token"])) == "invalid_grant"
    assert (await graphql(http, issued["access_token"])).status_code == 401


async def test_revoking_garbage_is_fine_and_another_clients_token_is_not_revoked(
    http: httpx.AsyncClient, web: str
) -> None:
    issued = await tokens_for(http, web)
    unri = await machine_client()
    auth = (unri.client_id, unri.client_secret or "")

    assert (await http.post("/oauth/revoke", auth=auth, data={"token": "garbage"})).status_code == 200
    assert error(await http.post("/oauth/revoke", auth=auth, data={"token": issued["access_token"]})) == "invalid_grant"
    assert (await graphql(http, issued["access_token"])).status_code == 200


async def test_introspection_is_for_confidential_clients_about_their_own_tokens(
    http: httpx.AsyncClient, web: str
) -> None:
    issued = await tokens_for(http, web)
    unri = await machine_client()

    public = await http.post("/oauth/introspect", data={"token": issued["access_token"], "client_id": web})
    assert error(public, 401) == "invalid_client"
    other = await http.post(
        "/oauth/introspect", auth=(unri.client_id, unri.client_secret or ""), data={"token": issued["access_token"]}
    )
    assert other.json() == {"active": False}


# --- the sign-in form: CSRF, no enumeration, throttling ---------------------------------------


async def test_sign_in_without_the_csrf_cookie_is_refused(app: Any, web: str) -> None:
    _, challenge = pkce_pair()
    url = f"/oauth/authorize?{urlencode(authorize_params(web, challenge))}"
    async with browser_for(app) as first, browser_for(app) as attacker:
        page = await first.get(url)
        csrf = hidden(page.text, "csrf_token")
        forged = await attacker.post(
            url, data={"csrf_token": csrf, "step": "sign_in", "username": "sekda", "password": PASSWORDS["sekda"]}
        )
    assert forged.status_code == 403
    assert "ticket" not in forged.text


async def test_a_consent_ticket_works_only_with_its_own_request(http: httpx.AsyncClient, web: str) -> None:
    _, challenge = pkce_pair()
    url = f"/oauth/authorize?{urlencode(authorize_params(web, challenge))}"
    page, csrf = await sign_in(http, url, "sekda", PASSWORDS["sekda"])
    _, other_challenge = pkce_pair()
    other_url = f"/oauth/authorize?{urlencode(authorize_params(web, other_challenge))}"

    assert (await consent(http, other_url, page, csrf)).status_code == 403
    assert await AuthorizationCode.all().count() == 0
    denied = redirect_query(await consent(http, url, page, csrf, decision="deny"))
    assert denied["error"] == "access_denied"
    assert await AuthorizationCode.all().count() == 0


async def test_unknown_account_and_wrong_password_get_the_same_answer(http: httpx.AsyncClient, web: str) -> None:
    await with_password("opd.kominfo")
    _, challenge = pkce_pair()
    url = f"/oauth/authorize?{urlencode(authorize_params(web, challenge))}"
    answers = [
        (await sign_in(http, url, username, password))[0]
        for username, password in [
            ("sekda", "wrong-password-1"),
            ("nobody.here", "wrong-password-1"),
            ("kepala.pupr", "no-password-set"),
        ]  # kepala.pupr has no password
    ]
    for answer in answers:
        assert answer.status_code == 400
        assert "The username or password is not correct." in answer.text
    pages = {
        a.text.replace(f'value="{u}"', "")
        for a, u in zip(answers, ["sekda", "nobody.here", "kepala.pupr"], strict=True)
    }
    assert len(pages) == 1


async def test_sign_in_is_throttled_per_account(
    http: httpx.AsyncClient, web: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, challenge = pkce_pair()
    url = f"/oauth/authorize?{urlencode(authorize_params(web, challenge))}"
    with monkeypatch.context() as fast:
        fast.setattr(service, "check_password", lambda stored, password: (False, None))  # argon2 is not under test
        for _ in range(service.ACCOUNT_LIMIT):
            assert (await sign_in(http, url, "sekda", "wrong-password-1"))[0].status_code == 400

    locked, _ = await sign_in(http, url, "sekda", PASSWORDS["sekda"], lang="id")
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= service.WINDOW
    assert "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit." in locked.text
    ghost, _ = await sign_in(http, url, "NoBody.Here", "x" * 12)
    assert ghost.status_code == 400  # an unknown account counts on its own


async def test_sign_in_is_throttled_per_address(app: Any, web: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "check_password", lambda stored, password: (False, None))  # argon2 is not under test
    _, challenge = pkce_pair()
    url = f"/oauth/authorize?{urlencode(authorize_params(web, challenge))}"
    async with browser_for(app, "127.0.0.9") as noisy, browser_for(app, "127.0.0.10") as quiet:
        for n in range(service.ADDRESS_LIMIT):
            assert (await sign_in(noisy, url, f"guess{n}", "wrong-password-1"))[0].status_code == 400
        assert (await sign_in(noisy, url, "sekda", PASSWORDS["sekda"]))[0].status_code == 429
        monkeypatch.undo()
        ok, _ = await sign_in(quiet, url, "sekda", PASSWORDS["sekda"])
    assert ok.status_code == 200 and "ticket" in ok.text
    assert await SignInFailure.filter(address="127.0.0.9").count() == service.ADDRESS_LIMIT
