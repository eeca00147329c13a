"""Registering OAuth clients (``council clients create``) and signing members in (``/oauth/authorize``).

Two kinds of client (DESIGN.md, "The people"):

- a *web client* (``public``, or ``confidential`` outside a university):
  grants ``authorization_code`` with PKCE and ``refresh_token``; at least
  one redirect URI, matched exactly;
- a university's *machine client* (``confidential`` in an organisation of
  kind ``university``): grant ``client_credentials`` only, scopes at most
  ``proposals:read reviews:write``, acting as a service member
  ``client.<client_id>`` (role ``university_reviewer``, in that university)
  that cannot sign in, so its reviews have a reviewer and an organisation.

Sign-in is throttled per account and per address (:func:`sign_in`).
"""

from __future__ import annotations

import ipaddress
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

import anyio.to_thread
from tortoise.transactions import in_transaction

from council import clock
from council.auth.passwords import check_password
from council.auth.scopes import ALL_SCOPES, PROPOSALS_READ, REVIEWS_WRITE
from council.enums import OrganizationKind, Role
from council.oauth2.models import OAuthClient, SignInFailure
from council.oauth2.queries import CONFIDENTIAL, PUBLIC, Holder, digest
from council.organizations.models import Member, Organization
from council.organizations.rules import SERVICE_PREFIX

MACHINE_SCOPES = (PROPOSALS_READ, REVIEWS_WRITE)
"""The most a university machine client may hold (issue 3, "Clients")."""
WEB_GRANTS = ["authorization_code", "refresh_token"]
MACHINE_GRANTS = ["client_credentials"]

ACCOUNT_LIMIT = 5
"""Failed sign-ins per account (username as typed) within :data:`WINDOW` before it is locked out."""
ADDRESS_LIMIT = 20
"""Failed sign-ins per client address within :data:`WINDOW` before it is locked out."""
WINDOW = 15 * 60
"""Seconds a failed sign-in counts against the account and the address."""


class ClientError(ValueError):
    """A client registration is refused; ``str(exc)`` says why."""


@dataclass(frozen=True)
class NewClient:
    """A client just registered: its secret is here once and never again."""

    client_id: str
    client_secret: str | None
    machine: bool
    scopes: list[str]
    grant_types: list[str]
    redirect_uris: list[str]
    service_username: str | None


async def create_client(
    *, name: str, organization: str, client_type: str, redirect_uris: list[str], scopes: list[str]
) -> NewClient:
    """Register a client of ``organization`` (its code).

    Args:
        client_type: ``public`` or ``confidential``.
        redirect_uris: absolute ``https`` URIs, or ``http`` on a loopback host
            (RFC 8252 §7.3), without fragment (RFC 6749 §3.1.2); required for
            web clients, refused for machine clients.
        scopes: the most the client may ask for; empty means every scope
            (web clients) or ``proposals:read reviews:write`` (machine clients).

    Raises:
        ClientError: unknown organisation, type or scope; a blank name; a bad,
            missing or unexpected redirect URI; a machine client asking more
            than :data:`MACHINE_SCOPES`.
    """
    org, machine, granted, grants = await _checked(name, organization, client_type, redirect_uris, scopes)
    name = name.strip()
    client_id = f"{org.code[:32]}-{secrets.token_hex(6)}"
    secret = secrets.token_urlsafe(32) if client_type == CONFIDENTIAL else None
    service_username = f"{SERVICE_PREFIX}{client_id}" if machine else None
    async with in_transaction():
        service = None
        if service_username:
            service = await Member.create(
                username=service_username,
                display_name=name[:255],
                organization=org,
                roles=[Role.UNIVERSITY_REVIEWER.value],
            )
        await OAuthClient.create(
            client_id=client_id,
            name=name,
            organization=org,
            client_type=client_type,
            secret_hash=digest(secret) if secret else "",
            redirect_uris=list(dict.fromkeys(redirect_uris)),
            scopes=granted,
            grant_types=grants,
            service_member=service,
        )
    return NewClient(client_id, secret, machine, granted, grants, list(dict.fromkeys(redirect_uris)), service_username)


@dataclass(frozen=True)
class EnsuredClient:
    """What :func:`ensure_public_client` did.

    Attributes:
        created: True when the client did not exist before.
        changed: the fields of an existing client that were updated
            (``name``, ``organization``, ``scopes``, ``grant_types``,
            ``redirect_uris``, ``is_active``); empty when nothing changed.
    """

    client_id: str
    created: bool
    changed: tuple[str, ...]
    scopes: list[str]
    grant_types: list[str]
    redirect_uris: list[str]


async def ensure_public_client(
    *, client_id: str, name: str, organization: str, redirect_uri: str, scopes: list[str]
) -> EnsuredClient:
    """Create or update the public web client ``client_id`` (idempotent; ``council web setup``).

    A new client gets exactly ``redirect_uri``; an existing one keeps its
    redirect URIs and gets ``redirect_uri`` added when missing, and takes
    ``name``, ``organization``, ``scopes`` and the web grants
    (:data:`WEB_GRANTS`); a deactivated one is activated again. The checks
    are those of :func:`create_client` for a ``public`` client.

    Raises:
        ClientError: a ``client_id`` that is not 1 to 64 of ``A-Za-z0-9._-``;
            a client of that id that is confidential; any refusal of
            :func:`create_client` (unknown organisation or scope, bad redirect URI).
    """
    if not _CLIENT_ID.fullmatch(client_id):
        raise ClientError(f"client id {client_id!r} must be 1 to 64 of A-Z a-z 0-9 . _ -")
    org, _, granted, grants = await _checked(name, organization, PUBLIC, [redirect_uri], scopes)
    name = name.strip()
    async with in_transaction():
        row = await OAuthClient.filter(client_id=client_id).select_for_update().first()
        if row is None:
            await OAuthClient.create(
                client_id=client_id,
                name=name,
                organization=org,
                client_type=PUBLIC,
                secret_hash="",
                redirect_uris=[redirect_uri],
                scopes=granted,
                grant_types=grants,
            )
            return EnsuredClient(client_id, True, (), granted, grants, [redirect_uri])
        if row.client_type != PUBLIC:
            raise ClientError(f"client {client_id!r} exists and is {row.client_type}, not {PUBLIC}")
        uris = list(row.redirect_uris or [])
        wanted: dict[str, Any] = {
            "name": name,
            "organization_id": org.id,
            "scopes": granted,
            "grant_types": grants,
            "redirect_uris": uris if redirect_uri in uris else [*uris, redirect_uri],
            "is_active": True,
        }
        changed = tuple(k for k, v in wanted.items() if getattr(row, k) != v)
        if changed:
            await OAuthClient.filter(id=row.id).update(**{k: wanted[k] for k in changed})
    return EnsuredClient(
        client_id, False, tuple(k.removesuffix("_id") for k in changed), granted, grants, list(wanted["redirect_uris"])
    )


_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


async def _checked(
    name: str, organization: str, client_type: str, redirect_uris: list[str], scopes: list[str]
) -> tuple[Organization, bool, list[str], list[str]]:
    """The checks of a client registration: ``(organisation, machine?, scopes, grant types)``.

    Raises:
        ClientError: see :func:`create_client`.
    """
    name = name.strip()
    if not name or len(name) > 200:
        raise ClientError("the client name must be 1 to 200 characters")
    if client_type not in (PUBLIC, CONFIDENTIAL):
        raise ClientError(f"--type must be {PUBLIC} or {CONFIDENTIAL}, not {client_type!r}")
    org = await Organization.filter(code=organization).first()
    if org is None:
        raise ClientError(f"no organisation with code {organization!r}")
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ClientError(f"unknown scope(s) {', '.join(unknown)}; valid scopes: {', '.join(ALL_SCOPES)}")
    machine = client_type == CONFIDENTIAL and org.kind == OrganizationKind.UNIVERSITY
    if machine:
        wider = sorted(set(scopes) - set(MACHINE_SCOPES))
        if wider:
            raise ClientError(
                f"a university machine client may hold at most {' '.join(MACHINE_SCOPES)}, not {', '.join(wider)}"
            )
        if redirect_uris:
            raise ClientError("a university machine client uses client credentials and has no redirect URI")
        return org, True, sorted(set(scopes) or set(MACHINE_SCOPES)), MACHINE_GRANTS
    if not redirect_uris:
        raise ClientError("a web client needs at least one --redirect-uri")
    for uri in redirect_uris:
        check_redirect_uri(uri)
    return org, False, sorted(set(scopes) or set(ALL_SCOPES)), WEB_GRANTS


def check_redirect_uri(uri: str) -> None:
    """Refuse a redirect URI that is relative, has a fragment, or is plain http off loopback.

    Raises:
        ClientError: naming the rule (RFC 6749 §3.1.2, RFC 8252 §7.3, RFC 9700 §2.6).
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        raise ClientError(f"redirect URI {uri!r} is not a URL") from None
    if not parts.scheme or not parts.hostname:
        raise ClientError(f"redirect URI {uri!r} must be absolute")
    if parts.fragment or "#" in uri:
        raise ClientError(f"redirect URI {uri!r} must not have a fragment")
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and _loopback(parts.hostname):
        return
    raise ClientError(f"redirect URI {uri!r} must use https (or http on a loopback address)")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class SignInRefused(Exception):
    """A sign-in that did not succeed.

    Attributes:
        throttled: True when refused for too many failures (then
            ``retry_after`` is the seconds to wait), False for a wrong username
            or password. The two causes of a plain failure (no such account,
            wrong password) are never told apart.
    """

    throttled: bool
    retry_after: int = 0


async def sign_in(username: str, password: str, address: str) -> Holder:
    """Check a member's username and password, throttled.

    An account (the username as typed, case-folded, whether or not it exists)
    with :data:`ACCOUNT_LIMIT` failures, or an address with
    :data:`ADDRESS_LIMIT` failures, within the last :data:`WINDOW` seconds is
    refused without checking the password. A success clears the account's failures.

    Returns:
        The member, with ``auth_time`` = now (whole seconds since the epoch):
        the password was just entered.

    Raises:
        SignInRefused: throttled, or the username or password is wrong (one
            answer for an unknown account, an inactive one, one without a
            password and a wrong password; each takes one argon2 check).
    """
    username = username.strip()
    account = username.casefold()[:64]
    address = address[:64]
    now = clock.now()
    since = now - timedelta(seconds=WINDOW)
    for field, value, limit in (("account", account, ACCOUNT_LIMIT), ("address", address, ADDRESS_LIMIT)):
        failures = SignInFailure.filter(at__gt=since, **{field: value})
        if await failures.count() >= limit:
            # tortoise types a flat values_list of one row as a tuple
            oldest = cast("datetime | None", await failures.order_by("at").first().values_list("at", flat=True))
            wait = WINDOW - (now - oldest).total_seconds() if oldest else WINDOW
            raise SignInRefused(throttled=True, retry_after=max(1, math.ceil(wait)))
    row = (
        await Member.filter(username=username, is_active=True)
        .first()
        .values("id", "username", "organization_id", "roles", "password_hash")
    )
    stored = row["password_hash"] if row and not row["username"].startswith(SERVICE_PREFIX) else ""
    ok, new_hash = await anyio.to_thread.run_sync(check_password, stored, password)
    if not ok or row is None:
        await SignInFailure.create(account=account, address=address, at=now)
        await SignInFailure.filter(at__lt=now - timedelta(seconds=2 * WINDOW)).delete()
        raise SignInRefused(throttled=False)
    await SignInFailure.filter(account=account).delete()
    if new_hash:
        await Member.filter(id=row["id"]).update(password_hash=new_hash)
    return Holder(
        id=row["id"],
        username=row["username"],
        organization_id=row["organization_id"],
        roles=frozenset(str(r) for r in row["roles"] or ()),
        auth_time=int(now.timestamp()),
    )
