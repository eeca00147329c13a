"""The mailer: send the queued e-mail over SMTP (aiosmtplib), each message once, retrying what fails.

:func:`send_due` takes the pending :class:`~council.notifications.models.MailMessage`
rows whose ``next_attempt_at`` has passed and, for each, claims it by
compare-and-set (``attempts`` is the row's version: the update that moves it
from n to n + 1 wins, and moves ``next_attempt_at`` a lease ahead), so two
nodes never send one row twice; then sends it. A sent row is ``sent``; a
failure sets ``last_error`` and ``next_attempt_at`` by
:func:`~council.notifications.timing.backoff`; after ``COUNCIL_MAIL_MAX_ATTEMPTS``
tries the row is ``failed``. A node that dies holding a claim leaves the row
to be tried again when the lease ends (at least once).

Digest rows (``digest``: the member takes ``mail_digest``) are queued due at
the next digest hour in the city's time zone; when they are due, a member's
rows are claimed together and folded into one message.

Without ``COUNCIL_SMTP_URL`` nothing is sent and the rows wait (logged once).
:func:`running` is the background loop (``COUNCIL_MAIL_INTERVAL``) the app's
lifespan and ``council worker`` run, like the timer scheduler.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from council import clock
from council.notifications.models import MailMessage, MailStatus
from council.notifications.templates import digest, language_of
from council.notifications.timing import backoff
from council.organizations.models import Member
from council.settings import Settings, get_settings

log = logging.getLogger("council.mail")

BATCH = 100
"""Rows taken per :func:`send_due` call at most."""
LEASE = timedelta(minutes=10)
"""How long a claim holds a row before another node may try it (a node that died while sending)."""
TIMEOUT = 30.0
"""Seconds an SMTP exchange may take."""
_FIELDS = ("id", "member_id", "to_address", "subject", "body", "link", "digest", "attempts")


class SmtpUrlError(ValueError):
    """``COUNCIL_SMTP_URL`` is not ``smtp://`` or ``smtps://user:pass@host:port``."""


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to send: from ``COUNCIL_SMTP_URL`` (:func:`parse_smtp_url`)."""

    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://[user:pass@]host[:port][?starttls=true]`` (port 25; 587 with starttls) or ``smtps://`` (465).

    User and password are percent-decoded.

    Raises:
        SmtpUrlError: another scheme, no host, a bad port.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SmtpUrlError("COUNCIL_SMTP_URL must be smtp://user:pass@host:port or smtps://...")
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    start_tls = parts.scheme == "smtp" and query.get("starttls") in ("true", "1", "yes")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 587 if start_tls else 25)
    except ValueError:
        raise SmtpUrlError("COUNCIL_SMTP_URL has a bad port") from None
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=parts.scheme == "smtps",
        start_tls=start_tls,
    )


_warned = False


def _target(settings: Settings) -> SmtpTarget | None:
    global _warned
    if settings.smtp_url is None or not settings.smtp_url.get_secret_value().strip():
        if not _warned:
            log.warning("COUNCIL_SMTP_URL is not set: e-mail stays queued, unsent")
            _warned = True
        return None
    return parse_smtp_url(settings.smtp_url.get_secret_value())


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 message from ``COUNCIL_MAIL_FROM`` to ``to``, dated now, with a Message-ID."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(body)
    return message


async def deliver(target: SmtpTarget, message: EmailMessage) -> None:
    """Send one message. Raises aiosmtplib's errors (and OSError) when the server is away or refuses it."""
    await aiosmtplib.send(
        message,
        hostname=target.host,
        port=target.port,
        username=target.username,
        password=target.password,
        use_tls=target.use_tls,
        start_tls=target.start_tls,
        timeout=TIMEOUT,
    )


async def send_due(settings: Settings | None = None, limit: int = BATCH) -> int:
    """Send the messages due now (see the module docstring); how many e-mails went (a digest counts once).

    Never raises for the SMTP server: a failure is recorded on the rows.
    """
    settings = settings or get_settings()
    target = _target(settings)
    if target is None:
        return 0
    now = clock.now()
    rows = await (
        MailMessage.filter(status=MailStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .limit(limit)
        .values(*_FIELDS)
    )
    sent = 0
    digests: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if not await _claim(row, now):
            continue
        if row["digest"]:
            digests[row["member_id"]].append(row)
            continue
        message = build_message(settings, row["to_address"], row["subject"], row["body"])
        sent += await _send([row], target, message, settings)
    for member_id, group in digests.items():
        sent += await _send_digest(member_id, group, target, settings)
    return sent


async def _claim(row: dict[str, Any], now: datetime) -> bool:
    """Win ``row`` by compare-and-set on ``attempts``; False when another sender took it first."""
    won = await MailMessage.filter(
        id=row["id"], status=MailStatus.PENDING, attempts=row["attempts"], next_attempt_at__lte=now
    ).update(attempts=row["attempts"] + 1, next_attempt_at=now + LEASE)
    if won:
        row["attempts"] += 1
    return bool(won)


async def _send_digest(member_id: int, rows: list[dict[str, Any]], target: SmtpTarget, settings: Settings) -> int:
    """Fold a member's claimed digest rows into one message in the member's language and send it."""
    lang = await Member.filter(id=member_id).first().values_list("language", flat=True)
    rows.sort(key=lambda r: r["id"])
    subject, body = digest(language_of(str(lang) if lang else None), [(r["subject"], r["link"]) for r in rows])
    message = build_message(settings, rows[-1]["to_address"], subject, body)
    return await _send(rows, target, message, settings)


async def _send(rows: list[dict[str, Any]], target: SmtpTarget, message: EmailMessage, settings: Settings) -> int:
    """Send ``message`` for the claimed ``rows`` and record the outcome on each; 1 when it went, else 0."""
    try:
        await deliver(target, message)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:512]
        now = clock.now()
        for row in rows:
            if row["attempts"] >= settings.mail_max_attempts:
                await MailMessage.filter(id=row["id"]).update(status=MailStatus.FAILED, last_error=error)
                log.error("mail %s given up after %s tries: %s", row["id"], row["attempts"], error)
            else:
                await MailMessage.filter(id=row["id"]).update(
                    next_attempt_at=now + backoff(row["attempts"]), last_error=error
                )
        log.warning("mail to member %s not sent (try %s): %s", rows[0]["member_id"], rows[0]["attempts"], error)
        return 0
    await MailMessage.filter(id__in=[r["id"] for r in rows]).update(
        status=MailStatus.SENT, sent_at=clock.now(), last_error=""
    )
    return 1


class Mailer:
    """A loop that calls :func:`send_due` every ``interval`` seconds until ``stop`` is set (the first at once)."""

    def __init__(self, interval: float, settings: Settings | None = None) -> None:
        self.interval = interval
        self.settings = settings

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set; an error in a round is logged and the loop goes on."""
        log.info("mailer: sending queued e-mail every %s s", self.interval)
        while not stop.is_set():
            try:
                await send_due(self.settings)
            except Exception:
                log.exception("mailer: a round failed")
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)


@asynccontextmanager
async def running(interval: float, settings: Settings | None = None) -> AsyncIterator[Mailer | None]:
    """Run a :class:`Mailer` in the background while the context is open; none when ``interval <= 0``."""
    if interval <= 0:
        yield None
        return
    mailer, stop = Mailer(interval, settings), asyncio.Event()
    task = asyncio.create_task(mailer.run(stop), name="council-mailer")
    try:
        yield mailer
    finally:
        stop.set()
        await task
