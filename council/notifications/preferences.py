"""A member's notification preferences: e-mail address, language, daily digest, and each kind on or off.

The rules of ``updateNotificationPreferences``, ``council members email`` and
the seed files' ``email`` (:func:`clean_email`): one address, at most 254
characters (RFC 5321 §4.5.3.1.3 less the angle brackets), a local part and a
domain of dot-separated labels, no spaces or control characters. A kind
without a :class:`~council.notifications.models.NotificationPreference` row
is on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from council.auth.principal import Principal
from council.errors import DomainError, ErrorCode, invalid
from council.notifications.models import NotificationKind, NotificationPreference
from council.notifications.templates import LANGUAGES
from council.organizations.models import Member
from council.unit_of_work import unit_of_work

__all__ = ["EmailError", "NotificationKind", "Preferences", "clean_email", "preferences_of", "set_email", "update"]

EMAIL_MAX = 254
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")


class EmailError(ValueError):
    """Not an e-mail address; ``str(exc)`` says why (the CLI and seed loader's form of INVALID_INPUT)."""


def clean_email(value: str) -> str:
    """``value`` stripped, checked as one e-mail address (see the module docstring); the domain lower-cased.

    Raises:
        EmailError: empty, too long, or not ``local@domain.tld``.
    """
    text = value.strip()
    if not text:
        raise EmailError("the e-mail address is empty")
    if len(text) > EMAIL_MAX:
        raise EmailError(f"the e-mail address is longer than {EMAIL_MAX} characters")
    if not _EMAIL.fullmatch(text) or len(text.split("@")[0]) > 64:
        raise EmailError(f"{text!r} is not an e-mail address (local@domain.example)")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


@dataclass(frozen=True)
class Preferences:
    """What one member chose: ``email`` (or None), ``language`` (``id``/``en``), ``daily_digest``, kinds turned off."""

    member_id: int
    email: str | None
    language: str
    daily_digest: bool
    off: frozenset[NotificationKind]

    def settings(self) -> list[tuple[NotificationKind, bool]]:
        """Every kind with whether it is e-mailed, in :class:`NotificationKind` order."""
        return [(k, k not in self.off) for k in NotificationKind]


async def preferences_of(member_id: int) -> Preferences | None:
    """The member's preferences; None for an unknown member. Two statements."""
    row = await Member.filter(id=member_id).first().values("email", "language", "mail_digest")
    if row is None:
        return None
    off = await NotificationPreference.filter(member_id=member_id, email=False).values_list("kind", flat=True)
    return Preferences(
        member_id,
        row["email"],
        row["language"] if row["language"] in LANGUAGES else "id",
        bool(row["mail_digest"]),
        frozenset(NotificationKind(str(k)) for k in off),
    )


async def update(
    actor: Principal,
    *,
    settings: list[tuple[str, bool]] | None = None,
    daily_digest: bool | None = None,
    language: str | None = None,
    email: str | None = None,
) -> Preferences:
    """Change the actor's own preferences: only what is given (None leaves it); the result.

    ``email`` ``""`` removes the address (no more e-mail). One transaction:
    a refusal changes nothing. The preferences are the member's own and no
    proposal's, so the unit of work has no audit chain (nothing announced).

    Raises:
        DomainError: UNAUTHENTICATED (anonymous, or the system);
            INVALID_INPUT on ``email`` (not an address), ``language`` (not
            ``id`` or ``en``) or ``settings`` (a kind given twice, an unknown kind).
    """
    if actor.member_id is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "unauthenticated")
    changes: dict[str, Any] = {}
    if email is not None:
        try:
            changes["email"] = clean_email(email) if email.strip() else None
        except EmailError:
            raise invalid("invalid_email", "email", value=email.strip()[:80]) from None
    if language is not None:
        if language not in LANGUAGES:
            raise invalid("unknown_language", "language", value=language[:16], known=", ".join(LANGUAGES))
        changes["language"] = language
    if daily_digest is not None:
        changes["mail_digest"] = daily_digest
    wanted: dict[NotificationKind, bool] = {}
    for kind, on in settings or ():
        try:
            known = NotificationKind(kind)
        except ValueError:
            raise invalid("unknown_kind", "settings", value=str(kind)[:32]) from None
        if known in wanted:
            raise invalid("given_twice", "settings", value=known.value)
        wanted[known] = on
    async with unit_of_work(actor, None) as work:
        if changes:
            await Member.filter(id=actor.member_id).update(**changes)
        for kind, on in wanted.items():
            updated = await NotificationPreference.filter(member_id=actor.member_id, kind=kind).update(
                email=on, updated_at=work.now
            )
            if not updated:
                await NotificationPreference.create(member_id=actor.member_id, kind=kind, email=on)
    found = await preferences_of(actor.member_id)
    if found is None:  # the member was deleted meanwhile
        raise DomainError(ErrorCode.UNAUTHENTICATED, "unauthenticated")
    return found


async def set_email(username: str, address: str | None) -> str | None:
    """Set (or, with None or ``""``, remove) the e-mail address of ``username``: ``council members email``, seeds.

    Returns the address stored.

    Raises:
        EmailError: not an address, or no member ``username``.
    """
    cleaned = clean_email(address) if address and address.strip() else None
    if not await Member.filter(username=username).update(email=cleaned):
        raise EmailError(f"no member with username {username!r}")
    return cleaned
