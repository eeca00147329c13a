"""The commitment every OPD head signs with the mayor (issue 12, item 3), over GraphQL over HTTP.

The Pekanbaru seed gives the programme its commitment, OPEN, its required
signatories the default ones: every OPD head and the mayor (``walikota``,
the council chair) countersigning. Tokens carry ``auth_time`` as the OAuth
server puts it: minted here with the app's signer (``fresh``), by ``council
token --auth-age`` (stale), and through the real sign-in with ``max_age``.
The chains are checked by ``council audit verify``.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import yaml
from ballots import FakeClock
from oauth_steps import authorization_code, authorize_params, exchange, pkce_pair, redirect_query, sign_in

from council import clock as council_clock
from council.audit.models import AuditEvent
from council.auth.scopes import scopes_for_roles
from council.auth.tokens import issue_access_token
from council.organizations.models import Member
from council.seeds.loader import SeedError, load_seed

COUNCIL = str(Path(sys.executable).with_name("council"))
PEKANBARU = Path(__file__).resolve().parent.parent / "council" / "seeds" / "pekanbaru-2018.yaml"
CHALLENGE = (
    'Bearer error="insufficient_user_authentication", '
    'error_description="A more recent authentication is required", max_age=600'
)
OPD_HEADS = [
    "kepala.bappeda",
    "kepala.dishub",
    "kepala.diskes",
    "kepala.diskopukm",
    "kepala.dlhk",
    "kepala.kominfo",
    "kepala.pupr",
    "sekda",
]
FIELDS = """
  id title text textHash status requiredCount signedCount
  signatories { role signedAt member { username } organization { code } }
"""
READ = "{ programme { id commitment { %s } } }" % FIELDS
BY_ID = "query($id: ID) { commitment(id: $id) { %s } }" % FIELDS
SIGN = (
    "mutation($id: ID!) { signCommitment(input: {commitmentId: $id}) { commitment { %s } errors { code field message } } }"
    % FIELDS
)
CREATE = (
    "mutation($input: CreateCommitmentInput!) { createCommitment(input: $input) { commitment { %s } errors { code field } } }"
    % FIELDS
)


def council(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``council`` CLI on the tests' database (conftest's COUNCIL_* environment)."""
    return subprocess.run(
        [COUNCIL, *args], capture_output=True, text=True, env=os.environ | {"COLUMNS": "200"}, timeout=120
    )


def verified() -> tuple[int, int]:
    """``council audit verify``: it must succeed; (events, chains) it checked."""
    done = council("audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    match = re.search(r"(\d+) events in (\d+) chains verified", done.stdout)
    assert match, done.stdout
    return int(match.group(1)), int(match.group(2))


async def fresh(username: str) -> str:
    """A token for ``username`` whose password was entered just now (``auth_time`` now), all their scopes."""
    member = await Member.get(username=username)
    return issue_access_token(
        member_id=member.id,
        username=username,
        scopes=sorted(scopes_for_roles(member.roles)),
        auth_time=int(council_clock.now().timestamp()),
    )


async def post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> httpx.Response:
    headers = {"Accept-Language": "en"} | ({"Authorization": f"Bearer {token}"} if token else {})
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return response


async def read(client: httpx.AsyncClient, token: str | None = None) -> dict[str, Any]:
    commitment = (await post(client, READ, {}, token)).json()["data"]["programme"]["commitment"]
    assert commitment is not None
    return dict(commitment)


async def sign(client: httpx.AsyncClient, commitment_id: str, token: str) -> dict[str, Any]:
    return dict((await post(client, SIGN, {"id": commitment_id}, token)).json()["data"]["signCommitment"])


def signed_by(commitment: dict[str, Any]) -> dict[str, str | None]:
    return {s["member"]["username"]: s["signedAt"] for s in commitment["signatories"]}


async def test_anyone_reads_the_seeded_commitment_its_hash_and_its_signatories(client: httpx.AsyncClient) -> None:
    commitment = await read(client)  # signed out
    assert commitment["title"] == "Komitmen Bersama Percepatan Pekanbaru Smart City Madani"
    assert "Pekanbaru Smart City Madani" in commitment["text"]
    assert commitment["textHash"] == hashlib.sha256(commitment["text"].encode("utf-8")).hexdigest()
    assert commitment["status"] == "OPEN"
    assert (commitment["requiredCount"], commitment["signedCount"]) == (9, 0)
    # every OPD head signs; the mayor, council chair, countersigns, last
    roles = [(s["member"]["username"], s["role"]) for s in commitment["signatories"]]
    assert roles == [(u, "SIGNATORY") for u in OPD_HEADS] + [("walikota", "COUNTERSIGNATORY")]
    assert set(signed_by(commitment).values()) == {None}
    assert commitment["signatories"][0]["organization"] == {"code": "bappeda"}
    # the same by id, and by the current programme
    assert (await post(client, BY_ID, {"id": commitment["id"]})).json()["data"]["commitment"] == commitment
    assert (await post(client, BY_ID, {})).json()["data"]["commitment"] == commitment
    assert (await post(client, BY_ID, {"id": "Q29tbWl0bWVudDo5OQ=="})).json()["data"]["commitment"] is None


async def test_every_required_signatory_signs_once_and_it_becomes_complete(client: httpx.AsyncClient) -> None:
    commitment_id = (await read(client))["id"]
    events, chains = verified()
    signers = [*OPD_HEADS, "walikota"]
    for count, username in enumerate(signers, start=1):
        answer = await sign(client, commitment_id, await fresh(username))
        assert answer["errors"] == []
        assert answer["commitment"]["signedCount"] == count
        assert signed_by(answer["commitment"])[username] is not None
        assert answer["commitment"]["status"] == ("COMPLETE" if count == len(signers) else "OPEN")
    assert verified() == (events + len(signers), chains)  # one event per signature, in the commitment's chain

    done = await read(client)
    # signing again changes nothing: no new time, no new event, still complete
    again = await sign(client, commitment_id, await fresh("kepala.kominfo"))
    assert again == {"commitment": done, "errors": []}
    assert verified() == (events + len(signers), chains)
    assert done["status"] == "COMPLETE" and done["signedCount"] == done["requiredCount"] == 9


async def test_signing_twice_before_completion_records_one_signature(client: httpx.AsyncClient) -> None:
    commitment_id = (await read(client))["id"]
    events, _ = verified()
    first = await sign(client, commitment_id, await fresh("sekda"))
    second = await sign(client, commitment_id, await fresh("sekda"))
    assert first == second and first["commitment"]["signedCount"] == 1
    assert verified()[0] == events + 1


async def test_refusals_change_nothing(client: httpx.AsyncClient) -> None:
    before = await read(client)
    commitment_id = before["id"]
    events, _ = verified()

    def codes(answer: dict[str, Any]) -> list[tuple[str, str | None]]:
        assert answer["commitment"] is None
        return [(e["code"], e["field"]) for e in answer["errors"]]

    # not a required signatory: an OPD officer, a university reviewer, the administrator
    for username in ("opd.kominfo", "reviewer.unri", "admin"):
        assert codes(await sign(client, commitment_id, await fresh(username))) == [("FORBIDDEN", None)]
    assert codes(dict((await post(client, SIGN, {"id": commitment_id})).json()["data"]["signCommitment"])) == [
        ("UNAUTHENTICATED", None)
    ]
    assert codes(await sign(client, "Q29tbWl0bWVudDo5OQ==", await fresh("sekda"))) == [("NOT_FOUND", "commitmentId")]
    assert codes(await sign(client, "UHJvcG9zYWw6MQ==", await fresh("sekda"))) == [("INVALID_INPUT", "commitmentId")]

    # a stale password (council token --auth-age): the payload error and RFC 9470's challenge
    stale = council("token", "kepala.pupr", "--auth-age", "3600")
    assert stale.returncode == 0, stale.stderr
    response = await post(client, SIGN, {"id": commitment_id}, stale.stdout.strip())
    assert response.headers["www-authenticate"] == CHALLENGE
    assert codes(response.json()["data"]["signCommitment"]) == [("REAUTHENTICATION_REQUIRED", None)]
    # a token without auth_time (a machine client's, a token from before) is not recent either
    member = await Member.get(username="kepala.pupr")
    no_time = issue_access_token(member_id=member.id, username=member.username, scopes=["proposals:read"])
    assert codes(await sign(client, commitment_id, no_time)) == [("REAUTHENTICATION_REQUIRED", None)]
    # a signatory who is not one is told so before being asked for a password
    stale_officer = council("token", "opd.kominfo", "--auth-age", "3600").stdout.strip()
    assert codes(await sign(client, commitment_id, stale_officer)) == [("FORBIDDEN", None)]

    assert await read(client) == before
    assert verified()[0] == events


async def test_only_an_administrator_creates_a_commitment_and_its_signatories_are_fixed_then(
    client: httpx.AsyncClient,
) -> None:
    programme_id = (await post(client, READ, {})).json()["data"]["programme"]["id"]
    text = "Kami berkomitmen.  \nSpasi dan huruf é dihitung persis.\n"
    new = {"programmeId": programme_id, "title": "  Komitmen kedua ", "text": text}

    def create(answer: httpx.Response) -> dict[str, Any]:
        return dict(answer.json()["data"]["createCommitment"])

    refused = create(await post(client, CREATE, {"input": new}, await fresh("kepala.kominfo")))
    assert refused == {"commitment": None, "errors": [{"code": "FORBIDDEN", "field": None}]}
    refused = create(await post(client, CREATE, {"input": new}))
    assert refused["errors"] == [{"code": "UNAUTHENTICATED", "field": None}]
    blank = create(await post(client, CREATE, {"input": new | {"text": "  \n"}}, await fresh("admin")))
    assert blank["errors"] == [{"code": "INVALID_INPUT", "field": "text"}]
    unknown = create(
        await post(client, CREATE, {"input": new | {"programmeId": "UHJvZ3JhbW1lOjk5"}}, await fresh("admin"))
    )
    assert unknown["errors"] == [{"code": "NOT_FOUND", "field": "programmeId"}]

    created = create(await post(client, CREATE, {"input": new}, await fresh("admin")))
    assert created["errors"] == []
    commitment = created["commitment"]
    assert commitment["title"] == "Komitmen kedua" and commitment["text"] == text  # the text exactly as given
    assert commitment["textHash"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert [s["member"]["username"] for s in commitment["signatories"]] == [*OPD_HEADS, "walikota"]
    assert commitment["status"] == "OPEN"
    # the programme shows its newest commitment; the first one stays readable by id
    assert await read(client) == commitment

    # a member made an OPD head later is not added to it
    done = council(
        "members",
        "create",
        "kepala.disdik",
        "--name",
        "Kepala Disdik",
        "--organization",
        "disdik",
        "--role",
        "opd_head",
    )
    assert done.returncode == 0, done.stderr
    assert [s["member"]["username"] for s in (await read(client))["signatories"]] == [*OPD_HEADS, "walikota"]
    # and cannot sign it
    late = await sign(client, commitment["id"], await fresh("kepala.disdik"))
    assert [e["code"] for e in late["errors"]] == ["FORBIDDEN"]


async def test_the_chain_of_a_commitment_verifies_and_a_tampered_one_does_not(client: httpx.AsyncClient) -> None:
    commitment_id = (await read(client))["id"]
    await sign(client, commitment_id, await fresh("sekda"))
    verified()
    event = await AuditEvent.filter(chain_kind="commitment", action="signed").first()
    assert event is not None
    assert event.data["text_hash"] == (await read(client))["textHash"]
    await AuditEvent.filter(id=event.id).update(data=event.data | {"text_hash": "0" * 64})
    done = council("audit", "verify")
    assert done.returncode != 0 and "commitment" in done.stdout + done.stderr


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    fake = FakeClock()
    monkeypatch.setattr(council_clock, "now", fake.now)
    yield fake


async def test_a_stale_sign_in_signs_after_a_fresh_one_through_the_oauth_flow(
    http: httpx.AsyncClient, web: str, clock: FakeClock
) -> None:
    code, verifier = await authorization_code(http, web, "sekda")
    tokens = (await exchange(http, web, code, verifier)).json()
    commitment_id = (await read(http, tokens["access_token"]))["id"]

    clock.advance(minutes=11)  # the password is now older than COUNCIL_STEP_UP_MAX_AGE (600 s)
    refreshed = await http.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": web},
    )
    first = refreshed.json()["access_token"]  # a new token, the old auth_time
    response = await post(http, SIGN, {"id": commitment_id}, first)
    assert response.headers["www-authenticate"] == CHALLENGE
    assert [e["code"] for e in response.json()["data"]["signCommitment"]["errors"]] == ["REAUTHENTICATION_REQUIRED"]

    # the client signs in again with max_age (the session cookie alone does not do: the password is asked)
    verifier, challenge = pkce_pair()
    params = authorize_params(web, challenge, max_age="0")
    url = f"/oauth/authorize?{urlencode(params)}"
    page, _ = await sign_in(http, url, "sekda", "rahasia-dewan-2018")
    query = redirect_query(page)
    again = (await exchange(http, web, query["code"], verifier)).json()["access_token"]
    signed = (await post(http, SIGN, {"id": commitment_id}, again)).json()["data"]["signCommitment"]
    assert signed["errors"] == []
    assert signed_by(signed["commitment"])["sekda"] is not None
    assert signed["commitment"]["signedCount"] == 1


def _seed_with(tmp_path: Path, commitment: dict[str, Any]) -> Path:
    seed = yaml.safe_load(PEKANBARU.read_text())
    seed["programme"]["code"] = "gm100sc-2019"
    seed["programme"]["year"] = 2019
    seed["programme"]["commitment"] = commitment
    path = tmp_path / "seed.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False, allow_unicode=True))
    return path


async def test_a_seed_names_signatories_and_signatures(tmp_path: Path, client: httpx.AsyncClient) -> None:
    path = _seed_with(
        tmp_path,
        {
            "title": "Komitmen 2019",
            "text": "Teks komitmen 2019.\n",
            "signatories": ["kepala.kominfo", "kepala.pupr"],
            "countersignatory": "sekda",
            "signed": [{"member": "kepala.pupr", "signed_at": "2019-03-01"}],
        },
    )
    report = await load_seed(path)
    assert (report.commitments.created, report.commitments.existing) == (1, 0)
    programmes = (await post(client, "{ programmes { code commitment { %s } } }" % FIELDS, {})).json()["data"]
    commitment = next(p for p in programmes["programmes"] if p["code"] == "gm100sc-2019")["commitment"]
    assert [(s["member"]["username"], s["role"]) for s in commitment["signatories"]] == [
        ("kepala.kominfo", "SIGNATORY"),
        ("kepala.pupr", "SIGNATORY"),
        ("sekda", "COUNTERSIGNATORY"),
    ]
    assert signed_by(commitment)["kepala.pupr"] == "2019-03-01T00:00:00+00:00"
    assert (commitment["signedCount"], commitment["status"]) == (1, "OPEN")
    assert (await load_seed(path)).commitments.existing == 1  # loading twice changes nothing
    verified()


@pytest.mark.parametrize(
    ("commitment", "reason"),
    [
        ({"title": "K", "text": "T", "signatories": ["nobody.here"]}, "signatories: unknown member 'nobody.here'"),
        (
            {"title": "K", "text": "T", "signed": [{"member": "opd.kominfo", "signed_at": "2019-01-01"}]},
            "not one of this commitment's signatories",
        ),
        ({"title": "K", "text": "   "}, "commitment.text: Text must not be blank"),
        ({"title": "K", "text": "T", "signed": [{"member": "sekda", "signed_at": "kemarin"}]}, "must be a date"),
        ({"title": "K", "text": "T", "signers": []}, "signers"),
    ],
)
async def test_a_bad_seed_commitment_is_refused_naming_the_file_and_entry(
    tmp_path: Path, commitment: dict[str, Any], reason: str
) -> None:
    path = _seed_with(tmp_path, commitment)
    with pytest.raises(SeedError) as refused:
        await load_seed(path)
    assert str(refused.value).startswith(f"{path}: programme (code gm100sc-2019, line "), str(refused.value)
    assert reason in str(refused.value)
    # the seed's own chains only (8 proposals, the plan, the commitment): nothing of the refused file was written
    assert verified()[1] == 10
