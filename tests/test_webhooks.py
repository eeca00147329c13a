"""Webhooks for partner systems (issue 15 point 6), end to end through the public surface.

A real HTTP receiver on loopback (``http.server`` in a thread) checks every
request's signature with the ``standardwebhooks`` package's ``Webhook.verify``,
an implementation independent of Council's signing path. Endpoints are
registered through GraphQL (``createWebhookEndpoint``) or the ``council``
executable; events come from real mutations (a submit, reviews, a ballot), are
handed to the ``webhooks`` consumer by ``relay.drain()`` and sent by
``deliver_due()``. ``proposal.assigned`` and ``review.due`` come from outbox
events written through a unit of work, as ``assignReviewers`` and the reminder
timers write them (their own helpers build those).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from paths import OWNER_OFFICER, OWNER_ORG, Paths, data, ok
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from council import clock
from council.api.ids import from_global_id, to_global_id
from council.audit.chains import proposal_chain
from council.auth.principal import SYSTEM
from council.organizations.models import Member, Organization
from council.outbox import relay
from council.reviews.models import ReviewAssignment
from council.settings import get_settings
from council.unit_of_work import unit_of_work
from council.webhooks import consumer
from council.webhooks.delivery import body_bytes, deliver_due, sign

COUNCIL = str(Path(sys.executable).with_name("council"))
ADMIN = "admin"
EVERY_EVENT = [
    "proposal.submitted",
    "proposal.assigned",
    "review.due",
    "ballot.opened",
    "ballot.closed",
    "proposal.transitioned",
]


class Receiver:
    """A partner system on loopback: answers each path with the next status queued for it (default 200)."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.answers: dict[str, list[int]] = {}
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    queued = receiver.answers.get(self.path) or [200]
                    status = queued.pop(0) if len(queued) > 1 else queued[0]
                    secret = receiver.secrets.get(self.path)
                try:
                    payload = Webhook(secret).verify(body, headers) if secret else None
                    verified = secret is not None
                except WebhookVerificationError as exc:
                    payload, verified = str(exc), False
                with receiver.lock:
                    receiver.received.append(
                        {
                            "path": self.path,
                            "headers": headers,
                            "verified": verified,
                            "payload": payload,
                            "status": status,
                        }
                    )
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str, secret: str | None = None, answers: list[int] | None = None) -> str:
        if secret is not None:
            self.secrets[path] = secret
        if answers is not None:
            self.answers[path] = list(answers)
        return self.base + path

    def at(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.received if r["path"] == path]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture(autouse=True)
def webhooks_consumer(receiver: Receiver) -> Iterator[None]:
    """The ``webhooks`` consumer registered with the relay (the app and the worker install it)."""
    consumer.install()
    receiver.received.clear()
    yield


CREATE = """
mutation Create($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { id url events disabledAt } errors { code field message } }
}"""
ENDPOINTS = """
query Endpoints {
  organizations { code webhookEndpoints { id url events failingSince disabledAt
    deliveries(first: 20) { eventType status attempts lastStatusCode lastError messageId } } }
}"""


async def org_id(code: str) -> str:
    return to_global_id("Organization", (await Organization.get(code=code)).id)


async def create(gql: Any, token: Any, code: str, url: str, events: list[str], as_: str = ADMIN) -> dict[str, Any]:
    variables = {"input": {"organizationId": await org_id(code), "url": url, "events": events}}
    return data(await gql(CREATE, variables, token=await token(as_)))["createWebhookEndpoint"]


async def endpoint(receiver: Receiver, gql: Any, token: Any, code: str, path: str, events: list[str], **kw: Any) -> str:
    """Register ``receiver``'s ``path`` for ``code``; the endpoint's global ID (the receiver learns the secret)."""
    made = ok(await create(gql, token, code, receiver.url(path, **kw), events))
    receiver.secrets[path] = made["secret"]
    return str(made["endpoint"]["id"])


async def log_of(gql: Any, token: Any, endpoint_id: str) -> dict[str, Any]:
    orgs = data(await gql(ENDPOINTS, token=await token(ADMIN)))["organizations"]
    return next(e for o in orgs for e in o["webhookEndpoints"] if e["id"] == endpoint_id)


async def flush() -> int:
    await relay.drain()
    return await deliver_due()


async def test_a_submit_reaches_the_owner_signed_and_nobody_else(
    receiver: Receiver, gql: Any, token: Any, p: Paths
) -> None:
    mine = await endpoint(receiver, gql, token, OWNER_ORG, "/owner", ["proposal.submitted", "proposal.transitioned"])
    await endpoint(receiver, gql, token, "unri", "/unri", EVERY_EVENT)
    await endpoint(receiver, gql, token, OWNER_ORG, "/owner-ballots", ["ballot.opened"])
    pid = await p.new_proposal()
    ok(await p.transition(pid, "submit", OWNER_OFFICER), "submit")

    assert await flush() == 2
    got = receiver.at("/owner")
    assert [r["verified"] for r in got] == [True, True], got
    assert {r["payload"]["type"] for r in got} == {"proposal.submitted", "proposal.transitioned"}
    for r in got:
        body = r["payload"]
        assert body["data"]["proposal"]["id"] == pid
        assert body["data"]["proposal"]["state"] == "technical_review"
        assert body["data"]["transition"]["trigger"] == "submit"
        assert body["data"]["transition"]["toState"] == "technical_review"
        assert r["headers"]["webhook-id"].startswith("msg_")
        assert r["headers"]["content-type"] == "application/json"
    assert receiver.at("/unri") == [] and receiver.at("/owner-ballots") == []  # not public yet; not subscribed

    log = await log_of(gql, token, mine)
    assert sorted((d["eventType"], d["status"], d["attempts"], d["lastStatusCode"]) for d in log["deliveries"]) == [
        ("proposal.submitted", "DELIVERED", 1, 200),
        ("proposal.transitioned", "DELIVERED", 1, 200),
    ]
    assert await flush() == 0  # the relay handed nothing new; nothing is sent twice


async def test_public_proposals_reach_every_subscriber_with_their_ballot(
    receiver: Receiver, gql: Any, token: Any, p: Paths
) -> None:
    await endpoint(receiver, gql, token, "unri", "/unri-ballots", ["ballot.opened", "ballot.closed"])
    await endpoint(receiver, gql, token, OWNER_ORG, "/owner-ballots", ["ballot.opened", "ballot.closed"])
    pid = await p.new_proposal()
    await p.drive(pid, "quick_win_approval")
    await flush()
    await p.drive(pid, "implementation")
    await flush()
    for path in ("/unri-ballots", "/owner-ballots"):
        got = receiver.at(path)
        assert [r["payload"]["type"] for r in got] == ["ballot.opened", "ballot.closed"], got
        assert all(r["verified"] for r in got)
        opened, closed = (r["payload"]["data"] for r in got)
        assert opened["ballot"]["id"] == closed["ballot"]["id"]
        assert from_global_id(opened["ballot"]["id"], "Ballot")
        assert closed["ballot"]["result"] == "approved"
        assert closed["transition"]["toState"] == "implementation"


async def test_a_failed_delivery_is_retried_with_backoff(
    receiver: Receiver, gql: Any, token: Any, p: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = await endpoint(receiver, gql, token, OWNER_ORG, "/flaky", ["proposal.submitted"], answers=[500, 200])
    pid = await p.new_proposal()
    ok(await p.transition(pid, "submit", OWNER_OFFICER), "submit")
    assert await flush() == 1
    (first,) = (await log_of(gql, token, mine))["deliveries"]
    assert (first["status"], first["attempts"], first["lastStatusCode"], first["lastError"]) == (
        "PENDING",
        1,
        500,
        "HTTP 500",
    )
    assert await deliver_due() == 0  # the retry is due in 5 seconds, not now

    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=6))
    assert await deliver_due() == 1
    (second,) = (await log_of(gql, token, mine))["deliveries"]
    assert (second["status"], second["attempts"], second["lastStatusCode"]) == ("DELIVERED", 2, 200)
    got = receiver.at("/flaky")
    assert [r["status"] for r in got] == [500, 200]
    assert all(r["verified"] for r in got)
    assert got[0]["headers"]["webhook-id"] == got[1]["headers"]["webhook-id"] == first["messageId"]


async def test_two_nodes_never_send_one_delivery_twice_and_names_are_pinned(
    receiver: Receiver, gql: Any, token: Any, p: Paths
) -> None:
    url = receiver.url("/named").replace("127.0.0.1", "localhost")
    made = ok(await create(gql, token, OWNER_ORG, url, ["proposal.submitted"]))
    receiver.secrets["/named"] = made["secret"]
    pid = await p.new_proposal()
    ok(await p.transition(pid, "submit", OWNER_OFFICER), "submit")
    await relay.drain()
    tried = await asyncio.gather(deliver_due(), deliver_due(), deliver_due())
    assert sorted(tried) == [0, 0, 1]
    (got,) = receiver.at("/named")
    assert got["verified"]
    assert got["headers"]["host"] == url.split("/")[2]  # the name, though the connection went to the checked address


async def test_an_endpoint_failing_for_a_day_is_disabled(
    receiver: Receiver, gql: Any, token: Any, p: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = await endpoint(receiver, gql, token, OWNER_ORG, "/down", ["proposal.transitioned"], answers=[503])
    pid = await p.new_proposal()
    ok(await p.transition(pid, "submit", OWNER_OFFICER), "submit")
    assert await flush() == 1
    start = clock.now()
    for hours in (1, 25):
        monkeypatch.setattr(clock, "now", lambda h=hours: start + timedelta(hours=h))
        assert await deliver_due() == 1
    log = await log_of(gql, token, mine)
    assert log["disabledAt"] is not None and log["failingSince"] is not None
    (delivery,) = log["deliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == ("FAILED", 3, 503)
    ok(await p.transition(pid, "withdraw", OWNER_OFFICER, comment="Tidak jadi."), "withdraw")
    assert await flush() == 0  # a disabled endpoint is sent nothing more


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.1.10/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://224.0.0.1/hook", "multicast"),
        ("http://example.com/hook", "http"),
        ("ftp://example.com/hook", "https"),
        ("https://user:pw@example.com/hook", "valid URL"),
    ],
)
async def test_urls_a_webhook_may_not_reach_are_refused(gql: Any, token: Any, url: str, problem: str) -> None:
    made = await create(gql, token, "unri", url, ["proposal.submitted"])
    assert made["endpoint"] is None and made["secret"] is None
    ((error,),) = [made["errors"]]
    assert (error["code"], error["field"]) == ("INVALID_INPUT", "url")
    assert problem in error["message"], error


async def test_private_networks_may_be_allowed_and_loopback_only_in_development(
    receiver: Receiver, gql: Any, token: Any, p: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "webhooks_allow_private", "10.0.0.0/8")
    assert not (await create(gql, token, "unri", "https://10.1.2.3/hook", ["review.due"]))["errors"]
    assert (await create(gql, token, "unri", "https://192.168.1.10/hook", ["review.due"]))["errors"]
    mine = await endpoint(receiver, gql, token, OWNER_ORG, "/loopback", ["proposal.submitted"])

    monkeypatch.setattr(settings, "mode", "production")
    for url in ("https://127.0.0.1/hook", "https://localhost/hook", receiver.url("/loopback")):
        refused = await create(gql, token, "unri", url, ["review.due"])
        assert refused["errors"][0]["field"] == "url", refused
    # Checked again when sending: the loopback endpoint registered in development is not called in production.
    pid = await p.new_proposal()
    ok(await p.transition(pid, "submit", OWNER_OFFICER), "submit")
    assert await flush() == 1
    (delivery,) = (await log_of(gql, token, mine))["deliveries"]
    assert delivery["status"] == "PENDING" and "loopback" in delivery["lastError"]
    assert delivery["lastStatusCode"] is None and receiver.at("/loopback") == []


async def test_only_administrators_register_endpoints_and_events_are_checked(gql: Any, token: Any) -> None:
    refused = await create(
        gql, token, OWNER_ORG, "https://partner.example/hook", ["proposal.submitted"], as_=OWNER_OFFICER
    )
    assert refused["errors"][0]["code"] == "FORBIDDEN" and refused["endpoint"] is None
    unknown = await create(gql, token, OWNER_ORG, "https://partner.example/hook", ["proposal.eaten"])
    assert (unknown["errors"][0]["code"], unknown["errors"][0]["field"]) == ("INVALID_INPUT", "events")
    none = await create(gql, token, OWNER_ORG, "https://partner.example/hook", [])
    assert none["errors"][0]["field"] == "events"
    # Nobody but an administrator sees the endpoints; nobody ever sees a secret again.
    orgs = data(await gql(ENDPOINTS, token=await token(OWNER_OFFICER)))["organizations"]
    assert all(o["webhookEndpoints"] == [] for o in orgs)
    body = await gql("query { organizations { webhookEndpoints { secret } } }", token=await token(ADMIN))
    assert "errors" in body and "secret" in body["errors"][0]["message"]


async def _announce(pid: str, action: str, **details: Any) -> None:
    """Write an outbox event of the proposal through a unit of work, as the assignment and reminder code does."""
    _, pk = from_global_id(pid, "Proposal")
    async with unit_of_work(SYSTEM, proposal_chain(pk)) as work:
        work.announce(action, **details)


async def _assign(pid: str, *, organization: str | None = None, reviewer: str | None = None) -> int:
    _, pk = from_global_id(pid, "Proposal")
    now = clock.now()
    row = await ReviewAssignment.create(
        proposal_id=pk,
        organization_id=(await Organization.get(code=organization)).id if organization else None,
        reviewer_id=(await Member.get(username=reviewer)).id if reviewer else None,
        round=1,
        due_on=date(2030, 1, 31),
        assigned_by_id=(await Member.get(username="tim.teknis1")).id,
        created_at=now,
        updated_at=now,
    )
    return row.id


async def test_assignments_and_due_reviews_reach_only_the_assignees(
    receiver: Receiver, gql: Any, token: Any, p: Paths
) -> None:
    for code in ("unri", "uir", "pcr", OWNER_ORG):
        await endpoint(receiver, gql, token, code, f"/assigned-{code}", ["proposal.assigned", "review.due"])
    pid = await p.new_proposal()
    ok(await p.transition(pid, "submit", OWNER_OFFICER), "submit")
    to_unri = await _assign(pid, organization="unri")
    to_uir_member = await _assign(pid, reviewer="reviewer.uir")
    await _announce(pid, "assigned", assignment_ids=[to_unri, to_uir_member], due_on="2030-01-31")
    await _announce(
        pid,
        "reminder",
        kind="review_reminder",
        assignment_id=to_uir_member,
        member_ids=[],
        organization_ids=[],
        due_at="2030-01-31T17:00:00+00:00",
    )
    await flush()
    assert receiver.at("/assigned-pcr") == [] and receiver.at(f"/assigned-{OWNER_ORG}") == []
    (unri,) = receiver.at("/assigned-unri")
    assert unri["verified"] and unri["payload"]["type"] == "proposal.assigned"
    assert [a["id"] for a in unri["payload"]["data"]["assignments"]] == [to_global_id("ReviewAssignment", to_unri)]
    assert unri["payload"]["data"]["proposal"]["id"] == pid
    uir = receiver.at("/assigned-uir")
    assert [r["payload"]["type"] for r in uir] == ["proposal.assigned", "review.due"]
    assert all(r["verified"] for r in uir)
    assert uir[0]["payload"]["data"]["assignments"][0]["reviewer"] == "reviewer.uir"
    assert uir[1]["payload"]["data"]["dueAt"] == "2030-01-31T17:00:00+00:00"


def council(*args: str) -> subprocess.CompletedProcess[str]:
    """The ``council`` executable on the suite's database (the environment conftest set)."""
    return subprocess.run(
        [COUNCIL, "webhooks", *args], capture_output=True, text=True, env=os.environ | {"COLUMNS": "250"}, timeout=60
    )


async def test_the_cli_registers_lists_and_shows_deliveries(receiver: Receiver, p: Paths) -> None:
    made = council(
        "create", "--organization", OWNER_ORG, "--url", receiver.url("/cli"), "--event", "proposal.submitted"
    )
    assert made.returncode == 0, made.stderr
    lines = dict(line.split("=", 1) for line in made.stdout.split())
    secret, endpoint_id = lines["secret"], lines["endpoint_id"]
    assert secret.startswith("whsec_") and "shown only now" in made.stderr
    receiver.secrets["/cli"] = secret

    listed = council("list")
    assert listed.returncode == 0, listed.stderr
    assert receiver.url("/cli") in listed.stdout and OWNER_ORG in listed.stdout
    assert secret not in listed.stdout and secret[6:] not in listed.stdout

    pid = await p.new_proposal()
    ok(await p.transition(pid, "submit", OWNER_OFFICER), "submit")
    assert await flush() == 1
    (got,) = receiver.at("/cli")
    assert got["verified"] and got["payload"]["data"]["proposal"]["id"] == pid

    log = council("deliveries", "--endpoint", endpoint_id)
    assert log.returncode == 0, log.stderr
    row = next(line for line in log.stdout.splitlines() if "proposal.submitted" in line)
    assert "delivered" in row and " 200 " in row and got["headers"]["webhook-id"] in row

    disabled = council("disable", endpoint_id)
    assert disabled.returncode == 0 and "disabled" in disabled.stdout
    again = council("disable", endpoint_id)
    assert again.returncode == 1 and "already disabled" in again.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (
            ["--organization", "nowhere", "--url", "https://partner.example/h", "--event", "review.due"],
            "--organization",
        ),
        (["--organization", "unri", "--url", "https://10.0.0.1/h", "--event", "review.due"], "--url"),
        (["--organization", "unri", "--url", "https://partner.example/h", "--event", "nope"], "--event"),
    ],
)
def test_the_cli_names_the_bad_option(args: list[str], option: str) -> None:
    result = council("create", *args)
    assert result.returncode == 1
    assert f"error: {option}:" in result.stderr, result.stderr
    assert "secret=" not in result.stdout


def test_the_payload_is_what_the_receiver_parses() -> None:
    body = {"type": "x", "data": {"title": "Jalan ü"}}
    now = clock.now()
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    headers = sign(secret, "msg_1", now, body_bytes(body))
    assert Webhook(secret).verify(body_bytes(body), headers) == json.loads(body_bytes(body))
