"""The signing keys in the database: the first key, the secret, the upgrade from key files, the reloads.

Each test has a fresh SQLite database and keys folder of its own (:class:`Home`)
and drives it through the ``council`` command and ``council serve`` on loopback;
the database is read with sqlite3 only to look at what is stored. Several
servers on PostgreSQL and Redis: tests/test_keys_nodes.py.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from joserfc import jwt
from joserfc.jwk import ECKey
from serve_process import COUNCIL, ServeProcess, free_port

_UNSET = ("COUNCIL_KEYS_SECRET", "COUNCIL_REDIS_URL", "COUNCIL_TOKEN_ISSUER", "COUNCIL_MODE")


def header(token: str) -> dict[str, Any]:
    head = token.split(".")[0]
    result: dict[str, Any] = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    return result


def sign(key: ECKey, claims: dict[str, Any]) -> str:
    return jwt.encode({"typ": "at+jwt", "alg": "ES256", "kid": key.kid}, claims, key, algorithms=["ES256"])


class Home:
    """A city of its own: an SQLite file and a keys folder under ``folder``, migrated."""

    def __init__(self, folder: Path, **env: str) -> None:
        self.folder = folder
        self.keys_dir = folder / "keys"
        self.database = folder / "council.sqlite3"
        base = {k: v for k, v in os.environ.items() if k not in _UNSET}
        self.env = {
            **base,
            "COUNCIL_DATABASE_URL": f"sqlite://{self.database}",
            "COUNCIL_KEYS_DIR": str(self.keys_dir),
            "COUNCIL_MODE": "development",
            "COUNCIL_SCHEDULER_INTERVAL": "0",
            "COUNCIL_LOG_LEVEL": "warning",
            **env,
        }
        self.ok("migrate")

    def council(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [COUNCIL, *args], env={**self.env, **env}, capture_output=True, text=True, timeout=120, cwd=self.folder
        )

    def ok(self, *args: str, **env: str) -> str:
        done = self.council(*args, **env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def listed(self, **env: str) -> list[list[str]]:
        """``council keys list``: [kid, created, current|previous] per key."""
        return [line.split() for line in self.ok("keys", "list", **env).splitlines()]

    def rows(self) -> list[dict[str, Any]]:
        with sqlite3.connect(self.database) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM signing_key ORDER BY seq DESC")]

    def member_id(self, username: str) -> int:
        with sqlite3.connect(self.database) as db:
            return int(db.execute("SELECT id FROM member WHERE username = ?", (username,)).fetchone()[0])


class Server(ServeProcess):
    """``council serve`` for a :class:`Home` on a free port (its issuer: its own address)."""

    def __init__(self, home: Home, **env: str) -> None:
        port = free_port()
        super().__init__(home.folder / f"serve-{port}.log", port, base=home.env, cwd=home.folder, **env)

    def ready(self) -> Server:
        self.wait_ready()
        return self

    def refused(self) -> str:
        """Wait for the server to give up starting; its output."""
        code = self.process.wait(timeout=60)
        assert code != 0, self.output()
        return self.output()

    def jwks(self) -> list[str]:
        return [k["kid"] for k in httpx.get(f"{self.base}/.well-known/jwks.json", timeout=10).json()["keys"]]

    def viewer(self, token: str) -> httpx.Response:
        return httpx.post(
            f"{self.base}/graphql",
            json={"query": "{ viewer { username } }"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    def client_token(self, client_id: str, secret: str) -> str:
        response = httpx.post(
            f"{self.base}/oauth/token", auth=(client_id, secret), data={"grant_type": "client_credentials"}, timeout=10
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def claims(self, member_id: int, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.base,
            "aud": "council-api",
            "sub": str(member_id),
            "exp": now + 600,
            "iat": now,
            "nbf": now,
            "jti": f"jti-{now}-{member_id}",
            "client_id": "council-cli",
            "scope": "proposals:read",
            **changes,
        }


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)


@pytest.fixture
def servers() -> Any:
    """Started servers, stopped after the test: ``servers(home, **env)``."""
    started: list[Server] = []

    def start(home: Home, **env: str) -> Server:
        started.append(Server(home, **env))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def machine_client(home: Home) -> tuple[str, str]:
    out = home.ok("clients", "create", "--name", "Unri", "--organization", "unri", "--type", "confidential")
    values = dict(line.split("=", 1) for line in out.splitlines())
    return values["client_id"], values["client_secret"]


# --- the first key and the secret ------------------------------------------------------------------


def test_the_first_key_is_stored_encrypted_with_a_development_secret(home: Home) -> None:
    (listed,) = home.listed()
    (row,) = home.rows()
    secret = home.keys_dir / "keys-secret"

    assert listed[0] == row["kid"] and listed[2] == "current"
    assert secret.stat().st_mode & 0o777 == 0o600
    public = json.loads(row["public_jwk"])
    assert set(public) == {"kty", "crv", "x", "y", "kid", "alg", "use"} and public["kid"] == row["kid"]
    private = json.loads(Fernet(secret.read_text().strip()).decrypt(row["private_jwk"].encode()))
    assert private["kid"] == row["kid"] and private["d"] not in row["private_jwk"]
    assert ECKey.import_key(private).as_dict(private=False) == public
    assert home.listed() == [listed]  # read, not made again


def test_processes_starting_at_once_agree_on_the_first_key(home: Home) -> None:
    runs = [
        subprocess.Popen([COUNCIL, "keys", "list"], env=home.env, stdout=subprocess.PIPE, text=True) for _ in range(6)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]

    assert [run.returncode for run in runs] == [0] * 6
    assert len({out.split()[0] for out in outputs}) == 1
    assert len(home.rows()) == 1


def test_rotation_keeps_two_and_prints_the_new_kid(home: Home) -> None:
    first = home.listed()[0][0]
    second = home.ok("keys", "rotate").strip()
    third = home.ok("keys", "rotate").strip()

    assert len({first, second, third}) == 3
    assert [(line[0], line[2]) for line in home.listed()] == [(third, "current"), (second, "previous")]
    assert [r["kid"] for r in home.rows()] == [third, second]


@pytest.mark.slow
def test_production_without_the_secret_refuses_to_start(home: Home, servers: Any) -> None:
    output = servers(home, COUNCIL_MODE="production").refused()
    done = home.council("keys", "list", COUNCIL_MODE="production")

    assert "COUNCIL_KEYS_SECRET is not set" in output
    assert done.returncode == 1 and "COUNCIL_KEYS_SECRET is not set" in done.stderr
    assert home.rows() == []  # nothing stored without a secret
    assert not (home.keys_dir / "keys-secret").exists()  # and no secret made up


@pytest.mark.slow
def test_production_with_a_secret_serves(home: Home, servers: Any) -> None:
    secret = Fernet.generate_key().decode()
    kid = home.listed(COUNCIL_MODE="production", COUNCIL_KEYS_SECRET=secret)[0][0]
    server = servers(home, COUNCIL_MODE="production", COUNCIL_KEYS_SECRET=secret).ready()

    assert server.jwks() == [kid]
    assert not (home.keys_dir / "keys-secret").exists()


@pytest.mark.slow
def test_a_wrong_secret_is_a_clear_error_at_start(home: Home, servers: Any) -> None:
    right, wrong = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    home.listed(COUNCIL_KEYS_SECRET=right)

    output = servers(home, COUNCIL_KEYS_SECRET=wrong).refused()
    listed = home.council("keys", "list", COUNCIL_KEYS_SECRET=wrong)
    token = home.council("token", "admin", COUNCIL_KEYS_SECRET=wrong)
    malformed = home.council("keys", "rotate", COUNCIL_KEYS_SECRET="not-a-fernet-key")

    assert "cannot be decrypted with COUNCIL_KEYS_SECRET" in output
    for done in (listed, token):
        assert done.returncode == 1 and "cannot be decrypted with COUNCIL_KEYS_SECRET" in done.stderr
        assert "Traceback" not in done.stderr
    assert malformed.returncode == 1 and "COUNCIL_KEYS_SECRET: entry 1 is not a Fernet key" in malformed.stderr
    assert len(home.rows()) == 1


def test_the_secret_can_be_changed_without_a_flag_day(home: Home) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    kid = home.listed(COUNCIL_KEYS_SECRET=old)[0][0]

    assert home.listed(COUNCIL_KEYS_SECRET=f"{new},{old}")[0][0] == kid  # the old one still decrypts
    assert home.council("keys", "list", COUNCIL_KEYS_SECRET=new).returncode == 1  # not yet rewrapped
    assert "re-encrypted 1 key(s)" in home.ok("keys", "rewrap", COUNCIL_KEYS_SECRET=f"{new},{old}")
    assert "re-encrypted 0 key(s)" in home.ok("keys", "rewrap", COUNCIL_KEYS_SECRET=f"{new},{old}")
    assert home.listed(COUNCIL_KEYS_SECRET=new)[0][0] == kid
    assert home.council("keys", "list", COUNCIL_KEYS_SECRET=old).returncode == 1


def test_keys_secret_prints_a_usable_secret(home: Home) -> None:
    secret = home.ok("keys", "secret").strip()
    assert len(Fernet(secret).encrypt(b"x")) > 0
    assert home.listed(COUNCIL_KEYS_SECRET=secret)[0][2] == "current"


# --- the upgrade from key files -----------------------------------------------------------------------


@pytest.mark.slow
def test_key_files_of_an_earlier_version_are_imported_and_keep_verifying(home: Home, servers: Any) -> None:
    home.keys_dir.mkdir()
    old = [ECKey.generate_key("P-256", parameters={"alg": "ES256", "use": "sig"}, auto_kid=True) for _ in range(3)]
    for number, key in enumerate(old, 1):
        (home.keys_dir / f"key-{number:06d}.jwk.json").write_text(json.dumps(key.as_dict(private=True)))
    home.ok("seed", "pekanbaru-2018")

    server = servers(home).ready()
    admin = home.member_id("admin")

    assert [r["kid"] for r in home.rows()] == [old[2].kid, old[1].kid]  # the two kept ones, newest current
    assert [r["seq"] for r in home.rows()] == [3, 2]
    assert server.jwks() == [old[2].kid, old[1].kid]
    assert server.viewer(sign(old[1], server.claims(admin))).json()["data"]["viewer"] == {"username": "admin"}
    assert server.viewer(sign(old[0], server.claims(admin))).status_code == 401  # was pruned before, too
    assert [line[0] for line in home.listed()] == [old[2].kid, old[1].kid]

    (home.keys_dir / "key-000004.jwk.json").write_text(json.dumps(old[0].as_dict(private=True)))
    assert home.ok("keys", "rotate").strip() not in {k.kid for k in old}  # the files are read no more
    assert [r["seq"] for r in home.rows()] == [4, 3]


# --- one server, no Redis: the periodic re-read ----------------------------------------------------


@pytest.mark.slow
def test_without_redis_a_rotation_reaches_the_server_within_the_interval(home: Home, servers: Any) -> None:
    home.ok("seed", "pekanbaru-2018")
    client = machine_client(home)
    server = servers(home, COUNCIL_KEYS_RELOAD_INTERVAL="0.5").ready()
    first = header(server.client_token(*client))["kid"]

    kid = home.ok("keys", "rotate").strip()

    deadline = time.monotonic() + 30
    while header(server.client_token(*client))["kid"] != kid:  # signs with the new key once it re-read the table
        assert time.monotonic() < deadline, f"still signing with {first}:\n{server.output()}"
        time.sleep(0.2)
    assert server.jwks() == [kid, first]
