"""E-mail (issue 15.5): the outbox's ``mail`` consumer queues, the mailer sends to a real SMTP server on loopback.

Mutations go through GraphQL over HTTP; then ``relay.drain()`` has the
consumer queue the messages and ``mailer.send_due()`` sends them to an
aiosmtpd server on 127.0.0.1, whose received messages the tests read
(recipients, subject, language, link). Events the workflow of main does not
announce yet (``assigned``, ``reminder``, ``escalation`` with ``notify``) are
written as outbox rows through the unit of work, as their writers will.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from ballots import FakeClock
from paths import CHAIR, OWNER_HEAD, OWNER_ORG, Paths, ok, voters
from pydantic import SecretStr

from council import clock as council_clock
from council.api.ids import from_global_id
from council.audit.chains import proposal_chain
from council.auth.principal import SYSTEM
from council.notifications import consumer, mailer
from council.notifications.models import MailMessage, NotificationKind, NotificationPreference
from council.organizations.models import Member, Organization
from council.outbox import relay
from council.reviews.models import ReviewAssignment
from council.settings import Settings
from council.unit_of_work import unit_of_work

PUBLIC = "https://council.example"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
COUNCIL = str(Path(sys.executable).with_name("council"))


class Inbox:
    """An aiosmtpd handler keeping every message it accepts: (envelope recipients, parsed message)."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def take(self) -> list[tuple[str, EmailMessage]]:
        """(recipient, message) of what arrived since the last call."""
        got = [(to, m) for tos, m in self.received for to in tos]
        self.received.clear()
        return got


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback for the module."""
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
async def assignment_mail_off(request: pytest.FixtureRequest, pekanbaru: None) -> None:
    """Every member turns REVIEW_ASSIGNED mail off, but for the test of that mail: driving a proposal to a ballot
    assigns its reviewers first (quick-win version 2), whose mail would mix into what the other tests count.
    Left on for the test of that mail and the test of the preferences' defaults."""
    if "assignment" in request.node.name or "preferences" in request.node.name:
        return
    await NotificationPreference.bulk_create(
        [
            NotificationPreference(member_id=m, kind=NotificationKind.REVIEW_ASSIGNED, email=False)
            for m in await Member.all().values_list("id", flat=True)
        ]
    )


@pytest.fixture
def settings(smtp: tuple[Inbox, int]) -> Settings:
    return Settings(
        smtp_url=f"smtp://127.0.0.1:{smtp[1]}",
        mail_from="Council Pekanbaru <council@pekanbaru.example>",
        public_url=PUBLIC,
        timezone="Asia/Jakarta",
        mail_digest_hour=7,
    )


@pytest.fixture
def inbox(smtp: tuple[Inbox, int], settings: Settings) -> Iterator[Inbox]:
    """The server's inbox, emptied, with the ``mail`` consumer registered for the test."""
    consumer.install(settings)
    smtp[0].take()
    yield smtp[0]
    relay._consumers.pop(consumer.NAME, None)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(council_clock, "now", fake.now)
    return fake


async def deliver(settings: Settings, inbox: Inbox) -> list[tuple[str, EmailMessage]]:
    """Drain the outbox, send what is due; what arrived."""
    await relay.drain()
    await mailer.send_due(settings)
    return inbox.take()


def opened(got: list[tuple[str, EmailMessage]]) -> list[tuple[str, EmailMessage]]:
    """The ballot-opened messages of ``got`` (reaching a ballot assigns reviewers too, who get their own mail)."""
    return [(to, m) for to, m in got if m["Subject"].startswith(("Pemungutan suara dibuka", "Voting is open"))]


def address(username: str) -> str:
    return f"{username}@pekanbaru.example"


def text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


PREFS = """
mutation Prefs($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    errors { code field message }
    preferences { email dailyDigest language settings { kind email } }
  }
}"""


async def prefs(p: Paths, username: str, **input: Any) -> dict[str, Any]:
    return (await p.call(PREFS, {"input": input}, username))["updateNotificationPreferences"]


async def test_a_ballot_opening_mails_its_voters_in_their_language_with_a_link(
    p: Paths, inbox: Inbox, settings: Settings
) -> None:
    english = voters()[0]
    ok(await prefs(p, english, language="en"))
    pid = await p.at("quick_win_approval")

    got = opened(await deliver(settings, inbox))

    assert sorted(to for to, _ in got) == sorted(address(v) for v in voters(OWNER_ORG))
    link = f"{PUBLIC}/app/proposals/{quote(pid, safe='')}"
    for to, message in got:
        assert message["From"] == "Council Pekanbaru <council@pekanbaru.example>"
        assert link in text(message)
        if to == address(english):
            assert message["Subject"].startswith("Voting is open: Usulan uji")
        else:
            assert message["Subject"].startswith("Pemungutan suara dibuka: Usulan uji")
            assert "Tenggat:" in text(message)
    # handled once: draining again queues nothing more, sending again sends nothing
    assert await deliver(settings, inbox) == []
    assert await MailMessage.filter(kind=NotificationKind.BALLOT_OPENED).count() == len(voters(OWNER_ORG))


async def test_a_kind_turned_off_no_address_or_inactive_means_no_mail(
    p: Paths, inbox: Inbox, settings: Settings
) -> None:
    quiet, gone, left, *_ = voters()
    payload = ok(await prefs(p, quiet, settings=[{"kind": "BALLOT_OPENED", "email": False}]))
    assert {"kind": "BALLOT_OPENED", "email": False} in payload["preferences"]["settings"]
    assert {"kind": "VOTE_REMINDER", "email": True} in payload["preferences"]["settings"]
    assert ok(await prefs(p, gone, email=""))["preferences"]["email"] is None

    # made inactive before the ballot opens: the app's relay queues the mail as soon as the transition commits
    await Member.filter(username=left).update(is_active=False)
    await p.at("quick_win_approval")

    recipients = {to for to, _ in opened(await deliver(settings, inbox))}
    assert recipients == {address(v) for v in voters(OWNER_ORG)} - {address(quiet), address(gone), address(left)}


async def test_preferences_are_checked_and_private(p: Paths) -> None:
    member = voters()[0]
    bad = await prefs(p, member, email="not an address", language="en")
    assert [(e["code"], e["field"]) for e in bad["errors"]] == [("INVALID_INPUT", "email")]
    assert bad["preferences"] is None
    french = await prefs(p, member, language="fr")
    assert [(e["code"], e["field"]) for e in french["errors"]] == [("INVALID_INPUT", "language")]
    anonymous = (await p.call(PREFS, {"input": {"language": "en"}}, None))["updateNotificationPreferences"]
    assert [e["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]

    changed = ok(await prefs(p, member, email=" Someone@Mail.Pekanbaru.Example ", dailyDigest=True))
    assert changed["preferences"] == {
        "email": "Someone@mail.pekanbaru.example",
        "dailyDigest": True,
        "language": "id",  # the bad requests changed nothing
        "settings": [{"kind": k, "email": True} for k in KINDS],
    }
    mine = "viewer { email language notificationPreferences { email } }"
    viewer = (await p.call(f"{{ {mine} }}", {}, member))["viewer"]
    assert viewer == {
        "email": "Someone@mail.pekanbaru.example",
        "language": "id",
        "notificationPreferences": {"email": "Someone@mail.pekanbaru.example"},
    }
    pid = await p.new_proposal()
    author = await p.read(pid, "author { username email notificationPreferences { email } }", OWNER_HEAD)
    assert author == {"author": {"username": p.officer, "email": None, "notificationPreferences": None}}


KINDS = [
    "BALLOT_OPENED",
    "VOTE_REMINDER",
    "REVIEW_ASSIGNED",
    "REVIEW_REMINDER",
    "ESCALATION",
    "PROPOSAL_DECIDED",
    "REVISION_REQUESTED",
]


async def owner_addresses() -> set[str]:
    org = await Organization.get(code=OWNER_ORG)
    return {address(u) for u in await Member.filter(organization=org).values_list("username", flat=True)}


async def test_a_decision_and_a_revision_request_mail_the_owning_opd(
    p: Paths, inbox: Inbox, settings: Settings
) -> None:
    pid = await p.at("quick_win_approval")
    await deliver(settings, inbox)  # the ballot's mail
    await p.drive(pid, "rejected", via="close_vote")

    got = await deliver(settings, inbox)

    assert {to for to, _ in got} == await owner_addresses()
    assert all(m["Subject"].startswith("Keputusan atas usulan") for _, m in got)
    assert all("ditolak" in text(m) for _, m in got)

    back = await p.at("technical_review")
    await deliver(settings, inbox)
    ok(await p.transition(back, "request_revision", "tim.teknis1", "Lengkapi anggaran."))
    got = await deliver(settings, inbox)
    assert {to for to, _ in got} == await owner_addresses()
    assert all(m["Subject"].startswith("Usulan perlu direvisi") for _, m in got)


async def announce(pid: str, action: str, **details: Any) -> None:
    """Write an outbox event on the proposal's chain through the unit of work (as the system)."""
    async with unit_of_work(SYSTEM, proposal_chain(from_global_id(pid)[1])) as work:
        work.announce(action, **details)


async def test_escalation_assignment_and_reminders_reach_their_people(
    p: Paths, inbox: Inbox, settings: Settings
) -> None:
    pid = await p.at("technical_review")
    await deliver(settings, inbox)
    await announce(pid, "escalation", state="technical_review", notify=["council_chair"])
    got = await deliver(settings, inbox)
    assert [(to, m["Subject"].split(":")[0]) for to, m in got] == [(address(CHAIR), "Eskalasi")]
    assert "tahap" in text(got[0][1])

    pk = from_global_id(pid)[1]
    unri, teknis = await Organization.get(code="unri"), await Member.get(username="tim.teknis1")
    reviewer = await Member.get(username="reviewer.pcr")
    rows = [
        await ReviewAssignment.create(
            proposal_id=pk,
            organization=unri,
            round=1,
            due_on=date(2026, 12, 24),
            assigned_by=teknis,
            created_at=NOW,
            updated_at=NOW,
        ),
        await ReviewAssignment.create(
            proposal_id=pk,
            reviewer=reviewer,
            round=1,
            due_on=date(2026, 12, 24),
            assigned_by=teknis,
            created_at=NOW,
            updated_at=NOW,
        ),
    ]
    await announce(pid, "assigned", assignment_ids=[r.id for r in rows], due_on="2026-12-24")
    got = await deliver(settings, inbox)
    assert sorted(to for to, _ in got) == [address("reviewer.pcr"), address("reviewer.unri")]
    assert all("Tenggat: 2026-12-24" in text(m) for _, m in got)

    await announce(
        pid,
        "reminder",
        kind="review_reminder",
        assignment_id=rows[0].id,
        member_ids=[],
        organization_ids=[unri.id],
        due_at="2026-12-24T00:00:00+00:00",
    )
    got = await deliver(settings, inbox)
    assert [(to, m["Subject"].split(":")[0]) for to, m in got] == [(address("reviewer.unri"), "Pengingat")]
    assert "2026-12-24 07:00 WIB" in text(got[0][1])


async def test_a_vote_reminder_skips_who_voted_since(p: Paths, inbox: Inbox, settings: Settings) -> None:
    pid = await p.at("quick_win_approval")
    await deliver(settings, inbox)
    first, *others = voters()
    await p.vote(pid, first)
    ballot = (await p.snapshot(pid))["ballot"]["id"]
    ballot_pk = from_global_id(ballot)[1]
    ids = list(await Member.filter(username__in=voters()).values_list("id", flat=True))
    await announce(pid, "reminder", kind="vote_reminder", ballot_id=ballot_pk, member_ids=ids, organization_ids=[])
    got = await deliver(settings, inbox)
    assert sorted(to for to, _ in got) == sorted(address(v) for v in others)


async def test_a_daily_digest_folds_the_days_mail_into_one_message(
    p: Paths, inbox: Inbox, settings: Settings, clock: FakeClock
) -> None:
    clock.to(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))  # 08:00 in Pekanbaru (WIB, UTC+7): after the digest hour
    member = voters()[0]
    ok(await prefs(p, member, dailyDigest=True))
    first = await p.at("quick_win_approval")
    second = await p.at("quick_win_approval")

    got = await deliver(settings, inbox)
    assert address(member) not in {to for to, _ in got}
    assert len(got) == 2 * (len(voters(OWNER_ORG)) - 1)

    clock.to(datetime(2026, 12, 1, 23, 59, tzinfo=UTC))  # 06:59 the next day
    assert await deliver(settings, inbox) == []
    clock.to(datetime(2026, 12, 2, 0, 0, tzinfo=UTC))  # 07:00 WIB

    got = await deliver(settings, inbox)
    [(to, message)] = got
    assert to == address(member)
    assert message["Subject"] == "Ringkasan harian Council: 2 pemberitahuan"
    for pid in (first, second):
        assert quote(pid, safe="") in text(message)
    assert await deliver(settings, inbox) == []


def _closed_port() -> int:
    return _free_port()  # nothing listens on it once the probe socket is closed


async def test_an_unreachable_server_is_retried_later_and_nothing_is_lost(
    p: Paths, inbox: Inbox, settings: Settings, clock: FakeClock
) -> None:
    down = settings.model_copy(update={"smtp_url": SecretStr(f"smtp://127.0.0.1:{_closed_port()}")})
    await p.at("quick_win_approval")
    await relay.drain()
    expected = {address(v) for v in voters(OWNER_ORG)}

    assert await mailer.send_due(down) == 0
    rows = await MailMessage.all().values("status", "attempts", "last_error")
    assert [(r["status"], r["attempts"]) for r in rows] == [("pending", 1)] * len(expected)
    assert all(r["last_error"] for r in rows)
    assert await mailer.send_due(settings) == 0  # not due again before the backoff
    assert await mailer.send_due(settings.model_copy(update={"smtp_url": None})) == 0  # no server: nothing sent

    clock.advance(minutes=1)
    assert await mailer.send_due(settings) == len(expected)
    assert {to for to, _ in inbox.take()} == expected
    assert set(await MailMessage.all().values_list("status", flat=True)) == {"sent"}


async def test_a_message_is_given_up_after_the_last_try(
    p: Paths, inbox: Inbox, settings: Settings, clock: FakeClock
) -> None:
    down = settings.model_copy(
        update={"smtp_url": SecretStr(f"smtp://127.0.0.1:{_closed_port()}"), "mail_max_attempts": 2}
    )
    await p.at("quick_win_approval")
    await relay.drain()
    await mailer.send_due(down)
    clock.advance(minutes=1)
    await mailer.send_due(down)
    assert set(await MailMessage.all().values_list("status", flat=True)) == {"failed"}
    clock.advance(days=1)
    assert await mailer.send_due(settings) == 0 and inbox.take() == []


async def test_two_senders_racing_send_each_message_once(p: Paths, inbox: Inbox, settings: Settings) -> None:
    await p.at("quick_win_approval")
    await relay.drain()

    sent = await asyncio.gather(*(mailer.send_due(settings) for _ in range(3)))

    got = inbox.take()
    assert sum(sent) == len(got) == len(voters(OWNER_ORG))
    assert sorted(to for to, _ in got) == sorted(address(v) for v in voters(OWNER_ORG))


def test_smtp_urls() -> None:
    plain = mailer.parse_smtp_url("smtp://user%40x:p%3Ass@mail.example:2525")
    assert (plain.host, plain.port, plain.username, plain.password, plain.use_tls, plain.start_tls) == (
        "mail.example",
        2525,
        "user@x",
        "p:ss",
        False,
        False,
    )
    assert mailer.parse_smtp_url("smtps://mail.example").port == 465
    upgraded = mailer.parse_smtp_url("smtp://mail.example?starttls=true")
    assert (upgraded.port, upgraded.start_tls) == (587, True)
    with pytest.raises(mailer.SmtpUrlError):
        mailer.parse_smtp_url("http://mail.example")


async def test_the_cli_sets_a_members_address() -> None:
    env = {**os.environ, "COLUMNS": "200"}

    def council(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([COUNCIL, *args], env=env, capture_output=True, text=True, timeout=120)

    done = council("members", "email", "sekda", "Sekda@Pemko.Pekanbaru.Example")
    assert done.returncode == 0, done.stderr
    assert (await Member.get(username="sekda")).email == "Sekda@pemko.pekanbaru.example"
    bad = council("members", "email", "sekda", "sekda at pemko")
    assert bad.returncode == 1 and "not an e-mail address" in bad.stderr + bad.stdout
