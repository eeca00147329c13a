"""Bearer tokens: rotation, RFC 9068 access tokens, the header backend, ``council token``.

Crafted bad tokens are checked against :func:`verify_access_token` directly,
with the keys the suite's app loaded; the CLI runs on the suite's database.
The key store on fresh databases, with secrets, files and several servers:
tests/test_keys.py and tests/test_keys_nodes.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from council.auth import keys
from council.auth.scopes import ALL_SCOPES
from council.auth.tokens import TokenError, issue_access_token, verify_access_token
from council.oauth2.backend import AuthenticationFailed, principal_from_authorization, www_authenticate
from council.organizations.models import Member
from council.settings import get_settings

COUNCIL = str(Path(sys.executable).with_name("council"))

# --- helpers -------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "==")),
        json.loads(base64.urlsafe_b64decode(payload + "==")),
    )


def good_claims(**changes: Any) -> dict[str, Any]:
    settings = get_settings()
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": "7",
        "exp": now + 600,
        "iat": now,
        "nbf": now,
        "jti": "jti-1",
        "client_id": "council-cli",
        "scope": "proposals:read",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def sign(claims: dict[str, Any], *, key: ECKey | None = None, **header: Any) -> str:
    """A token signed ES256 like the real ones, with ``claims`` and ``header`` as given."""
    key = key or keys.signing_key()
    return jwt.encode({"typ": "at+jwt", "alg": "ES256", "kid": key.kid, **header}, claims, key, algorithms=["ES256"])


def refused(token: str) -> str:
    with pytest.raises(TokenError) as info:
        verify_access_token(token)
    return str(info.value)


def council(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``council`` command on the suite's database (the environment conftest set)."""
    return subprocess.run([COUNCIL, *args], capture_output=True, text=True, timeout=60)


# --- the key store (the rest of it, on other databases and with other secrets: tests/test_keys*.py) ----------


async def test_rotation_keeps_the_previous_key_only() -> None:
    before = issue_access_token(member_id=7, username="opd.kominfo", scopes=["proposals:read"])
    first = keys.signing_key().kid

    second = await keys.rotate()
    assert keys.signing_key().kid == second
    assert [k["kid"] for k in keys.public_jwks()["keys"]] == [second, first]
    assert verify_access_token(before)["sub"] == "7"

    third = await keys.rotate()
    assert [k.kid for k in keys.verification_keys()] == [third, second]
    assert [k.kid for k in await keys.stored_keys()] == [third, second]
    assert refused(before) == "unknown key id"


async def test_a_rotation_by_the_cli_is_seen_by_the_api(client: Any, gql: Any) -> None:
    first = keys.signing_key().kid
    rotated = council("keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    kid = rotated.stdout.strip()
    minted = council("token", "admin")
    assert minted.returncode == 0, minted.stderr
    assert segments(minted.stdout.strip())[0]["kid"] == kid != first

    # a token signed with a key this process has not read yet: it reads the table before refusing
    result = await gql("{ viewer { username } }", token=minted.stdout.strip())
    assert result["data"] == {"viewer": {"username": "admin"}}
    jwks = (await client.get("/.well-known/jwks.json")).json()["keys"]
    assert [k["kid"] for k in jwks] == [kid, first]
    assert all(set(k) == {"kty", "crv", "x", "y", "kid", "alg", "use"} for k in jwks)
    assert segments(issue_access_token(member_id=1, username="a", scopes=["admin"]))[0]["kid"] == kid


def test_cli_lists_the_keys_current_first() -> None:
    listed = council("keys", "list")

    assert listed.returncode == 0, listed.stderr
    lines = [line.split() for line in listed.stdout.splitlines()]
    assert [line[0] for line in lines] == [k.kid for k in keys.verification_keys()]
    assert [line[2] for line in lines] == ["current", "previous"][: len(lines)]
    for line in lines:
        assert datetime.fromisoformat(line[1]).utcoffset() == timedelta(0)


async def test_a_token_of_an_unknown_key_is_refused_over_http(gql: Any) -> None:
    stranger = ECKey.generate_key("P-256", auto_kid=True)
    result = await gql("{ __typename }", token=sign(good_claims(), key=stranger), status=401)
    assert result["errors"][0]["message"] == "invalid_token: unknown key id"


# --- issuing and verifying -------------------------------------------------------


def test_token_verifies_and_has_every_claim() -> None:
    token = issue_access_token(
        member_id=12, username="opd.kominfo", scopes=["proposals:write", "proposals:read", "proposals:read"], ttl=120
    )
    header, _ = segments(token)
    claims = verify_access_token(token)
    settings = get_settings()

    assert header == {"typ": "at+jwt", "alg": "ES256", "kid": keys.signing_key().kid}
    assert set(claims) == {"iss", "aud", "sub", "exp", "iat", "nbf", "jti", "client_id", "scope", "preferred_username"}
    assert claims["iss"] == settings.token_issuer
    assert claims["aud"] == settings.token_audience
    assert claims["sub"] == "12"
    assert claims["preferred_username"] == "opd.kominfo"
    assert claims["client_id"] == "council-cli"
    assert claims["scope"] == "proposals:read proposals:write"
    assert claims["exp"] - claims["iat"] == 120
    assert claims["nbf"] == claims["iat"]
    assert abs(claims["iat"] - time.time()) < 5


def test_each_token_has_its_own_jti() -> None:
    tokens = [issue_access_token(member_id=1, username="a", scopes=["admin"]) for _ in range(3)]
    assert len({verify_access_token(t)["jti"] for t in tokens}) == 3


def test_default_lifetime_is_the_setting() -> None:
    claims = verify_access_token(issue_access_token(member_id=1, username="a", scopes=["admin"]))
    assert claims["exp"] - claims["iat"] == get_settings().token_ttl


@pytest.mark.parametrize(
    ("scopes", "ttl"), [(["proposals:read", "root"], None), ([], None), (["admin"], 0), (["admin"], -5)]
)
def test_issue_refuses_bad_input(scopes: list[str], ttl: int | None) -> None:
    with pytest.raises(ValueError):
        issue_access_token(member_id=1, username="a", scopes=scopes, ttl=ttl)


def test_alg_none_is_refused() -> None:
    kid = keys.signing_key().kid
    token = f"{b64json({'typ': 'at+jwt', 'alg': 'none', 'kid': kid})}.{b64json(good_claims())}."
    assert "'none'" in refused(token)


def test_hs256_signed_with_the_public_key_is_refused() -> None:
    key = keys.signing_key()
    for secret in (key.as_pem(private=False), json.dumps(keys.public_jwks()["keys"][0]).encode()):
        signing_input = f"{b64json({'typ': 'at+jwt', 'alg': 'HS256', 'kid': key.kid})}.{b64json(good_claims())}"
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        assert "'HS256'" in refused(f"{signing_input}.{b64(mac)}")


def test_hs256_with_an_empty_key_is_refused() -> None:
    kid = keys.signing_key().kid
    signing_input = f"{b64json({'typ': 'at+jwt', 'alg': 'HS256', 'kid': kid})}.{b64json(good_claims())}"
    mac = hmac.new(b"", signing_input.encode(), hashlib.sha256).digest()
    assert "'HS256'" in refused(f"{signing_input}.{b64(mac)}")


def test_expired_token_is_refused_after_the_leeway() -> None:
    now = int(time.time())
    assert refused(sign(good_claims(exp=now - 31, iat=now - 700, nbf=now - 700))) == "token expired"
    assert verify_access_token(sign(good_claims(exp=now - 10, iat=now - 700, nbf=now - 700)))["sub"] == "7"


def test_token_not_yet_valid_is_refused() -> None:
    now = int(time.time())
    assert refused(sign(good_claims(nbf=now + 120))) == "token not yet valid"
    assert refused(sign(good_claims(iat=now + 120, nbf=None))) == "token issued in the future"


def test_wrong_audience_is_refused() -> None:
    assert refused(sign(good_claims(aud="another-api"))) == "wrong audience"
    assert refused(sign(good_claims(aud=["another-api", "third-api"]))) == "wrong audience"
    assert verify_access_token(sign(good_claims(aud=["another-api", get_settings().token_audience])))


def test_wrong_issuer_is_refused() -> None:
    assert refused(sign(good_claims(iss="https://evil.example"))) == "wrong issuer"


def test_unknown_kid_is_refused() -> None:
    keys.signing_key()
    stranger = ECKey.generate_key("P-256", auto_kid=True)
    assert refused(sign(good_claims(), key=stranger)) == "unknown key id"


def test_missing_kid_is_refused() -> None:
    key = keys.signing_key()
    token = jwt.encode({"typ": "at+jwt", "alg": "ES256"}, good_claims(), key, algorithms=["ES256"])
    assert refused(token) == "token has no key id"


def test_tampered_payload_is_refused() -> None:
    token = issue_access_token(member_id=7, username="opd.kominfo", scopes=["proposals:read"])
    header, payload, signature = token.split(".")
    claims = segments(token)[1]
    claims["scope"] = "admin proposals:read"
    assert refused(f"{header}.{b64json(claims)}.{signature}") == "bad signature"


def test_a_token_of_another_type_is_refused() -> None:
    assert "typ" in refused(sign(good_claims(), typ="JWT"))
    assert "unexpected header" in refused(sign(good_claims(), jku="https://evil.example/jwks"))


@pytest.mark.parametrize("claim", ["sub", "jti", "scope", "exp", "aud", "iss", "client_id"])
def test_a_required_claim_missing_is_refused(claim: str) -> None:
    assert refused(sign(good_claims(**{claim: None}))) == f"missing claim(s): {claim}"


@pytest.mark.parametrize("claim", ["sub", "jti", "scope"])
def test_a_blank_required_claim_is_refused(claim: str) -> None:
    assert refused(sign(good_claims(**{claim: ""}))).startswith("invalid claim")


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "a.b", "é.é.é", b64json("alg") + ".e30."])
def test_garbage_is_refused(token: str) -> None:
    assert refused(token) == "malformed token"


# --- the Authorization header ------------------------------------------------------


async def probe(headers: list[str | None], counter: Any) -> list[dict[str, Any]]:
    """What :func:`principal_from_authorization` makes of each header, with the SELECTs it ran."""
    out: list[dict[str, Any]] = []
    for header in headers:
        counter.statements.clear()
        try:
            p = await principal_from_authorization(header)
        except AuthenticationFailed as exc:
            out.append(
                {
                    "error": exc.error,
                    "description": exc.description,
                    "status": exc.status_code,
                    "www": www_authenticate(exc),
                }
            )
        else:
            out.append(
                {
                    "member_id": p.member_id,
                    "username": p.username,
                    "organization_id": p.organization_id,
                    "roles": sorted(p.roles),
                    "scopes": sorted(p.scopes),
                    "token_id": p.token_id,
                    "selects": len(counter.statements),
                }
            )
    return out


async def member(username: str) -> Member:
    return await Member.get(username=username)


async def test_bearer_token_gives_the_member_with_scopes_narrowed_to_roles(count_statements: Any) -> None:
    officer = await member("opd.kominfo")
    token = issue_access_token(member_id=officer.id, username="opd.kominfo", scopes=["admin", "proposals:read"])
    jti = verify_access_token(token)["jti"]

    bearer, lower_case = await probe([f"Bearer {token}", f"bearer  {token} "], count_statements)

    assert (
        bearer
        == lower_case
        == {
            "member_id": officer.id,
            "username": "opd.kominfo",
            "organization_id": officer.organization_id,
            "roles": ["opd_officer"],
            "scopes": ["proposals:read"],
            "token_id": jti,
            "selects": 1,
        }
    )


async def test_no_header_is_anonymous(count_statements: Any) -> None:
    (anonymous,) = await probe([None], count_statements)
    assert anonymous["member_id"] is None and anonymous["scopes"] == [] and anonymous["selects"] == 0


async def test_bad_headers_are_refused_per_rfc6750(count_statements: Any) -> None:
    pensiunan = await retired_officer()
    inactive = issue_access_token(member_id=pensiunan.id, username="pensiunan", scopes=["proposals:read"])
    unknown = issue_access_token(member_id=999_999, username="ghost", scopes=["proposals:read"])
    expired = sign(good_claims(sub=str((await member("admin")).id), exp=int(time.time()) - 120))

    basic, empty, spaced, garbage, gone, ghost, late = await probe(
        [
            "Basic b3BkOnNlY3JldA==",
            "Bearer ",
            "Bearer a b",
            "Bearer not.a.token",
            f"Bearer {inactive}",
            f"Bearer {unknown}",
            f"Bearer {expired}",
        ],
        count_statements,
    )

    for answer in (basic, empty, spaced):
        assert (answer["error"], answer["status"]) == ("invalid_request", 400)
    for answer in (garbage, gone, ghost, late):
        assert (answer["error"], answer["status"]) == ("invalid_token", 401)
    assert gone["description"] == ghost["description"] == "unknown or inactive member"
    assert late["www"] == 'Bearer error="invalid_token", error_description="token expired"'


async def retired_officer() -> Member:
    officer = await member("opd.kominfo")
    return await Member.create(
        username="pensiunan",
        display_name="Pensiunan",
        organization_id=officer.organization_id,
        roles=["opd_officer"],
        is_active=False,
    )


def test_www_authenticate_keeps_to_the_rfc6750_charset() -> None:
    value = www_authenticate(AuthenticationFailed("invalid_token", 'say "hi" \\ bye é'))
    assert value == 'Bearer error="invalid_token", error_description="say ?hi? ? bye ?"'
    assert www_authenticate(None) == "Bearer"


# --- council token ----------------------------------------------------------------


async def test_cli_token_has_every_scope_of_the_roles() -> None:
    done = council("token", "opd.kominfo")

    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert done.stdout == token + "\n"
    claims = verify_access_token(token)
    assert claims["sub"] == str((await member("opd.kominfo")).id)
    assert claims["preferred_username"] == "opd.kominfo"
    assert claims["scope"] == "implementation:write proposals:read proposals:write"
    assert claims["exp"] - claims["iat"] == get_settings().token_ttl
    assert "implementation:write proposals:read proposals:write" in done.stderr
    assert "expires" in done.stderr


def test_cli_drops_a_scope_the_roles_do_not_allow() -> None:
    done = council(
        "token",
        "opd.kominfo",
        "--scope",
        "votes:write",
        "--scope",
        "proposals:read",
        "--ttl",
        "60",
    )

    assert done.returncode == 0, done.stderr
    claims = verify_access_token(done.stdout.strip())
    assert claims["scope"] == "proposals:read"
    assert claims["exp"] - claims["iat"] == 60
    assert "dropped votes:write" in done.stderr


def test_cli_admin_may_ask_for_admin() -> None:
    done = council("token", "admin", "--scope", "admin")
    assert done.returncode == 0, done.stderr
    assert verify_access_token(done.stdout.strip())["scope"] == "admin"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nobody.here"], ["nobody.here"]),
        (["pensiunan"], ["pensiunan", "inactive"]),
        (["opd.kominfo", "--scope", "proposals:delete"], ["proposals:delete", *ALL_SCOPES]),
        (["opd.kominfo", "--scope", "admin"], ["none of the requested scopes"]),
        (["opd.kominfo", "--ttl", "0"], ["--ttl"]),
        (["opd.kominfo", "--ttl", "86401"], ["--ttl"]),
    ],
)
async def test_cli_errors_exit_1_and_say_why(args: list[str], expected: list[str]) -> None:
    await retired_officer()
    done = council("token", *args)

    assert done.returncode == 1
    assert done.stdout == ""
    for text in expected:
        assert text in done.stderr


# --- through the API -----------------------------------------------------------


async def test_api_accepts_a_token(gql: Any, token: Any) -> None:
    result = await gql("{ __typename viewer { username } }", token=await token("opd.kominfo"))

    assert result["data"] == {"__typename": "Query", "viewer": {"username": "opd.kominfo"}}


async def test_api_refuses_a_bad_token(client: Any) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer not.a.token"}
    )

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert not response.json().get("data")
