"""Serving the web client (``/``, ``/app/...``), ``council web setup``, and ``ui_locales`` on the sign-in pages.

Over HTTP in process: the suite's app for what does not depend on a build,
and the same application made with ``COUNCIL_WEB_DIR`` pointing at a folder
the test writes (a stand-in for ``web/dist``), so the files served are known.
The CLI runs in subprocesses on the suite's database.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

import anyio
import httpx
import pytest
from oauth_steps import authorize_params, browser_for, consent, hidden, pkce_pair, redirect_query, with_password

from council.app import create_app
from council.i18n import MESSAGES
from council.oauth2.models import OAuthClient
from council.settings import get_settings

COUNCIL = str(Path(sys.executable).with_name("council"))
INDEX = '<!doctype html><html lang="id"><head><script type="module" src="/app/assets/index-3f2a9c1b.js"></script></head><body><div id="app"></div></body></html>'
SCRIPT = "console.log('council');\n"
SECRET = "do-not-serve-me"


def text(key: str, lang: str) -> str:
    return MESSAGES[f"page.{key}"][lang]


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A built client: index.html, a hashed asset, a root file; and a secret file beside the folder."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX, encoding="utf-8")
    (root / "assets" / "index-3f2a9c1b.js").write_text(SCRIPT, encoding="utf-8")
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (root / ".env").write_text(SECRET, encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (root / "linked.txt").symlink_to(tmp_path / "secret.txt")
    return root


@pytest.fixture
def web_app(app: Any) -> Callable[..., httpx.AsyncClient]:
    """``web_app(web_dir, base_url=...)``: an httpx client on the application serving ``web_dir``.

    The suite's app is started (its lifespan holds the database); this one
    only answers files and pages, which need no lifespan.
    """

    def make(web_dir: Path, base_url: str = "http://council.test") -> httpx.AsyncClient:
        settings = get_settings().model_copy(update={"web_dir": web_dir})
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)), base_url=base_url)

    return make


@pytest.fixture
async def served(dist: Path, web_app: Callable[..., httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    async with web_app(dist) as http:
        yield http


# --- /, /app/config.json ---------------------------------------------------------------


async def test_the_root_redirects_to_the_web_client(client: httpx.AsyncClient) -> None:
    for path in ("/", "/app"):
        response = await client.get(path)
        assert response.status_code == 302, path
        assert response.headers["location"] == "/app/"


async def test_config_json_tells_the_client_its_id_issuer_and_time_zone(client: httpx.AsyncClient) -> None:
    response = await client.get("/app/config.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    settings = get_settings()
    assert response.json() == {
        "clientId": "council-web",
        "issuer": settings.token_issuer,
        "timezone": "Asia/Jakarta",
        "language": "id",  # Pekanbaru's locale, id-ID
    }


# --- the built client ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/app/",
        "/app/agenda",
        "/app/proposals/UHJvcG9zYWw6MQ==",
        "/app/proposals/new",
        "/app/callback?code=abc&state=xyz",
        "/app/reviews",
    ],
)
async def test_every_client_route_gets_index_html_uncached_with_security_headers(
    served: httpx.AsyncClient, path: str
) -> None:
    response = await served.get(path)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert "no-cache" in response.headers["cache-control"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    csp = dict(d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";"))
    assert csp["default-src"] == "'self'"
    assert csp["connect-src"] == "'self' ws://council.test"
    assert csp["img-src"] == "'self' data:"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response.headers["content-security-policy"]


async def test_over_https_subscriptions_are_allowed_on_wss(
    dist: Path, web_app: Callable[..., httpx.AsyncClient]
) -> None:
    async with web_app(dist, base_url="https://dewan.pekanbaru.go.id") as http:
        response = await http.get("/app/agenda")
    assert "connect-src 'self' wss://dewan.pekanbaru.go.id;" in response.headers["content-security-policy"]


async def test_a_host_header_that_is_not_a_plain_host_stays_out_of_the_policy(served: httpx.AsyncClient) -> None:
    response = await served.get("/app/", headers={"Host": "evil.test; script-src *"})
    assert response.status_code == 200
    assert "connect-src 'self';" in response.headers["content-security-policy"]
    assert "evil" not in response.headers["content-security-policy"]


async def test_hashed_assets_are_cached_for_a_year_and_revalidate_to_304(served: httpx.AsyncClient) -> None:
    response = await served.get("/app/assets/index-3f2a9c1b.js")
    assert response.status_code == 200
    assert response.text == SCRIPT
    assert "javascript" in response.headers["content-type"]
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    again = await served.get("/app/assets/index-3f2a9c1b.js", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


async def test_other_files_are_revalidated(served: httpx.AsyncClient) -> None:
    response = await served.get("/app/favicon.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["cache-control"] == "no-cache"
    head = await served.head("/app/favicon.svg")
    assert head.status_code == 200 and head.content == b""


async def test_a_missing_asset_is_404_not_the_page(served: httpx.AsyncClient) -> None:
    response = await served.get("/app/assets/index-00000000.js")
    assert response.status_code == 404
    assert INDEX not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/app/..%2Fsecret.txt",
        "/app/%2e%2e/secret.txt",
        "/app/assets/..%2F..%2Fsecret.txt",
        "/app/.env",
        "/app/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/app/..%5Csecret.txt",
        "/app/%00",
    ],
)
async def test_paths_out_of_the_build_folder_are_refused(served: httpx.AsyncClient, path: str) -> None:
    response = await served.get(path)
    assert response.status_code == 404, (path, response.status_code)
    assert SECRET not in response.text


async def test_a_symlink_out_of_the_build_folder_is_not_followed(served: httpx.AsyncClient) -> None:
    response = await served.get("/app/linked.txt")
    # Not a file of the build, so a client route: the app's page, never the link's target.
    assert response.status_code == 200
    assert response.text == INDEX
    assert SECRET not in response.text


@pytest.mark.parametrize("path", ["/app/assets/index-3f2a9c1b.js", "/app/favicon.svg", "/app/agenda"])
async def test_if_none_match_and_if_modified_since_both_answer_304(served: httpx.AsyncClient, path: str) -> None:
    first = await served.get(path)
    assert first.status_code == 200
    for condition in ({"If-None-Match": first.headers["etag"]}, {"If-Modified-Since": first.headers["last-modified"]}):
        again = await served.get(path, headers=condition)
        assert again.status_code == 304, (path, condition)
        assert again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["cache-control"] == first.headers["cache-control"]
    older = await served.get(path, headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})
    assert older.status_code == 200
    other = await served.get(path, headers={"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200


async def asgi_get(app: Any, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (httpx would remove its ``..`` before sending), decoded as a server does."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"council.test")],
        "server": ("council.test", 80),
        "client": ("127.0.0.1", 5000),
    }
    sent: list[dict[str, Any]] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if requests:
            return requests.pop()
        await anyio.sleep_forever()  # the client stays connected
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.parametrize(
    "path",
    [
        "/app/../pyproject.toml",
        "/app/assets/../../pyproject.toml",
        "/app/./../secret.txt",
        "/app/%2e%2e/pyproject.toml",
    ],
)
async def test_a_dot_dot_path_sent_as_is_is_refused(dist: Path, path: str) -> None:
    (dist.parent / "pyproject.toml").write_text(SECRET, encoding="utf-8")
    app = create_app(get_settings().model_copy(update={"web_dir": dist}))
    status, body = await asgi_get(app, path)
    assert status == 404, path
    assert SECRET.encode() not in body


@pytest.mark.parametrize("path", ["/app/%2e%2e/%2e%2e/pyproject.toml", "/app/..%2F..%2Fpyproject.toml"])
async def test_the_repository_is_not_reachable_from_the_default_build_folder(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)  # web_dir is web/dist of the repository, built or not
    assert response.status_code == 404
    assert "[project]" not in response.text


async def test_a_symlinked_folder_out_of_the_build_is_not_followed(dist: Path, served: httpx.AsyncClient) -> None:
    (dist / "outside").symlink_to(dist.parent, target_is_directory=True)
    (dist / "assets" / "outside").symlink_to(dist.parent, target_is_directory=True)
    page = await served.get("/app/outside/secret.txt")
    assert page.status_code == 200 and page.text == INDEX
    asset = await served.get("/app/assets/outside/secret.txt")
    assert asset.status_code == 404
    assert SECRET not in asset.text


async def test_a_build_made_while_the_server_runs_is_served(
    tmp_path: Path, web_app: Callable[..., httpx.AsyncClient]
) -> None:
    later = tmp_path / "later"
    async with web_app(later) as http:
        assert (await http.get("/app/agenda")).status_code == 503
        (later / "assets").mkdir(parents=True)
        (later / "index.html").write_text(INDEX, encoding="utf-8")
        page = await http.get("/app/agenda")
        assert page.status_code == 200 and page.text == INDEX
        assert "content-security-policy" in page.headers


async def test_only_get_and_head_are_answered(served: httpx.AsyncClient) -> None:
    response = await served.post("/app/favicon.svg")
    assert response.status_code == 405


async def test_without_a_build_the_client_answers_503_saying_how_to_build_it(
    tmp_path: Path, web_app: Callable[..., httpx.AsyncClient]
) -> None:
    async with web_app(tmp_path / "no-dist") as http:
        for path in ("/app/", "/app/agenda"):
            response = await http.get(path)
            assert response.status_code == 503
            assert "make web" in response.text
            assert "npm ci" in response.text and "npm run build" in response.text
        config = await http.get("/app/config.json")
        assert config.status_code == 200  # the API side does not need the build


# --- council web setup -----------------------------------------------------------------


def council(*args: str, issuer: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"COUNCIL_TOKEN_ISSUER": issuer} if issuer else {})}
    return subprocess.run([COUNCIL, *args], env=env, capture_output=True, text=True, timeout=120)


async def test_web_setup_registers_the_public_client_once() -> None:
    issuer = get_settings().token_issuer
    first = council("web", "setup", "--organization", "diskominfotik")
    assert first.returncode == 0, first.stderr
    assert "council-web: created" in first.stdout
    assert f"{issuer}/app/" in first.stdout
    second = council("web", "setup", "--organization", "diskominfotik")
    assert second.returncode == 0, second.stderr
    assert "already up to date" in second.stdout

    row = await OAuthClient.get(client_id="council-web").prefetch_related("organization")
    assert row.client_type == "public" and row.secret_hash == ""
    assert row.name == "Council (web)"
    assert row.organization.code == "diskominfotik"
    assert row.redirect_uris == [f"{issuer}/app/callback"]
    assert sorted(row.scopes) == [
        "implementation:write",
        "proposals:read",
        "proposals:write",
        "reviews:write",
        "votes:write",
    ]
    assert "admin" not in row.scopes
    assert sorted(row.grant_types) == ["authorization_code", "refresh_token"]
    assert await OAuthClient.filter(client_id="council-web").count() == 1


async def test_web_setup_on_another_issuer_adds_its_redirect_uri() -> None:
    assert council("web", "setup", "--organization", "diskominfotik").returncode == 0
    other = council("web", "setup", "--organization", "diskominfotik", issuer="https://dewan.pekanbaru.go.id")
    assert other.returncode == 0, other.stderr
    assert "updated (redirect_uris)" in other.stdout
    row = await OAuthClient.get(client_id="council-web")
    assert row.redirect_uris == [
        f"{get_settings().token_issuer}/app/callback",
        "https://dewan.pekanbaru.go.id/app/callback",
    ]


async def test_web_setup_restores_a_changed_client() -> None:
    assert council("web", "setup", "--organization", "diskominfotik").returncode == 0
    await OAuthClient.filter(client_id="council-web").update(scopes=["proposals:read", "admin"], is_active=False)
    again = council("web", "setup", "--organization", "diskominfotik")
    assert again.returncode == 0, again.stderr
    assert "updated (scopes, is_active)" in again.stdout
    row = await OAuthClient.get(client_id="council-web")
    assert row.is_active and "admin" not in row.scopes and len(row.scopes) == 5


async def test_web_setup_refuses_an_unknown_organisation() -> None:
    result = council("web", "setup", "--organization", "dinas-tidak-ada")
    assert result.returncode == 1
    assert "no organisation with code 'dinas-tidak-ada'" in result.stderr
    assert await OAuthClient.filter(client_id="council-web").count() == 0


async def test_web_setup_refuses_to_turn_a_confidential_client_public() -> None:
    from council.oauth2.service import ClientError, ensure_public_client

    client_id = "council-web-confidential"
    assert council("web", "setup", "--organization", "diskominfotik").returncode == 0
    await OAuthClient.filter(client_id="council-web").update(client_id=client_id, client_type="confidential")
    with pytest.raises(ClientError, match="is confidential"):
        await ensure_public_client(
            client_id=client_id,
            name="x",
            organization="diskominfotik",
            redirect_uri="http://127.0.0.1:8000/app/callback",
            scopes=[],
        )


async def test_the_registered_client_signs_a_member_in_at_app_callback(app: Any) -> None:
    assert council("web", "setup", "--organization", "diskominfotik").returncode == 0
    password = await with_password("sekda")
    redirect = f"{get_settings().token_issuer}/app/callback"
    verifier, challenge = pkce_pair()
    params = authorize_params(
        "council-web", challenge, redirect_uri=redirect, ui_locales="id", scope="proposals:read votes:write"
    )
    url = f"/oauth/authorize?{urlencode(params)}"
    async with browser_for(app) as http:
        page = await http.get(url)
        assert page.status_code == 200 and text("sign_in_title", "id") in page.text
        assert "Council (web)" in page.text
        csrf = hidden(page.text, "csrf_token")
        signed = await http.post(
            url, data={"csrf_token": csrf, "step": "sign_in", "username": "sekda", "password": password}
        )
        query = redirect_query(await consent(http, url, signed, csrf))
        tokens = await http.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": query["code"],
                "redirect_uri": redirect,
                "client_id": "council-web",
                "code_verifier": verifier,
            },
        )
    assert tokens.status_code == 200, tokens.text
    assert set(tokens.json()["scope"].split()) == {"proposals:read", "votes:write"}
    assert "refresh_token" in tokens.json()


# --- ui_locales on the sign-in, consent and error pages -------------------------------


@pytest.fixture
async def web_client_id() -> str:
    assert council("web", "setup", "--organization", "diskominfotik").returncode == 0
    return "council-web"


def _authorize_url(client_id: str, **extra: str | None) -> str:
    _, challenge = pkce_pair()
    redirect = f"{get_settings().token_issuer}/app/callback"
    return f"/oauth/authorize?{urlencode(authorize_params(client_id, challenge, redirect_uri=redirect, **extra))}"


@pytest.mark.parametrize(
    ("ui_locales", "accept_language", "lang"),
    [
        ("en", "id", "en"),
        ("id", "en", "id"),
        ("id-ID", "en-US,en;q=0.9", "id"),
        ("fr-FR en-GB id", "id", "en"),  # the first supported tag wins
        ("fr", "id", "id"),  # none supported: Accept-Language decides
        ("", "id", "id"),
        (None, "en", "en"),
    ],
)
async def test_the_sign_in_page_follows_ui_locales_before_accept_language(
    app: Any, web_client_id: str, ui_locales: str | None, accept_language: str, lang: str
) -> None:
    async with browser_for(app) as http:
        page = await http.get(
            _authorize_url(web_client_id, ui_locales=ui_locales), headers={"Accept-Language": accept_language}
        )
    assert page.status_code == 200, page.text
    assert f'<html lang="{lang}"' in page.text
    assert text("sign_in_title", lang) in page.text
    assert text("password", lang) in page.text


async def test_a_failed_sign_in_and_the_consent_page_keep_the_ui_locales_language(app: Any, web_client_id: str) -> None:
    password = await with_password("sekda")
    url = _authorize_url(web_client_id, ui_locales="en")
    async with browser_for(app) as http:
        page = await http.get(url, headers={"Accept-Language": "id"})
        csrf = hidden(page.text, "csrf_token")
        wrong = await http.post(
            url,
            data={"csrf_token": csrf, "step": "sign_in", "username": "sekda", "password": "salah"},
            headers={"Accept-Language": "id"},
        )
        assert wrong.status_code == 400
        assert text("bad_credentials", "en") in wrong.text
        right = await http.post(
            url,
            data={"csrf_token": csrf, "step": "sign_in", "username": "sekda", "password": password},
            headers={"Accept-Language": "id"},
        )
        assert right.status_code == 200
        assert text("consent_title", "en") in right.text and text("allow", "en") in right.text


async def test_the_error_page_follows_ui_locales(app: Any) -> None:
    async with browser_for(app) as http:
        page = await http.get(_authorize_url("no-such-client", ui_locales="id"), headers={"Accept-Language": "en"})
    assert page.status_code == 400
    assert text("error_title", "id") in page.text
