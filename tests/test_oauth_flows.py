"""The OAuth flows end to end, with an independent client library against a real server on loopback.

The server is ``uvicorn council.app:create_app`` in a subprocess on a free
port, sharing the test database and key folder, its issuer set to its own
URL. The client side is requests-oauthlib (on oauthlib), not authlib: a
council member signs in through code + PKCE and casts a vote; a university
machine client gets a token with client credentials and submits a review;
refresh tokens rotate; ``council keys rotate`` does not break a token in use.
The set-up of proposals goes through the in-process API with the ``token``
fixture, as in the rest of the suite.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from oauth_steps import PASSWORDS, REDIRECT, hidden, machine_client, web_client, with_password
from oauthlib.oauth2 import BackendApplicationClient, InvalidGrantError
from paths import SCORES, SEEDED_ORG, Paths, operation
from requests_oauthlib import OAuth2Session

from council.oauth2.server import metadata

COUNCIL = str(Path(sys.executable).with_name("council"))
RELAXED = {"OAUTHLIB_INSECURE_TRANSPORT": "1", "OAUTHLIB_RELAX_TOKEN_SCOPE": "1"}
"""oauthlib insists on https (loopback http is fine here) and on getting the scopes asked for."""
VOTE = operation("CastVote")
REVIEW = """
mutation($input: SubmitReviewInput!) {
  submitReview(input: $input) { review { id reviewer { username } } errors { code field message } }
}
"""
"""The reviewer's username, which the web client's ``SubmitTechnicalReview`` does not ask for."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(app: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of the API served by uvicorn in a subprocess (after ``app`` migrated the database)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "COUNCIL_TOKEN_ISSUER": base}
    log = tmp_path_factory.mktemp("server") / "uvicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "council.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(autouse=True)
def relaxed_oauthlib(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in RELAXED.items():
        monkeypatch.setenv(name, value)


def graphql(session: requests.Session, base: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = session.post(f"{base}/graphql", json={"query": query, "variables": variables}, timeout=10)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]


def sign_in_and_consent(url: str, username: str) -> str:
    """A person's browser: open the authorization URL, sign in, allow; return the redirect ``Location``."""
    browser = requests.Session()
    page = browser.get(url, headers={"Accept-Language": "id"}, timeout=10)
    assert page.status_code == 200 and 'for="username"' in page.text and "Masuk" in page.text
    csrf = hidden(page.text, "csrf_token")
    form = {"csrf_token": csrf, "step": "sign_in", "username": username, "password": PASSWORDS[username]}
    consent = browser.post(url, data=form, headers={"Accept-Language": "id"}, timeout=10)
    assert consent.status_code == 200 and "Izinkan akses?" in consent.text, consent.text
    done = browser.post(
        url,
        data={"csrf_token": csrf, "step": "consent", "ticket": hidden(consent.text, "ticket"), "decision": "allow"},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 302, done.text
    return str(done.headers["location"])


async def test_metadata_is_what_the_server_enforces(server: str) -> None:
    published = requests.get(f"{server}/.well-known/oauth-authorization-server", timeout=10).json()
    AuthorizationServerMetadata(published).validate()

    assert published["issuer"] == server  # RFC 8414 §3.3: the URL it was fetched from
    assert published["grant_types_supported"] == ["authorization_code", "client_credentials", "refresh_token"]
    assert published["response_types_supported"] == ["code"]
    assert published["code_challenge_methods_supported"] == ["S256"]
    assert published["introspection_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]
    assert set(published) == set(metadata())
    jwks = requests.get(published["jwks_uri"], timeout=10).json()
    assert [k["alg"] for k in jwks["keys"]] == ["ES256"] * len(jwks["keys"])
    for grant in ("password", "implicit"):
        refused = requests.post(published["token_endpoint"], data={"grant_type": grant}, timeout=10)
        assert refused.json()["error"] == "unsupported_grant_type"


async def test_council_member_signs_in_with_code_and_pkce_and_votes(server: str, gql: Any, token: Any) -> None:
    kominfo = Paths(gql, token, owner_org=SEEDED_ORG)
    pid = await kominfo.find()
    await kominfo.drive(pid, "quick_win_approval")
    web = await web_client()
    await with_password("sekda")

    oauth = OAuth2Session(
        web.client_id, redirect_uri=REDIRECT, scope=["proposals:read", "votes:write", "admin"], pkce="S256"
    )
    url, state = oauth.authorization_url(f"{server}/oauth/authorize")
    assert "code_challenge_method=S256" in url
    callback = sign_in_and_consent(url, "sekda")
    issued = oauth.fetch_token(f"{server}/oauth/token", authorization_response=callback, include_client_id=True)

    assert sorted(issued["scope"]) == ["proposals:read", "votes:write"]  # admin asked, not granted
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 600 and issued["refresh_token"]
    voted = graphql(oauth, server, VOTE, {"input": {"proposalId": pid, "choice": "YES"}})["castVote"]
    assert voted["errors"] == []
    assert voted["ballot"]["myVote"] == "YES" and voted["ballot"]["tally"]["yes"] == 1
    viewer = graphql(oauth, server, "{ viewer { username } }", {})
    assert viewer == {"viewer": {"username": "sekda"}}


async def test_university_machine_client_reviews_with_client_credentials(server: str, gql: Any, token: Any) -> None:
    kominfo = Paths(gql, token, owner_org=SEEDED_ORG)
    pid = await kominfo.find()
    await kominfo.drive(pid, "technical_review")
    await kominfo.assign(pid, [], organizations=["unri"])  # quick-win version 2: only assignees review
    unri = await machine_client()

    oauth = OAuth2Session(client=BackendApplicationClient(client_id=unri.client_id))
    issued = oauth.fetch_token(
        f"{server}/oauth/token",
        client_id=unri.client_id,
        client_secret=unri.client_secret,
        scope=["proposals:read", "reviews:write", "votes:write"],
    )

    assert sorted(issued["scope"]) == ["proposals:read", "reviews:write"]
    assert "refresh_token" not in issued
    # The university's system reads its organisation's queue: the assignment is a REVIEW task of its service member.
    queue = "query { viewer { tasks(first: 50) { edges { node { kind proposal { id } } } } } }"
    review_task = {"kind": "REVIEW", "proposal": {"id": pid}}
    assert review_task in [e["node"] for e in graphql(oauth, server, queue, {})["viewer"]["tasks"]["edges"]]
    reviewed = graphql(
        oauth,
        server,
        REVIEW,
        {"input": {"proposalId": pid, "recommendation": "APPROVE", "scores": SCORES, "comment": "Layak"}},
    )
    payload = reviewed["submitReview"]
    assert payload["errors"] == []
    assert payload["review"]["reviewer"]["username"] == unri.service_username
    assert review_task not in [e["node"] for e in graphql(oauth, server, queue, {})["viewer"]["tasks"]["edges"]]
    voted = graphql(oauth, server, VOTE, {"input": {"proposalId": pid, "choice": "YES"}})["castVote"]
    assert [e["code"] for e in voted["errors"]] == ["FORBIDDEN"]


async def test_refresh_tokens_rotate_and_an_old_one_is_refused(server: str) -> None:
    web = await web_client()
    await with_password("sekda")
    oauth = OAuth2Session(web.client_id, redirect_uri=REDIRECT, scope=["proposals:read"], pkce="S256")
    url, _ = oauth.authorization_url(f"{server}/oauth/authorize")
    first = oauth.fetch_token(
        f"{server}/oauth/token", authorization_response=sign_in_and_consent(url, "sekda"), include_client_id=True
    )

    second = oauth.refresh_token(f"{server}/oauth/token", client_id=web.client_id, include_client_id=True)
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert graphql(oauth, server, "{ viewer { username } }", {})["viewer"]["username"] == "sekda"

    with pytest.raises(InvalidGrantError):
        oauth.refresh_token(
            f"{server}/oauth/token",
            refresh_token=first["refresh_token"],
            client_id=web.client_id,
            include_client_id=True,
        )
    revoked = requests.post(
        f"{server}/graphql",
        json={"query": "{ viewer { username } }"},
        headers={"Authorization": f"Bearer {second['access_token']}"},
        timeout=10,
    )
    assert revoked.status_code == 401


async def test_a_token_signed_before_a_key_rotation_still_works(server: str) -> None:
    unri = await machine_client()
    oauth = OAuth2Session(client=BackendApplicationClient(client_id=unri.client_id))
    oauth.fetch_token(f"{server}/oauth/token", client_id=unri.client_id, client_secret=unri.client_secret)
    before = requests.get(f"{server}/.well-known/jwks.json", timeout=10).json()["keys"]

    rotated = subprocess.run([COUNCIL, "keys", "rotate"], capture_output=True, text=True, timeout=60)
    assert rotated.returncode == 0, rotated.stderr
    kid = rotated.stdout.strip()

    after = requests.get(f"{server}/.well-known/jwks.json", timeout=10).json()["keys"]
    assert [k["kid"] for k in after] == [kid, before[0]["kid"]]
    assert graphql(oauth, server, "{ viewer { username } }", {})["viewer"]["username"] == unri.service_username
    fresh = requests.post(
        f"{server}/oauth/token",
        auth=(unri.client_id, unri.client_secret or ""),
        data={"grant_type": "client_credentials"},
        timeout=10,
    ).json()["access_token"]
    head = fresh.split(".")[0]
    assert json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["kid"] == kid
