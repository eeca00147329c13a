"""The authorization server's parts: the async bridge, the pages, client and member management, the CLI.

Everything runs on the suite's database; the CLI in subprocesses.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from oauth_steps import authorize_params, browser_for, machine_client, pkce_pair, web_client

from council.auth.passwords import check_password
from council.auth.scopes import ALL_SCOPES
from council.enums import Role
from council.i18n import MESSAGES
from council.oauth2 import queries
from council.oauth2.models import OAuthClient
from council.oauth2.service import ClientError, create_client
from council.organizations.models import Member
from council.organizations.service import MemberError, create_member, set_password

COUNCIL = str(Path(sys.executable).with_name("council"))


# --- the bridge: authlib in a worker thread, the loop free -----------------------------


async def test_a_slow_token_request_does_not_stall_other_requests(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    unri = await machine_client()
    original = queries.Client.check_client_secret

    def slow(self: queries.Client, secret: str) -> bool:
        time.sleep(1.0)  # in authlib's worker thread, as a slow database or hash would be
        return original(self, secret)

    monkeypatch.setattr(queries.Client, "check_client_secret", slow)
    async with browser_for(app) as http:

        async def token_request() -> float:
            response = await http.post(
                "/oauth/token",
                auth=(unri.client_id, unri.client_secret or ""),
                data={"grant_type": "client_credentials"},
            )
            assert response.status_code == 200, response.text
            return time.monotonic()

        async def quick_request() -> tuple[float, float]:
            await asyncio.sleep(0.2)
            began = time.monotonic()
            response = await http.post("/graphql", json={"query": "{ organizations(kind: UNIVERSITY) { code } }"})
            assert response.status_code == 200 and len(response.json()["data"]["organizations"]) == 4
            return time.monotonic() - began, time.monotonic()

        started = time.monotonic()
        token_done, *quick = await asyncio.gather(token_request(), *(quick_request() for _ in range(5)))

    assert token_done - started >= 1.0
    for took, done in quick:
        assert took < 0.5
        assert done < token_done


# --- pages: language, labels, headers -------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "title", "label"),
    [
        ("id-ID,id;q=0.9,en;q=0.5", "Masuk ke Council", "Nama pengguna"),
        ("en-GB,en;q=0.9", "Sign in to Council", "Username"),
        (None, "Sign in to Council", "Username"),
    ],
)
async def test_sign_in_page_speaks_the_readers_language(app: Any, accept: str | None, title: str, label: str) -> None:
    web = await web_client()
    _, challenge = pkce_pair()
    async with browser_for(app) as http:
        page = await http.get(
            f"/oauth/authorize?{urlencode(authorize_params(web.client_id, challenge))}",
            headers={"Accept-Language": accept} if accept else {},
        )

    assert page.status_code == 200
    assert f"<h1>{title}</h1>" in page.text
    assert f'<label for="username">{label}</label>' in page.text
    assert 'id="password" name="password"' in page.text and 'autocomplete="current-password"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/oauth/authorize" in cookie


def test_every_scope_and_message_has_both_languages() -> None:
    scopes = {k.removeprefix("scope.") for k in MESSAGES if k.startswith("scope.")}
    assert scopes == set(ALL_SCOPES)
    pages = [k for k in MESSAGES if k.startswith("page.")]
    assert "page.sign_in_title" in pages and "page.bad_credentials" in pages
    for key, texts in MESSAGES.items():
        assert set(texts) == {"id", "en"}, key


# --- clients and members ---------------------------------------------------------------------


async def test_a_university_machine_client_acts_as_a_service_member() -> None:
    unri = await machine_client()

    assert unri.machine and unri.grant_types == ["client_credentials"] and unri.client_secret
    assert unri.scopes == ["proposals:read", "reviews:write"]
    member = await Member.get(username=unri.service_username)
    org = await member.organization
    assert member.roles == [Role.UNIVERSITY_REVIEWER.value] and org.code == "unri"
    assert member.password_hash == ""
    row = await OAuthClient.get(client_id=unri.client_id)
    assert unri.client_secret not in row.secret_hash and row.secret_hash == queries.digest(unri.client_secret)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"organization": "unri", "client_type": "confidential", "scopes": ["votes:write"]}, "at most"),
        (
            {"organization": "unri", "client_type": "confidential", "redirect_uris": ["https://unri.ac.id/cb"]},
            "no redirect",
        ),
        ({"redirect_uris": []}, "at least one --redirect-uri"),
        ({"redirect_uris": ["http://client.example/cb"]}, "https"),
        ({"redirect_uris": ["https://client.example/cb#x"]}, "fragment"),
        ({"redirect_uris": ["/callback"]}, "absolute"),
        ({"scopes": ["root"]}, "unknown scope"),
        ({"organization": "nowhere"}, "no organisation"),
        ({"client_type": "secret"}, "--type"),
        ({"name": "  "}, "name"),
    ],
)
async def test_bad_client_registrations_are_refused(changes: dict[str, Any], reason: str) -> None:
    arguments: dict[str, Any] = {
        "name": "Web",
        "organization": "diskominfotik",
        "client_type": "public",
        "redirect_uris": ["https://council.example/cb"],
        "scopes": [],
    }
    with pytest.raises(ClientError, match=reason):
        await create_client(**{**arguments, **changes})
    assert await OAuthClient.all().count() == 0


async def test_members_get_argon2id_passwords() -> None:
    member_id = await create_member(
        "dewi.baru", name="Dewi Baru", organization="council", roles=["council_member"], password="kata-sandi-panjang"
    )
    member = await Member.get(id=member_id)
    assert member.password_hash.startswith("$argon2id$")
    assert check_password(member.password_hash, "kata-sandi-panjang") == (True, None)

    await set_password("dewi.baru", "kata-sandi-lain-2018")
    member = await Member.get(id=member_id)
    assert check_password(member.password_hash, "kata-sandi-panjang")[0] is False


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda: create_member("Bad Name", name="x", organization="council", roles=["council_member"]), "username"),
        (lambda: create_member("client.x", name="x", organization="council", roles=["council_member"]), "client."),
        (lambda: create_member("sekda", name="x", organization="council", roles=["council_member"]), "exists"),
        (lambda: create_member("baru", name="x", organization="council", roles=["mayor"]), "roles"),
        (lambda: create_member("baru", name="x", organization="nowhere", roles=["admin"]), "organisation"),
        (lambda: set_password("sekda", "short"), "10 to 256"),
        (lambda: set_password("nobody.here", "long-enough-pw"), "no member"),
    ],
)
async def test_bad_member_commands_are_refused(call: Any, reason: str) -> None:
    with pytest.raises(MemberError, match=reason):
        await call()


# --- the CLI ---------------------------------------------------------------------------------


def council(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the ``council`` command on the suite's database and keys (the environment conftest set)."""
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([COUNCIL, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)


async def test_cli_creates_clients_and_prints_the_secret_once() -> None:
    machine = council(
        "clients",
        "create",
        "--name",
        "Unri reviews",
        "--organization",
        "unri",
        "--type",
        "confidential",
        "--scope",
        "proposals:read",
        "--scope",
        "reviews:write",
    )
    web = council(
        "clients",
        "create",
        "--name",
        "Council web",
        "--organization",
        "diskominfotik",
        "--type",
        "public",
        "--redirect-uri",
        "http://127.0.0.1:8080/callback",
    )

    assert machine.returncode == 0, machine.stderr
    lines = machine.stdout.splitlines()
    assert [line.split("=")[0] for line in lines] == ["client_id", "client_secret"]
    client_id, secret = (line.split("=", 1)[1] for line in lines)
    assert "university machine client" in machine.stderr and f"acts as member client.{client_id}" in machine.stderr
    row = await OAuthClient.get(client_id=client_id)
    assert row.secret_hash == queries.digest(secret) and row.grant_types == ["client_credentials"]
    assert web.returncode == 0 and web.stdout.startswith("client_id=diskominfotik-") and "secret" not in web.stdout


async def test_cli_creates_members_and_sets_passwords() -> None:
    created = council(
        "members",
        "create",
        "anggota.baru",
        "--name",
        "Anggota Baru",
        "--organization",
        "council",
        "--role",
        "council_member",
        "--password-stdin",
        stdin="kata-sandi-panjang\n",
    )
    weak = council("members", "set-password", "anggota.baru", "--password-stdin", stdin="pendek\n")

    assert created.returncode == 0, created.stderr
    assert "created member anggota.baru" in created.stdout
    member = await Member.get(username="anggota.baru")
    assert member.roles == ["council_member"] and check_password(member.password_hash, "kata-sandi-panjang")[0]
    assert weak.returncode == 1 and "10 to 256 characters" in weak.stderr
