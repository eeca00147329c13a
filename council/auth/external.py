"""Trusting an external OpenID Connect provider's access tokens (issue 3, item 6).

A deployment may let members sign in at the city's own identity provider.
When ``COUNCIL_EXTERNAL_ISSUER`` is set, a bearer token whose ``iss`` equals
it is verified against the provider's JWKS (``COUNCIL_EXTERNAL_JWKS_URL``,
fetched over HTTP and cached) instead of Council's own keys, and mapped to
a Principal:

- the member is the Council member whose ``username`` equals the
  ``COUNCIL_EXTERNAL_USERNAME_CLAIM`` claim (default ``preferred_username``);
  members are provisioned by administrators, an unknown one is refused;
- the roles are the values of ``COUNCIL_EXTERNAL_ROLES_CLAIM`` (a list or a
  space-separated string) mapped through ``COUNCIL_EXTERNAL_ROLE_MAP``
  (JSON, provider role -> Council role); a token mapping to no role is refused;
- the scopes are what those roles allow, narrowed to the token's own
  Council scopes when its ``scope`` claim names any (DESIGN.md: never wider
  than the holder's roles).

Only asymmetric algorithms are accepted (RFC 8725 §3.1); ``aud`` must
contain ``COUNCIL_EXTERNAL_AUDIENCE``; ``exp``/``nbf``/``iat`` are checked
with a 30-second leeway.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from council import clock
from council.auth.scopes import ALL_SCOPES
from council.auth.tokens import TokenError
from council.enums import Role
from council.settings import get_settings

ALGORITHMS = ["RS256", "PS256", "ES256"]
LEEWAY = 30
JWKS_TTL = 300
JWKS_REFETCH_MIN = 30
JWKS_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class ExternalIdentity:
    """Who an external token names: a username and the Council roles it maps to.

    ``auth_time`` is the token's ``auth_time`` claim (seconds since the epoch,
    UTC) when it has a whole number there, else None.
    """

    username: str
    roles: frozenset[str]
    scopes: frozenset[str] | None
    token_id: str | None
    auth_time: int | None = None


@dataclass
class ExternalIssuer:
    """One trusted provider: issuer, audience, JWKS location and the claim mapping."""

    issuer: str
    audience: str
    jwks_url: str
    username_claim: str = "preferred_username"
    roles_claim: str = "roles"
    role_map: dict[str, str] = field(default_factory=dict)
    _keys: KeySet | None = None
    _fetched_at: float = 0.0

    def issued(self, token: str) -> bool:
        """True when the (unverified) ``iss`` of ``token`` is this provider."""
        try:
            claims = json.loads(extract_compact(token.encode("ascii")).payload)
        except (JoseError, UnicodeError, ValueError):
            return False
        return isinstance(claims, dict) and claims.get("iss") == self.issuer

    async def _keyset(self, refresh: bool = False) -> KeySet:
        now = time.monotonic()
        stale = self._keys is None or now - self._fetched_at > JWKS_TTL
        if stale or (refresh and now - self._fetched_at > JWKS_REFETCH_MIN):
            try:
                async with httpx.AsyncClient(timeout=JWKS_TIMEOUT) as client:
                    response = await client.get(self.jwks_url)
                    response.raise_for_status()
                    self._keys = KeySet.import_key_set(response.json())
            except (httpx.HTTPError, ValueError, JoseError) as exc:
                if self._keys is None:
                    raise TokenError(f"the identity provider's keys cannot be fetched ({type(exc).__name__})") from None
            self._fetched_at = now
        assert self._keys is not None
        return self._keys

    async def verify(self, token: str) -> ExternalIdentity:
        """Verify ``token`` and map it (see the module docstring).

        Raises:
            TokenError: bad algorithm, unknown key, bad signature, wrong
                issuer or audience, expired, no username, no mapped role.
        """
        try:
            header = extract_compact(token.encode("ascii")).headers()
        except (JoseError, UnicodeError, ValueError):
            raise TokenError("malformed token") from None
        if header.get("alg") not in ALGORITHMS:
            raise TokenError(f"algorithm {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        keys = await self._keyset()
        if kid is not None and not any(k.kid == kid for k in keys.keys):
            keys = await self._keyset(refresh=True)
            if not any(k.kid == kid for k in keys.keys):
                raise TokenError("unknown key id")
        try:
            claims = jwt.decode(token, keys, algorithms=ALGORITHMS).claims
        except BadSignatureError:
            raise TokenError("bad signature") from None
        except (JoseError, ValueError, TypeError):
            raise TokenError("malformed token") from None
        registry = jwt.JWTClaimsRegistry(
            now=clock.epoch_seconds,
            leeway=LEEWAY,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise TokenError("token expired") from None
        except MissingClaimError as exc:
            raise TokenError(f"missing claim(s): {exc.claim}") from None
        except InvalidClaimError as exc:
            raise TokenError(f"invalid claim: {exc.claim}") from None
        username = claims.get(self.username_claim)
        if not isinstance(username, str) or not username:
            raise TokenError(f"no {self.username_claim} claim")
        raw_roles = claims.get(self.roles_claim, [])
        if isinstance(raw_roles, str):
            raw_roles = raw_roles.split()
        roles = frozenset(self.role_map[r] for r in raw_roles if isinstance(r, str) and r in self.role_map)
        if not roles:
            raise TokenError("the token maps to no Council role")
        token_scopes = frozenset(str(claims.get("scope", "")).split()) & frozenset(ALL_SCOPES)
        jti = claims.get("jti")
        auth_time = claims.get("auth_time")
        return ExternalIdentity(
            username,
            roles,
            token_scopes or None,
            jti if isinstance(jti, str) else None,
            auth_time if isinstance(auth_time, int) and not isinstance(auth_time, bool) else None,
        )


_cache: dict[tuple[Any, ...], ExternalIssuer] = {}


def external_issuer() -> ExternalIssuer | None:
    """The configured provider, or None when ``COUNCIL_EXTERNAL_ISSUER`` is unset.

    Raises:
        ValueError: the settings are incomplete or the role map names an unknown Council role.
    """
    s = get_settings()
    if not s.external_issuer:
        return None
    key = (
        s.external_issuer,
        s.external_audience,
        s.external_jwks_url,
        s.external_username_claim,
        s.external_roles_claim,
        tuple(sorted(s.external_role_map.items())),
    )
    if key not in _cache:
        if not s.external_audience or not s.external_jwks_url:
            raise ValueError("COUNCIL_EXTERNAL_ISSUER needs COUNCIL_EXTERNAL_AUDIENCE and COUNCIL_EXTERNAL_JWKS_URL")
        known = {r.value for r in Role}
        unknown = sorted(set(s.external_role_map.values()) - known)
        if unknown:
            raise ValueError(f"COUNCIL_EXTERNAL_ROLE_MAP maps to unknown role(s) {unknown}; known: {sorted(known)}")
        _cache[key] = ExternalIssuer(
            issuer=s.external_issuer,
            audience=s.external_audience,
            jwks_url=s.external_jwks_url,
            username_claim=s.external_username_claim,
            roles_claim=s.external_roles_claim,
            role_map=dict(s.external_role_map),
        )
    return _cache[key]
