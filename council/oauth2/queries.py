"""Reads and writes of the authorization server; awaited on the event loop.

The grants in :mod:`council.oauth2.server` call these through
:func:`council.oauth2.bridge.wait_for`. Values handed to authlib are plain
frozen dataclasses (:class:`Client`, :class:`Holder`, :class:`CodeGrantRow`,
:class:`RefreshRow`), never ORM instances. Every secret is looked up by its
SHA-256; a redemption (of a code or a refresh token) is a compare-and-set
``UPDATE ... WHERE used_at IS NULL``, so of two concurrent redemptions exactly
one wins, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council import clock
from council.oauth2.models import (
    AuthorizationCode,
    Consent,
    IssuedAccessToken,
    OAuthClient,
    RefreshToken,
    RevokedToken,
)
from council.organizations.models import Member

log = logging.getLogger("council.oauth2")

PUBLIC = "public"
CONFIDENTIAL = "confidential"


def digest(secret: str) -> str:
    """SHA-256 (hex) of a secret, as stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_family() -> str:
    """A fresh family id: one per authorization grant."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Holder:
    """The member a token is for (the resource owner, or a machine client's service member).

    ``auth_time`` is when the member entered the password this grant stems
    from, in whole seconds since the epoch (UTC), carried into the tokens'
    ``auth_time`` claim; None for a machine client's service member and for
    grants from before it was recorded.
    """

    id: int
    username: str
    organization_id: int
    roles: frozenset[str]
    auth_time: int | None = None


@dataclass(frozen=True)
class Client(ClientMixin):
    """A registered client as authlib sees it (``ClientMixin``, RFC 6749 §2)."""

    pk: int
    client_id: str
    name: str
    organization_id: int
    client_type: str
    secret_hash: str
    redirect_uris: tuple[str, ...]
    scopes: frozenset[str]
    grant_types: frozenset[str]
    service_member: Holder | None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None  # every authorization request names its redirect_uri (OAuth 2.1 §4.1.1)

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested scopes this client may ask for (all of its scopes when none are asked).

        Returns None when nothing remains: authlib answers ``invalid_scope`` (RFC 6749 §3.3).
        """
        requested = set(scope.split()) if scope else set(self.scopes)
        allowed = requested & self.scopes
        return " ".join(sorted(allowed)) if allowed else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact string match (RFC 9700 §4.1.3)

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.secret_hash) and hmac.compare_digest(digest(client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.client_type == PUBLIC:
            return method == "none"
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and "authorization_code" in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass(frozen=True)
class CodeGrantRow(AuthorizationCodeMixin):
    """A stored authorization code (without the code itself)."""

    pk: int
    family: str
    client_pk: int
    member_id: int
    redirect_uri: str
    scope: str
    code_challenge: str
    code_challenge_method: str
    expires_at: datetime
    used_at: datetime | None
    auth_time: int | None = None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass(frozen=True)
class RefreshRow(TokenMixin):
    """A stored refresh token (without the token itself)."""

    pk: int
    family: str
    client_pk: int
    member_id: int
    scope: str
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    auth_time: int | None = None

    def check_client(self, client: Client) -> bool:
        return self.client_pk == client.pk

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int((self.expires_at - clock.now()).total_seconds()))

    def is_expired(self) -> bool:
        return self.expires_at <= clock.now()

    def is_revoked(self) -> bool:
        return self.used_at is not None or self.revoked_at is not None


def to_epoch(value: datetime | None) -> int | None:
    """A stored ``auth_time`` as whole seconds since the epoch (None stays None)."""
    return int(value.timestamp()) if value is not None else None


def from_epoch(value: int | None) -> datetime | None:
    """Whole seconds since the epoch as a UTC datetime to store (None stays None)."""
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _holder(row: dict[str, Any]) -> Holder:
    return Holder(
        id=row["id"],
        username=row["username"],
        organization_id=row["organization_id"],
        roles=frozenset(str(r) for r in row["roles"] or ()),
    )


async def load_holder(member_id: int) -> Holder | None:
    """The active member ``member_id``, or None."""
    row = await Member.filter(id=member_id, is_active=True).first().values("id", "username", "organization_id", "roles")
    return _holder(row) if row else None


async def load_client(client_id: str) -> Client | None:
    """The active client ``client_id`` with its service member (if active), or None."""
    if not isinstance(client_id, str) or not 0 < len(client_id) <= 64:
        return None
    row = await OAuthClient.filter(client_id=client_id, is_active=True).first().values()
    if row is None:
        return None
    service = await load_holder(row["service_member_id"]) if row["service_member_id"] else None
    return Client(
        pk=row["id"],
        client_id=row["client_id"],
        name=row["name"],
        organization_id=row["organization_id"],
        client_type=row["client_type"],
        secret_hash=row["secret_hash"],
        redirect_uris=tuple(row["redirect_uris"] or ()),
        scopes=frozenset(row["scopes"] or ()),
        grant_types=frozenset(row["grant_types"] or ()),
        service_member=service,
    )


async def save_code(
    code: str,
    *,
    client: Client,
    holder: Holder,
    redirect_uri: str,
    scope: str,
    challenge: str,
    method: str,
    ttl: int,
) -> None:
    """Store a new authorization code (hashed), valid ``ttl`` seconds, in a new family.

    The code keeps ``holder.auth_time`` (when the password was entered) for the tokens it is exchanged for.
    """
    await AuthorizationCode.create(
        code_hash=digest(code),
        family=new_family(),
        client_id=client.pk,
        member_id=holder.id,
        redirect_uri=redirect_uri,
        scope=scope,
        code_challenge=challenge,
        code_challenge_method=method,
        expires_at=clock.now() + timedelta(seconds=ttl),
        auth_time=from_epoch(holder.auth_time),
    )


async def find_code(code: str) -> CodeGrantRow | None:
    """The stored code whose value is ``code``, used or not, or None."""
    row = await AuthorizationCode.filter(code_hash=digest(code)).first().values()
    if row is None:
        return None
    return CodeGrantRow(
        pk=row["id"],
        family=row["family"],
        client_pk=row["client_id"],
        member_id=row["member_id"],
        redirect_uri=row["redirect_uri"],
        scope=row["scope"],
        code_challenge=row["code_challenge"],
        code_challenge_method=row["code_challenge_method"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        auth_time=to_epoch(row["auth_time"]),
    )


async def redeem_code(pk: int) -> bool:
    """Mark the code used; False when it already was (a concurrent redemption won)."""
    return await AuthorizationCode.filter(id=pk, used_at__isnull=True).update(used_at=clock.now()) == 1


async def find_refresh(token: str) -> RefreshRow | None:
    """The stored refresh token whose value is ``token``, in any state, or None."""
    row = await RefreshToken.filter(token_hash=digest(token)).first().values()
    if row is None:
        return None
    return RefreshRow(
        pk=row["id"],
        family=row["family"],
        client_pk=row["client_id"],
        member_id=row["member_id"],
        scope=row["scope"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        revoked_at=row["revoked_at"],
        auth_time=to_epoch(row["auth_time"]),
    )


async def rotate_refresh(pk: int) -> bool:
    """Mark the refresh token used; False when it already was used or revoked."""
    updated = await RefreshToken.filter(id=pk, used_at__isnull=True, revoked_at__isnull=True).update(
        used_at=clock.now()
    )
    return updated == 1


async def save_tokens(
    *,
    client: Client,
    holder: Holder,
    family: str,
    jti: str,
    access_expires: datetime,
    refresh_token: str | None,
    scope: str,
    refresh_ttl: int,
) -> None:
    """Record an issued access token's ``jti`` and store its refresh token (hashed), in one transaction.

    The refresh token keeps ``holder.auth_time``, so the tokens rotated from
    it carry the grant's original ``auth_time``. Also prunes what has
    expired, so the tables do not grow without bound.
    """
    now = clock.now()
    async with in_transaction():
        await IssuedAccessToken.create(jti=jti, family=family, client_id=client.pk, expires_at=access_expires)
        if refresh_token is not None:
            await RefreshToken.create(
                token_hash=digest(refresh_token),
                family=family,
                client_id=client.pk,
                member_id=holder.id,
                scope=scope,
                expires_at=now + timedelta(seconds=refresh_ttl),
                auth_time=from_epoch(holder.auth_time),
            )
    await prune(now)


async def prune(now: datetime) -> None:
    """Delete rows no longer needed: expired access-token records and revocations, old codes."""
    await IssuedAccessToken.filter(expires_at__lt=now - timedelta(minutes=5)).delete()
    await RevokedToken.filter(expires_at__lt=now - timedelta(minutes=5)).delete()
    await AuthorizationCode.filter(expires_at__lt=now - timedelta(days=1)).delete()


async def revoke_access(jti: str, expires_at: datetime, reason: str) -> None:
    """Put ``jti`` on the revocation list until ``expires_at`` (idempotent)."""
    if not await RevokedToken.exists(jti=jti):
        await RevokedToken.create(jti=jti, expires_at=expires_at, reason=reason)


async def revoke_family(family: str, reason: str) -> int:
    """Revoke every token of a grant: its code, refresh tokens and live access tokens.

    Returns:
        The number of access tokens put on the revocation list.
    """
    now = clock.now()
    async with in_transaction():
        await AuthorizationCode.filter(family=family, used_at__isnull=True).update(used_at=now)
        await RefreshToken.filter(family=family, revoked_at__isnull=True).update(revoked_at=now)
        live = await IssuedAccessToken.filter(family=family, expires_at__gt=now).values("jti", "expires_at")
        known = set(await RevokedToken.filter(jti__in=[t["jti"] for t in live]).values_list("jti", flat=True))
        await RevokedToken.bulk_create(
            [
                RevokedToken(jti=t["jti"], expires_at=t["expires_at"], reason=reason)
                for t in live
                if t["jti"] not in known
            ]
        )
    return len(live)


async def is_revoked(jti: str) -> bool:
    """True when the access token ``jti`` was revoked."""
    return await RevokedToken.exists(jti=jti)


async def load_client_by_pk(pk: int) -> Client | None:
    """The active client with primary key ``pk``, or None."""
    # tortoise types a flat values_list of one row as a tuple
    client_id = cast("str | None", await OAuthClient.filter(id=pk).first().values_list("client_id", flat=True))
    return await load_client(client_id) if client_id else None


async def consented_scopes(member_id: int, client_pk: int) -> frozenset[str]:
    """The scopes the member allowed this client and has not withdrawn (empty when none)."""
    row = (
        await Consent.filter(member_id=member_id, client_id=client_pk, revoked_at__isnull=True).first().values("scopes")
    )
    return frozenset(str(s) for s in row["scopes"] or ()) if row else frozenset()


async def remember_consent(member_id: int, client_pk: int, scopes: list[str]) -> None:
    """Record that the member allowed the client ``scopes`` (added to what they allowed before, unless withdrawn)."""
    now = clock.now()
    for _ in range(2):  # a concurrent first Allow of the same member and client may win the insert
        row = (
            await Consent.filter(member_id=member_id, client_id=client_pk).first().values("id", "scopes", "revoked_at")
        )
        if row is None:
            try:
                await Consent.create(
                    member_id=member_id, client_id=client_pk, scopes=sorted(set(scopes)), granted_at=now
                )
                return
            except IntegrityError:
                continue
        kept = set() if row["revoked_at"] is not None else set(row["scopes"] or ())
        await Consent.filter(id=row["id"]).update(scopes=sorted(kept | set(scopes)), granted_at=now, revoked_at=None)
        return


async def revoke_consents(member_id: int, client_pk: int | None = None) -> tuple[list[str], int]:
    """Withdraw the member's remembered consents (to one client, or to all) and revoke those grants' tokens.

    Returns:
        ``(client ids whose consent was withdrawn, sorted; number of grants revoked)``. A grant is an
        authorization's family of refresh and access tokens (:func:`revoke_family`).
    """
    consents = Consent.filter(member_id=member_id, revoked_at__isnull=True)
    refresh = RefreshToken.filter(member_id=member_id, revoked_at__isnull=True, used_at__isnull=True)
    if client_pk is not None:
        consents = consents.filter(client_id=client_pk)
        refresh = refresh.filter(client_id=client_pk)
    # tortoise types a flat values_list's rows as tuples; here each is one string
    clients = sorted(cast("set[str]", set(await consents.values_list("client__client_id", flat=True))))
    await consents.update(revoked_at=clock.now())
    families = sorted(cast("set[str]", set(await refresh.values_list("family", flat=True))))
    for family in families:
        await revoke_family(family, "consent_revoked")
    return clients, len(families)
