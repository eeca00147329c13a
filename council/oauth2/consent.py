"""The state between the sign-in form and the consent form: a CSRF cookie and a signed ticket.

No server-side session. The sign-in page sets a random CSRF token in a
``SameSite=Strict`` cookie and repeats it in a hidden field; every POST must
carry both, equal (double-submit, RFC 9700 §4.7 for the client side of the
same idea). After a good sign-in the consent page carries a *ticket*: a JWT
signed with the server's ES256 key saying which member signed in, for which
authorization request (a hash of its query string) and which CSRF token,
valid for :data:`TICKET_TTL` seconds. Its ``typ`` is not ``at+jwt``, so it can
never pass as an access token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jws import extract_compact
from starlette.requests import Request
from starlette.responses import Response

from council import clock
from council.auth.keys import ALGORITHM, signing_key, verification_keys
from council.settings import get_settings

CSRF_COOKIE = "council_csrf"
CSRF_FIELD = "csrf_token"
TICKET_TTL = 300
"""Seconds between signing in and consenting."""
TICKET_TYPE = "council-consent+jwt"
_AUDIENCE = "council-consent"


def csrf_token(request: Request) -> str:
    """The request's CSRF cookie value, or a new random one (to be set with :func:`set_csrf_cookie`)."""
    current = request.cookies.get(CSRF_COOKIE, "")
    return current if 32 <= len(current) <= 64 else secrets.token_urlsafe(32)


def set_csrf_cookie(response: Response, token: str, request: Request) -> None:
    """Set the CSRF cookie: HttpOnly, SameSite=Strict, on ``/oauth/authorize``, Secure over https."""
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=3600,
        path="/oauth/authorize",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def csrf_ok(request: Request, submitted: object) -> bool:
    """True when the form's CSRF token equals the cookie's (constant-time)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return isinstance(submitted, str) and bool(cookie) and hmac.compare_digest(cookie, submitted)


def request_fingerprint(request: Request) -> str:
    """SHA-256 (hex) of the authorization request's query string."""
    return hashlib.sha256(request.url.query.encode("utf-8")).hexdigest()


def _csrf_hash(csrf: str) -> str:
    return hashlib.sha256(csrf.encode("utf-8")).hexdigest()


def make_ticket(*, member_id: int, csrf: str, fingerprint: str) -> str:
    """Sign a consent ticket for ``member_id`` (see the module docstring)."""
    key = signing_key()
    now = clock.epoch_seconds()
    claims = {
        "iss": get_settings().token_issuer,
        "aud": _AUDIENCE,
        "sub": str(member_id),
        "iat": now,
        "exp": now + TICKET_TTL,
        "csrf": _csrf_hash(csrf),
        "req": fingerprint,
    }
    return jwt.encode({"typ": TICKET_TYPE, "alg": ALGORITHM, "kid": key.kid}, claims, key, algorithms=[ALGORITHM])


def read_ticket(ticket: object, *, csrf: str, fingerprint: str) -> int | None:
    """The member id of a valid ticket for this CSRF token and request, else None."""
    if not isinstance(ticket, str) or len(ticket) > 2048:
        return None
    try:
        header = extract_compact(ticket.encode("ascii")).headers()
        if header.get("typ") != TICKET_TYPE or header.get("alg") != ALGORITHM:
            return None
        key = verification_keys().get_by_kid(str(header.get("kid")))
        claims = jwt.decode(ticket, key, algorithms=[ALGORITHM]).claims
        jwt.JWTClaimsRegistry(
            now=clock.epoch_seconds,
            iss={"essential": True, "value": get_settings().token_issuer},
            aud={"essential": True, "value": _AUDIENCE},
            exp={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError, TypeError, UnicodeError):
        return None
    if not hmac.compare_digest(str(claims.get("csrf")), _csrf_hash(csrf)) or claims.get("req") != fingerprint:
        return None
    subject = claims.get("sub")
    return int(subject) if isinstance(subject, str) and subject.isdigit() else None
