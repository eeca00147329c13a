"""The ``mail`` consumer of the outbox: queue one e-mail per recipient of each notice an event makes.

:func:`install` registers it with the relay (:mod:`council.outbox.relay`);
the app's lifespan and ``council worker`` call it. For each event of a
proposal's chain it asks :func:`council.notifications.recipients.notices`
who is told what, keeps the members who are active, have an e-mail address
and did not turn the kind off, and queues a
:class:`~council.notifications.models.MailMessage` per (event, member, kind)
with the subject and body in the member's language and a link to the
proposal in the web client. It runs inside the relay's transaction and is
idempotent: a (event, member, kind) queued already is not queued again (the
table's unique key), so a batch handled twice queues each message once.
The mailer (:mod:`council.notifications.mailer`) sends them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from council import clock
from council.notifications.models import MailMessage, NotificationKind, NotificationPreference
from council.notifications.recipients import Notice, notices
from council.notifications.templates import RESULTS, language_of, proposal_link, render
from council.notifications.timing import city_zone, next_digest_at
from council.organizations.models import Member
from council.outbox.relay import OutboxRecord, register
from council.proposals.queries import proposal_rows
from council.settings import Settings, get_settings

NAME = "mail"
"""The consumer's cursor name (``outbox_cursor.name``)."""


def public_url(settings: Settings) -> str:
    """The origin links start with: ``COUNCIL_PUBLIC_URL``, else the token issuer (no trailing ``/``)."""
    return (settings.public_url.strip() or settings.token_issuer).rstrip("/")


class MailConsumer:
    """Queues e-mail for outbox events (see the module docstring); ``name`` is ``mail``."""

    name = NAME

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    async def handle(self, events: list[OutboxRecord]) -> None:
        """Queue the messages of ``events`` (inside the relay's transaction)."""
        settings = self.settings or get_settings()
        wanted = [e for e in events if e.subject_kind == "proposal"]
        if not wanted:
            return
        proposals = await proposal_rows(e.subject_id for e in wanted)
        zone = await city_zone(settings)
        for event in wanted:
            proposal = proposals.get(event.subject_id)
            if proposal is None:
                continue
            for notice in await notices(event, proposal):
                await _queue(event, proposal, notice, public_url(settings), zone, settings.mail_digest_hour)


async def _queue(
    event: OutboxRecord, proposal: dict[str, Any], notice: Notice, base: str, zone: ZoneInfo, digest_hour: int
) -> None:
    """Queue ``notice``'s messages to its members who take e-mail of its kind; those queued already are left.

    A member taking the daily digest gets a ``digest`` row due at the next
    digest hour (:func:`~council.notifications.timing.next_digest_at`);
    everyone else a row due now.
    """
    if not notice.member_ids:
        return
    members = await Member.filter(id__in=sorted(notice.member_ids), is_active=True, email__isnull=False).values(
        "id", "email", "language", "mail_digest"
    )
    off = set(
        await NotificationPreference.filter(
            member_id__in=[m["id"] for m in members], kind=notice.kind, email=False
        ).values_list("member_id", flat=True)
    )
    done = set(await MailMessage.filter(outbox_event_id=event.id, kind=notice.kind).values_list("member_id", flat=True))
    link = proposal_link(base, proposal["id"])
    now = clock.now()
    digest_at = next_digest_at(now, zone, digest_hour)
    rows = []
    for m in members:
        if m["id"] in off or m["id"] in done or not (m["email"] or "").strip():
            continue
        lang = language_of(m["language"])
        subject, body = render(notice.kind, lang, **_facts(notice, proposal, lang, zone), link=link)
        rows.append(
            MailMessage(
                member_id=m["id"],
                outbox_event_id=event.id,
                kind=notice.kind,
                to_address=m["email"],
                subject=subject,
                body=body,
                link=link,
                digest=bool(m["mail_digest"]),
                next_attempt_at=digest_at if m["mail_digest"] else now,
                created_at=now,
            )
        )
    if rows:
        await MailMessage.bulk_create(rows, ignore_conflicts=True)


def _facts(notice: Notice, proposal: dict[str, Any], lang: str, zone: ZoneInfo) -> dict[str, str]:
    """The template fields of ``notice`` in ``lang``: texts per language picked, times in the city's zone."""
    facts: dict[str, str] = {"title": proposal["title"]}
    state = notice.facts.get("state")
    if isinstance(state, dict):
        facts["state"] = state.get(lang) or state.get("en") or ""
    result = notice.facts.get("result")
    if result:
        facts["result"] = RESULTS.get(str(result), {}).get(lang, str(result))
    due = notice.facts.get("due_at")
    if isinstance(due, datetime):
        facts["due"] = due.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    elif isinstance(due, date):
        facts["due"] = due.isoformat()
    if notice.kind == NotificationKind.REVISION_REQUESTED and notice.facts.get("comment"):
        facts["comment"] = str(notice.facts["comment"])
    return facts


def install(settings: Settings | None = None) -> MailConsumer:
    """Register the ``mail`` consumer with the outbox relay (the app's lifespan and ``council worker`` call it)."""
    consumer = MailConsumer(settings)
    register(consumer)
    return consumer
