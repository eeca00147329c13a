"""From an ``Authorization`` header to a :class:`Principal` (RFC 6750).

The app calls :func:`principal_from_authorization` once per request; on
:class:`AuthenticationFailed` it answers with ``exc.status_code`` and the
header ``WWW-Authenticate: {www_authenticate(exc)}`` (RFC 6750 §3).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tortoise.expressions import Subquery

from council.auth.external import ExternalIssuer, external_issuer
from council.auth.principal import ANONYMOUS, Principal
from council.auth.scopes import scopes_for_roles
from council.auth.tokens import TokenError, averify_access_token
from council.oauth2.models import RevokedToken
from council.organizations.models import Member

INVALID_REQUEST = "invalid_request"
INVALID_TOKEN = "invalid_token"

_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")  # RFC 6750 §2.1
_UNSAFE = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")  # RFC 6750 §3: error_description charset


class AuthenticationFailed(Exception):
    """The request carried credentials that are not acceptable.

    Attributes:
        error: the RFC 6750 §3.1 error code, ``invalid_request`` (malformed
            header, not the Bearer scheme) or ``invalid_token`` (bad, expired
            or revoked token, unknown or inactive member).
        description: a short English reason, safe for a header.
        status_code: the HTTP status RFC 6750 §3.1 gives the error: 400 for
            ``invalid_request``, 401 for ``invalid_token``.
    """

    def __init__(self, error: str, description: str) -> None:
        self.error = error
        self.description = description
        self.status_code = 400 if error == INVALID_REQUEST else 401
        super().__init__(f"{error}: {description}")


async def principal_from_authorization(header: str | None) -> Principal:
    """The caller named by an ``Authorization`` header value.

    Args:
        header: the raw header value, or None when the request has none.

    Returns:
        :data:`ANONYMOUS` without a header; otherwise the token's member with
        ``scopes`` = the token's scopes ∩ ``scopes_for_roles(member roles)``
        (a token never grants more than its holder's roles, DESIGN.md
        "Security model"), ``token_id`` = the token's ``jti`` and
        ``auth_time`` = its ``auth_time`` claim as a UTC datetime (None without one).

    Raises:
        AuthenticationFailed: the header is not ``Bearer <token>`` (RFC 6750
            §2.1), the token fails :func:`averify_access_token`, was revoked
            (``/oauth/revoke``, or its grant was), or its member is unknown or
            inactive. One SQL query at most.
    """
    if header is None:
        return ANONYMOUS
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise AuthenticationFailed(INVALID_REQUEST, "use the Bearer authentication scheme")
    credentials = credentials.strip()
    if not _B64TOKEN.fullmatch(credentials):
        raise AuthenticationFailed(INVALID_REQUEST, "malformed Bearer credentials")
    external = external_issuer()
    if external is not None and external.issued(credentials):
        return await _external_principal(external, credentials)
    try:
        claims = await averify_access_token(credentials)
    except TokenError as exc:
        raise AuthenticationFailed(INVALID_TOKEN, str(exc)) from None
    member_id = _member_id(claims["sub"])
    if member_id is None:
        raise AuthenticationFailed(INVALID_TOKEN, "subject is not a member")
    member = (
        await Member.filter(id=member_id, is_active=True)
        # a revoked jti (RFC 7009) stays listed until the token expires; same query
        .annotate(revoked=Subquery(RevokedToken.filter(jti=claims["jti"]).values("jti")))
        .first()
        .values("id", "username", "organization_id", "roles", "revoked")
    )
    if member is None:
        raise AuthenticationFailed(INVALID_TOKEN, "unknown or inactive member")
    if member["revoked"] is not None:
        raise AuthenticationFailed(INVALID_TOKEN, "token revoked")
    roles = frozenset(str(r) for r in member["roles"] or ())
    return Principal(
        member_id=member["id"],
        username=member["username"],
        organization_id=member["organization_id"],
        roles=roles,
        scopes=frozenset(claims["scope"].split()) & scopes_for_roles(roles),
        token_id=claims["jti"],
        auth_time=_when(claims.get("auth_time")),
    )


async def _external_principal(external: ExternalIssuer, credentials: str) -> Principal:
    """A Principal from an external provider's token (see :mod:`council.auth.external`). One query."""
    try:
        identity = await external.verify(credentials)
    except TokenError as exc:
        raise AuthenticationFailed(INVALID_TOKEN, str(exc)) from None
    member = (
        await Member.filter(username=identity.username, is_active=True)
        .first()
        .values("id", "username", "organization_id")
    )
    if member is None:
        raise AuthenticationFailed(INVALID_TOKEN, "unknown or inactive member")
    allowed = scopes_for_roles(identity.roles)
    return Principal(
        member_id=member["id"],
        username=member["username"],
        organization_id=member["organization_id"],
        roles=identity.roles,
        scopes=allowed & identity.scopes if identity.scopes is not None else allowed,
        token_id=identity.token_id,
        auth_time=_when(identity.auth_time),
    )


def _when(auth_time: object) -> datetime | None:
    """An ``auth_time`` claim (checked to be whole seconds since the epoch) as a UTC datetime."""
    if not isinstance(auth_time, int) or isinstance(auth_time, bool):
        return None
    try:
        return datetime.fromtimestamp(auth_time, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _member_id(subject: object) -> int | None:
    """``sub`` as a member id: decimal digits within a 32-bit IntField, else None."""
    if isinstance(subject, str) and 0 < len(subject) <= 10 and subject.isascii() and subject.isdigit():
        value = int(subject)
        if 0 < value < 2**31:
            return value
    return None


def www_authenticate(exc: AuthenticationFailed | None = None) -> str:
    """The ``WWW-Authenticate`` header value for a 401/400 answer (RFC 6750 §3).

    Args:
        exc: the failure, or None for a request that needs a token and had none
            (RFC 6750 §3: then no error code is given).

    Returns:
        ``Bearer error="invalid_token", error_description="token expired"``,
        or ``Bearer`` when ``exc`` is None.
    """
    if exc is None:
        return "Bearer"
    description = _UNSAFE.sub("?", exc.description)
    return f'Bearer error="{exc.error}", error_description="{description}"'
