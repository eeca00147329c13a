"""JWT access tokens per RFC 9068, signed ES256 with the key store's current key.

Verification accepts exactly what :func:`issue_access_token` produces: the
``alg`` is ES256 and nothing else (RFC 8725 §3.1), the ``typ`` is ``at+jwt``
(RFC 9068 §4), the ``kid`` names a kept key, and the claims of RFC 9068 §2.2
are present and valid. :func:`verify_access_token` reads the keys this
process holds; :func:`averify_access_token`, for the event loop, re-reads them
from the database once when the ``kid`` is new to this node (a rotation on
another node whose announcement has not arrived yet).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jws import extract_compact

from council import clock
from council.auth import keys
from council.auth.keys import ALGORITHM, signing_key, verification_keys
from council.auth.scopes import ALL_SCOPES
from council.settings import get_settings

TOKEN_TYPE = "at+jwt"
LEEWAY = 30
"""Seconds of clock skew allowed on ``exp``, ``nbf`` and ``iat`` (RFC 7519 §4.1.4)."""

_TYPES = {"at+jwt", "application/at+jwt"}  # RFC 9068 §4: either spelling, case-insensitive
_HEADER_NAMES = {"alg", "typ", "kid"}
_REQUIRED = ("iss", "aud", "exp", "iat", "sub", "jti", "client_id", "scope")  # RFC 9068 §2.2
_CLAIM_REASONS = {
    "iss": "wrong issuer",
    "aud": "wrong audience",
    "nbf": "token not yet valid",
    "iat": "token issued in the future",
}


class TokenError(Exception):
    """The access token is not acceptable; ``str(exc)`` is a short reason in English."""


class UnknownKeyId(TokenError):
    """The token's ``kid`` names no key this process holds; ``kid`` is that id."""

    def __init__(self, kid: str) -> None:
        super().__init__("unknown key id")
        self.kid = kid


def issue_access_token(
    *,
    member_id: int,
    username: str,
    scopes: Iterable[str],
    ttl: int | None = None,
    client_id: str = "council-cli",
    auth_time: int | None = None,
) -> str:
    """Sign a JWT access token (RFC 9068 §2) for a member.

    The caller decides the scopes; they must already be narrowed to the
    member's roles (:func:`council.auth.scopes.scopes_for_roles`).

    Args:
        member_id: the member's id; becomes ``sub`` (as a string).
        username: becomes ``preferred_username``.
        scopes: scope names from :data:`council.auth.scopes.ALL_SCOPES`;
            ``scope`` is them sorted, de-duplicated and space-separated.
        ttl: lifetime in seconds (default ``settings.token_ttl``).
        client_id: the OAuth client the token is issued to.
        auth_time: when the member last entered a password, in whole seconds
            since the epoch (UTC); becomes ``auth_time`` (RFC 9068 §2.2.1,
            OpenID Connect Core §2). None (a machine client) leaves it out.

    Returns:
        The compact JWS: header ``{"typ": "at+jwt", "alg": "ES256", "kid"}``,
        claims ``iss aud sub exp iat nbf jti client_id scope preferred_username``
        and ``auth_time`` when given (times in whole seconds since the epoch, UTC).

    Raises:
        ValueError: ``ttl`` is not positive, a scope is unknown or there is none,
            ``auth_time`` is later than now.
        council.auth.keys.KeyStoreError: the signing key cannot be read.
    """
    settings = get_settings()
    ttl = settings.token_ttl if ttl is None else ttl
    if ttl <= 0:
        raise ValueError(f"ttl must be a positive number of seconds, not {ttl}")
    granted = sorted(set(scopes))
    unknown = [s for s in granted if s not in ALL_SCOPES]
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}")
    if not granted:
        raise ValueError("an access token needs at least one scope")
    now = clock.epoch_seconds()
    if auth_time is not None and auth_time > now:
        raise ValueError(f"auth_time {auth_time} is in the future (now is {now})")
    key = signing_key()
    claims: dict[str, Any] = {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": str(member_id),
        "exp": now + ttl,
        "iat": now,
        "nbf": now,
        "jti": secrets.token_urlsafe(16),
        "client_id": client_id,
        "scope": " ".join(granted),
        "preferred_username": username,
    }
    if auth_time is not None:
        claims["auth_time"] = auth_time
    header = {"typ": TOKEN_TYPE, "alg": ALGORITHM, "kid": key.kid}
    return jwt.encode(header, claims, key, algorithms=[ALGORITHM])


def verify_access_token(token: str) -> dict[str, Any]:
    """Check an access token and return its claims.

    Rules: only ES256 (RFC 8725 §3.1, so neither ``none`` nor HS256 with the
    public key); ``typ`` ``at+jwt`` (RFC 9068 §4); a ``kid`` of a kept key;
    a valid signature; ``iss`` and ``aud`` equal to the settings'; ``exp``,
    ``nbf`` and ``iat`` within :data:`LEEWAY` seconds of :func:`council.clock.now`;
    ``iss aud exp iat sub jti client_id scope`` present (RFC 9068 §2.2);
    ``auth_time``, when present, a whole number of seconds not later than
    ``iat`` (RFC 9068 §2.2.1).

    Args:
        token: the compact JWS from the ``Authorization: Bearer`` header.

    Returns:
        The claims as a dict; ``scope`` is a space-separated string.

    Raises:
        TokenError: any rule broken; the message says which, briefly
            (:class:`UnknownKeyId` for a ``kid`` this process does not hold).
        council.auth.keys.KeyStoreError: the keys are not loaded (a server fault).
    """
    try:
        header = extract_compact(token.encode("ascii")).headers()
    except (JoseError, UnicodeError, ValueError) as exc:
        raise TokenError("malformed token") from exc
    if not isinstance(header, dict):
        raise TokenError("malformed token")
    if header.get("alg") != ALGORITHM:
        raise TokenError(f"algorithm {header.get('alg')!r} is not accepted")
    if not isinstance(header.get("typ"), str) or header["typ"].lower() not in _TYPES:
        raise TokenError("not an access token (typ must be at+jwt)")
    if set(header) - _HEADER_NAMES:
        raise TokenError(f"unexpected header parameter(s): {', '.join(sorted(set(header) - _HEADER_NAMES))}")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise TokenError("token has no key id")
    try:
        key = verification_keys().get_by_kid(kid)
    except InvalidKeyIdError:
        raise UnknownKeyId(kid) from None
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM]).claims
    except BadSignatureError:
        raise TokenError("bad signature") from None
    except (JoseError, ValueError, TypeError) as exc:
        raise TokenError("malformed token") from exc
    settings = get_settings()
    required: dict[str, jwt.ClaimsOption] = {
        name: {"essential": True} for name in _REQUIRED if name not in {"iss", "aud"}
    }
    registry = jwt.JWTClaimsRegistry(
        now=clock.epoch_seconds,
        leeway=LEEWAY,
        iss={"essential": True, "value": settings.token_issuer},
        aud={"essential": True, "value": settings.token_audience},
        **required,
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise TokenError("token expired") from None
    except MissingClaimError as exc:
        raise TokenError(f"missing claim(s): {exc.claim}") from None
    except InvalidClaimError as exc:
        raise TokenError(_CLAIM_REASONS.get(exc.claim, f"invalid claim: {exc.claim}")) from None
    if not isinstance(claims["scope"], str) or not isinstance(claims["client_id"], str):
        raise TokenError("invalid claim: scope or client_id is not a string")
    if "auth_time" in claims and not _auth_time_ok(claims["auth_time"], claims["iat"]):
        raise TokenError("invalid claim: auth_time")
    return claims


def _auth_time_ok(value: object, issued_at: object) -> bool:
    """``auth_time`` is an integer NumericDate, not after ``iat`` (a password entered before the token)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return False
    return not isinstance(issued_at, int | float) or value <= issued_at


async def averify_access_token(token: str) -> dict[str, Any]:
    """:func:`verify_access_token`, re-reading the keys first when the token's ``kid`` is new here.

    The re-read is :func:`council.auth.keys.refresh_for` (at most once per
    ``UNKNOWN_KID_INTERVAL`` seconds); the token is then checked again.

    Raises:
        TokenError: as :func:`verify_access_token`.
        council.auth.keys.KeyStoreError: the keys were not loaded and cannot be.
    """
    try:
        return verify_access_token(token)
    except UnknownKeyId as exc:
        if not await keys.refresh_for(exc.kid):
            raise
    return verify_access_token(token)
