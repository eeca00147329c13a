"""Bearer tokens: the key store, RFC 9068 access tokens, the header backend, ``council token``.

Crafted bad tokens are checked against :func:`verify_access_token` directly;
the backend and the CLI run in subprocesses on their own SQLite file, so they
never touch the ORM state of the rest of the suite.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from council.auth import keys
from council.auth.scopes import ALL_SCOPES
from council.auth.tokens import TokenError, issue_access_token, verify_access_token
from council.settings import get_settings

COUNCIL = str(Path(sys.executable).with_name("council"))

SEED_MEMBERS = """
import asyncio, json
from tortoise import Tortoise
from council.db import tortoise_config
from council.organizations.models import Member, Organization

async def main():
    await Tortoise.init(config=tortoise_config())
    try:
        org = await Organization.create(code="diskominfotik", name="Diskominfotik Pekanbaru", kind="opd")
        ids = {}
        for username, roles, active in [
            ("opd.kominfo", ["opd_officer"], True),
            ("admin", ["admin"], True),
            ("pensiunan", ["opd_officer"], False),
        ]:
            member = await Member.create(
                username=username, display_name=username, organization=org, roles=roles, is_active=active
            )
            ids[username] = member.id
        print(json.dumps({"organization_id": org.id, "members": ids}))
    finally:
        await Tortoise.close_connections()

asyncio.run(main())
"""

PROBE_BACKEND = """
import asyncio, json, logging, sys
from tortoise import Tortoise
from council.oauth2.backend import AuthenticationFailed, principal_from_authorization, www_authenticate
from council.db import tortoise_config

class Count(logging.Handler):
    selects = 0
    def emit(self, record):
        if record.getMessage().lstrip().upper().startswith("SELECT"):
            Count.selects += 1

log = logging.getLogger("tortoise.db_client")
log.setLevel(logging.DEBUG)
log.addHandler(Count())

async def main():
    await Tortoise.init(config=tortoise_config())
    out = []
    try:
        for header in json.load(sys.stdin):
            Count.selects = 0
            try:
                p = await principal_from_authorization(header)
            except AuthenticationFailed as exc:
                out.append({"error": exc.error, "description": exc.description,
                            "status": exc.status_code, "www": www_authenticate(exc)})
            else:
                out.append({"member_id": p.member_id, "username": p.username,
                            "organization_id": p.organization_id, "roles": sorted(p.roles),
                            "scopes": sorted(p.scopes), "token_id": p.token_id, "selects": Count.selects})
    finally:
        await Tortoise.close_connections()
    print(json.dumps(out))

asyncio.run(main())
"""


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


def environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COUNCIL_DATABASE_URL": f"sqlite://{folder / 'x.sqlite3'}",
        "COUNCIL_KEYS_DIR": str(folder / "keys"),
    }


def council(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COUNCIL, *args], env=env, capture_output=True, text=True, timeout=60)


def python(env: dict[str, str], script: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def use_keys_dir(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    monkeypatch.setenv("COUNCIL_KEYS_DIR", str(folder))
    get_settings.cache_clear()


@pytest.fixture
def key_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh, empty key folder for this test."""
    folder = tmp_path / "keys"
    use_keys_dir(monkeypatch, folder)
    yield folder
    get_settings.cache_clear()  # monkeypatch restores the environment after this


@pytest.fixture(scope="module")
def council_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A migrated SQLite database with one OPD, an officer, an admin and an inactive officer."""
    folder = tmp_path_factory.mktemp("council")
    env = environment(folder)
    migrated = council(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    seeded = json.loads(python(env, SEED_MEMBERS))
    return {"env": env, "folder": folder, **seeded}


@pytest.fixture
def council_keys(council_db: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """This process verifies and issues with the key folder of :func:`council_db`."""
    use_keys_dir(monkeypatch, council_db["folder"] / "keys")
    yield council_db
    get_settings.cache_clear()


# --- the key store ---------------------------------------------------------------


def test_first_key_is_created_private_and_published_public(key_store: Path) -> None:
    key = keys.signing_key()

    files = sorted(key_store.glob("key-*.jwk.json"))
    assert len(files) == 1
    assert files[0].stat().st_mode & 0o777 == 0o600
    assert json.loads(files[0].read_text())["kid"] == key.kid
    public = {"kty": "EC", "crv": "P-256", "x": key["x"], "y": key["y"], "kid": key.kid, "alg": "ES256", "use": "sig"}
    assert keys.public_jwks() == {"keys": [public]}


def test_processes_starting_at_once_agree_on_the_first_key(key_store: Path) -> None:
    env = {**os.environ, "COUNCIL_KEYS_DIR": str(key_store)}
    script = "from council.auth.keys import signing_key; print(signing_key().kid)"
    runs = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True) for _ in range(6)
    ]
    kids = {run.communicate(timeout=60)[0].strip() for run in runs}

    assert len(kids) == 1
    assert len(list(key_store.glob("key-*.jwk.json"))) == 1
    assert not list(key_store.glob(".tmp-*"))


def test_rotation_keeps_the_previous_key_only(key_store: Path) -> None:
    before = issue_access_token(member_id=7, username="opd.kominfo", scopes=["proposals:read"])
    first = keys.signing_key().kid

    second = keys.rotate()
    assert keys.signing_key().kid == second
    assert [k["kid"] for k in keys.public_jwks()["keys"]] == [second, first]
    assert verify_access_token(before)["sub"] == "7"

    third = keys.rotate()
    assert [k.kid for k in keys.verification_keys()] == [third, second]
    assert len(list(key_store.glob("key-*.jwk.json"))) == 2
    assert refused(before) == "unknown key id"


def test_a_rotation_by_another_process_is_seen(key_store: Path) -> None:
    first = keys.signing_key().kid
    env = {**os.environ, "COUNCIL_KEYS_DIR": str(key_store)}
    rotated = subprocess.run(
        [sys.executable, "-c", "from council.auth.keys import rotate; print(rotate())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()

    assert rotated != first
    assert keys.signing_key().kid == rotated


def test_public_jwks_has_no_private_member(key_store: Path) -> None:
    keys.rotate()
    for jwk in keys.public_jwks()["keys"]:
        assert "d" not in jwk


# --- issuing and verifying -------------------------------------------------------


def test_token_verifies_and_has_every_claim(key_store: Path) -> None:
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


def test_each_token_has_its_own_jti(key_store: Path) -> None:
    tokens = [issue_access_token(member_id=1, username="a", scopes=["admin"]) for _ in range(3)]
    assert len({verify_access_token(t)["jti"] for t in tokens}) == 3


def test_default_lifetime_is_the_setting(key_store: Path) -> None:
    claims = verify_access_token(issue_access_token(member_id=1, username="a", scopes=["admin"]))
    assert claims["exp"] - claims["iat"] == get_settings().token_ttl


@pytest.mark.parametrize(
    ("scopes", "ttl"), [(["proposals:read", "root"], None), ([], None), (["admin"], 0), (["admin"], -5)]
)
def test_issue_refuses_bad_input(key_store: Path, scopes: list[str], ttl: int | None) -> None:
    with pytest.raises(ValueError):
        issue_access_token(member_id=1, username="a", scopes=scopes, ttl=ttl)


def test_alg_none_is_refused(key_store: Path) -> None:
    kid = keys.signing_key().kid
    token = f"{b64json({'typ': 'at+jwt', 'alg': 'none', 'kid': kid})}.{b64json(good_claims())}."
    assert "'none'" in refused(token)


def test_hs256_signed_with_the_public_key_is_refused(key_store: Path) -> None:
    key = keys.signing_key()
    for secret in (key.as_pem(private=False), json.dumps(keys.public_jwks()["keys"][0]).encode()):
        signing_input = f"{b64json({'typ': 'at+jwt', 'alg': 'HS256', 'kid': key.kid})}.{b64json(good_claims())}"
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        assert "'HS256'" in refused(f"{signing_input}.{b64(mac)}")


def test_hs256_with_an_empty_key_is_refused(key_store: Path) -> None:
    kid = keys.signing_key().kid
    signing_input = f"{b64json({'typ': 'at+jwt', 'alg': 'HS256', 'kid': kid})}.{b64json(good_claims())}"
    mac = hmac.new(b"", signing_input.encode(), hashlib.sha256).digest()
    assert "'HS256'" in refused(f"{signing_input}.{b64(mac)}")


def test_expired_token_is_refused_after_the_leeway(key_store: Path) -> None:
    now = int(time.time())
    assert refused(sign(good_claims(exp=now - 31, iat=now - 700, nbf=now - 700))) == "token expired"
    assert verify_access_token(sign(good_claims(exp=now - 10, iat=now - 700, nbf=now - 700)))["sub"] == "7"


def test_token_not_yet_valid_is_refused(key_store: Path) -> None:
    now = int(time.time())
    assert refused(sign(good_claims(nbf=now + 120))) == "token not yet valid"
    assert refused(sign(good_claims(iat=now + 120, nbf=None))) == "token issued in the future"


def test_wrong_audience_is_refused(key_store: Path) -> None:
    assert refused(sign(good_claims(aud="another-api"))) == "wrong audience"
    assert refused(sign(good_claims(aud=["another-api", "third-api"]))) == "wrong audience"
    assert verify_access_token(sign(good_claims(aud=["another-api", get_settings().token_audience])))


def test_wrong_issuer_is_refused(key_store: Path) -> None:
    assert refused(sign(good_claims(iss="https://evil.example"))) == "wrong issuer"


def test_unknown_kid_is_refused(key_store: Path) -> None:
    keys.signing_key()
    stranger = ECKey.generate_key("P-256", auto_kid=True)
    assert refused(sign(good_claims(), key=stranger)) == "unknown key id"


def test_missing_kid_is_refused(key_store: Path) -> None:
    key = keys.signing_key()
    token = jwt.encode({"typ": "at+jwt", "alg": "ES256"}, good_claims(), key, algorithms=["ES256"])
    assert refused(token) == "token has no key id"


def test_tampered_payload_is_refused(key_store: Path) -> None:
    token = issue_access_token(member_id=7, username="opd.kominfo", scopes=["proposals:read"])
    header, payload, signature = token.split(".")
    claims = segments(token)[1]
    claims["scope"] = "admin proposals:read"
    assert refused(f"{header}.{b64json(claims)}.{signature}") == "bad signature"


def test_a_token_of_another_type_is_refused(key_store: Path) -> None:
    assert "typ" in refused(sign(good_claims(), typ="JWT"))
    assert "unexpected header" in refused(sign(good_claims(), jku="https://evil.example/jwks"))


@pytest.mark.parametrize("claim", ["sub", "jti", "scope", "exp", "aud", "iss", "client_id"])
def test_a_required_claim_missing_is_refused(key_store: Path, claim: str) -> None:
    assert refused(sign(good_claims(**{claim: None}))) == f"missing claim(s): {claim}"


@pytest.mark.parametrize("claim", ["sub", "jti", "scope"])
def test_a_blank_required_claim_is_refused(key_store: Path, claim: str) -> None:
    assert refused(sign(good_claims(**{claim: ""}))).startswith("invalid claim")


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "a.b", "é.é.é", b64json("alg") + ".e30."])
def test_garbage_is_refused(key_store: Path, token: str) -> None:
    assert refused(token) == "malformed token"


# --- the Authorization header ------------------------------------------------------


def probe(council_keys: dict[str, Any], headers: list[str | None]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(python(council_keys["env"], PROBE_BACKEND, json.dumps(headers)))
    return result


def test_bearer_token_gives_the_member_with_scopes_narrowed_to_roles(council_keys: dict[str, Any]) -> None:
    officer = council_keys["members"]["opd.kominfo"]
    token = issue_access_token(member_id=officer, username="opd.kominfo", scopes=["admin", "proposals:read"])
    jti = verify_access_token(token)["jti"]

    bearer, lower_case = probe(council_keys, [f"Bearer {token}", f"bearer  {token} "])

    assert (
        bearer
        == lower_case
        == {
            "member_id": officer,
            "username": "opd.kominfo",
            "organization_id": council_keys["organization_id"],
            "roles": ["opd_officer"],
            "scopes": ["proposals:read"],
            "token_id": jti,
            "selects": 1,
        }
    )


def test_no_header_is_anonymous(council_keys: dict[str, Any]) -> None:
    (anonymous,) = probe(council_keys, [None])
    assert anonymous["member_id"] is None and anonymous["scopes"] == [] and anonymous["selects"] == 0


def test_bad_headers_are_refused_per_rfc6750(council_keys: dict[str, Any]) -> None:
    members = council_keys["members"]
    inactive = issue_access_token(member_id=members["pensiunan"], username="pensiunan", scopes=["proposals:read"])
    unknown = issue_access_token(member_id=999_999, username="ghost", scopes=["proposals:read"])
    expired = sign(good_claims(sub=str(members["admin"]), exp=int(time.time()) - 120))

    basic, empty, spaced, garbage, gone, ghost, late = probe(
        council_keys,
        [
            "Basic b3BkOnNlY3JldA==",
            "Bearer ",
            "Bearer a b",
            "Bearer not.a.token",
            f"Bearer {inactive}",
            f"Bearer {unknown}",
            f"Bearer {expired}",
        ],
    )

    for answer in (basic, empty, spaced):
        assert (answer["error"], answer["status"]) == ("invalid_request", 400)
    for answer in (garbage, gone, ghost, late):
        assert (answer["error"], answer["status"]) == ("invalid_token", 401)
    assert gone["description"] == ghost["description"] == "unknown or inactive member"
    assert late["www"] == 'Bearer error="invalid_token", error_description="token expired"'


def test_www_authenticate_keeps_to_the_rfc6750_charset() -> None:
    from council.oauth2.backend import AuthenticationFailed, www_authenticate

    value = www_authenticate(AuthenticationFailed("invalid_token", 'say "hi" \\ bye é'))
    assert value == 'Bearer error="invalid_token", error_description="say ?hi? ? bye ?"'
    assert www_authenticate(None) == "Bearer"


# --- council token ----------------------------------------------------------------


def test_cli_token_has_every_scope_of_the_roles(council_keys: dict[str, Any]) -> None:
    done = council(council_keys["env"], "token", "opd.kominfo")

    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert done.stdout == token + "\n"
    claims = verify_access_token(token)
    assert claims["sub"] == str(council_keys["members"]["opd.kominfo"])
    assert claims["preferred_username"] == "opd.kominfo"
    assert claims["scope"] == "implementation:write proposals:read proposals:write"
    assert claims["exp"] - claims["iat"] == get_settings().token_ttl
    assert "implementation:write proposals:read proposals:write" in done.stderr
    assert "expires" in done.stderr


def test_cli_drops_a_scope_the_roles_do_not_allow(council_keys: dict[str, Any]) -> None:
    done = council(
        council_keys["env"],
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


def test_cli_admin_may_ask_for_admin(council_keys: dict[str, Any]) -> None:
    done = council(council_keys["env"], "token", "admin", "--scope", "admin")
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
def test_cli_errors_exit_1_and_say_why(council_keys: dict[str, Any], args: list[str], expected: list[str]) -> None:
    done = council(council_keys["env"], "token", *args)

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
