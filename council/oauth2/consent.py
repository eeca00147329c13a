"""The state of ``/oauth/authorize`` between requests: a CSRF cookie, a signed ticket, the sign-in session.

No server-side session. The sign-in page sets a random CSRF token in a
``SameSite=Strict`` cookie and repeats it in a hidden field; every POST must
carry both, equal (double-submit, RFC 9700 §4.7 for the client side of the
same idea). After a good sign-in the consent page carries a *ticket*: a JWT
signed with the server's ES256 key saying which member signed in and when
(``auth_time``), for which authorization request (a hash of its query
string) and which CSRF token, valid for :data:`TICKET_TTL` seconds.

A good sign-in also sets the *sign-in session* cookie (:func:`set_session_cookie`):
a JWT of the same kind saying which member entered a password and when,
valid for :data:`SESSION_TTL` seconds. Only a silent ``prompt=none``
authorization request reads it (:func:`read_session`); an interactive one
always asks the password. Neither JWT's ``typ`` is ``at+jwt``, so neither
can pass as an access token, nor one as the other (``typ`` and ``aud`` differ).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

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
SESSION_COOKIE = "council_session"
SESSION_TTL = 8 * 3600
"""Seconds a sign-in session lasts for ``prompt=none`` after the password was entered (a working day)."""
SESSION_TYPE = "council-session+jwt"
_SESSION_AUDIENCE = "council-session"
_PATH = "/oauth/authorize"


@dataclass(frozen=True)
class SignedIn:
    """A member who entered a password: ``auth_time`` in whole seconds since the epoch (UTC)."""

    member_id: int
    auth_time: int


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
        path=_PATH,
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


def make_ticket(*, signed_in: SignedIn, csrf: str, fingerprint: str) -> str:
    """Sign a consent ticket for the member who just signed in (see the module docstring)."""
    now = clock.epoch_seconds()
    return _sign(
        TICKET_TYPE,
        _AUDIENCE,
        signed_in,
        {"iat": now, "exp": now + TICKET_TTL, "csrf": _csrf_hash(csrf), "req": fingerprint},
    )


def read_ticket(ticket: object, *, csrf: str, fingerprint: str) -> SignedIn | None:
    """The member and password time of a valid ticket for this CSRF token and request, else None."""
    claims = _read(ticket, TICKET_TYPE, _AUDIENCE)
    if claims is None:
        return None
    if not hmac.compare_digest(str(claims.get("csrf")), _csrf_hash(csrf)) or claims.get("req") != fingerprint:
        return None
    return _signed_in(claims)


def set_session_cookie(response: Response, signed_in: SignedIn, request: Request) -> None:
    """Remember the sign-in for ``prompt=none``: HttpOnly, SameSite=Lax, on ``/oauth/authorize``, Secure over https.

    ``Lax``, not ``Strict``: a silent request is a top-level navigation from
    the client, which may be on another site. The cookie and its JWT expire
    :data:`SESSION_TTL` seconds after ``signed_in.auth_time``.
    """
    expires = signed_in.auth_time + SESSION_TTL
    value = _sign(SESSION_TYPE, _SESSION_AUDIENCE, signed_in, {"iat": clock.epoch_seconds(), "exp": expires})
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=max(1, expires - clock.epoch_seconds()),
        path=_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def read_session(request: Request) -> SignedIn | None:
    """The member and password time of the request's valid sign-in session cookie, else None."""
    claims = _read(request.cookies.get(SESSION_COOKIE), SESSION_TYPE, _SESSION_AUDIENCE)
    return _signed_in(claims) if claims is not None else None


def _sign(typ: str, audience: str, signed_in: SignedIn, claims: dict[str, Any]) -> str:
    key = signing_key()
    body = {
        "iss": get_settings().token_issuer,
        "aud": audience,
        "sub": str(signed_in.member_id),
        "auth_time": signed_in.auth_time,
        **claims,
    }
    return jwt.encode({"typ": typ, "alg": ALGORITHM, "kid": key.kid}, body, key, algorithms=[ALGORITHM])


def _read(value: object, typ: str, audience: str) -> dict[str, Any] | None:
    """The claims of a JWT made by :func:`_sign` with this ``typ`` and ``audience``, unexpired; else None."""
    if not isinstance(value, str) or len(value) > 2048:
        return None
    try:
        header = extract_compact(value.encode("ascii")).headers()
        if header.get("typ") != typ or header.get("alg") != ALGORITHM:
            return None
        key = verification_keys().get_by_kid(str(header.get("kid")))
        claims = jwt.decode(value, key, algorithms=[ALGORITHM]).claims
        jwt.JWTClaimsRegistry(
            now=clock.epoch_seconds,
            iss={"essential": True, "value": get_settings().token_issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError, TypeError, UnicodeError):
        return None
    return claims


def _signed_in(claims: dict[str, Any]) -> SignedIn | None:
    subject, auth_time = claims.get("sub"), claims.get("auth_time")
    if not (isinstance(subject, str) and subject.isdigit() and len(subject) <= 10):
        return None
    if not isinstance(auth_time, int) or isinstance(auth_time, bool):
        return None
    return SignedIn(int(subject), auth_time)
