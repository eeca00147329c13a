"""Council's grants on authlib's: authorization code with PKCE S256, client credentials, rotating refresh.

- ``authorization_code`` (RFC 6749 §4.1): PKCE ``S256`` required for every
  client, ``plain`` refused (RFC 7636, RFC 9700 §2.1.1); codes stored hashed,
  single use, bound to the client and the exact redirect URI; a second
  redemption revokes what the first one issued (RFC 6749 §4.1.2).
- ``client_credentials`` (RFC 6749 §4.4): a university's machine client,
  acting as its service member.
- ``refresh_token`` (RFC 6749 §6): rotated on every use; reusing an old one
  revokes the whole family and is logged (RFC 9700 §4.14.2).

``auth_time`` (when the member entered the password) goes from the sign-in
(:attr:`Holder.auth_time`) to the code, from the code to the tokens and the
refresh token, and from a refresh token to its successor unchanged: only a
new password makes it newer. Machine clients have none.

Scopes: a token gets the scopes asked for (all the client's, when none are
asked), narrowed to the client's allowed scopes and to what the holder's
roles allow (:func:`grantable`). Asking more is not an error; when nothing
remains the answer is ``invalid_scope`` (RFC 6749 §3.3, §5.2). A refresh may
ask for less than the grant, never more (asking more gets the grant's).

Every method runs in a worker thread and reaches the database through
:func:`council.oauth2.bridge.wait_for`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from authlib.oauth2.rfc6749 import ClientCredentialsGrant, RefreshTokenGrant
from authlib.oauth2.rfc6749.errors import InvalidGrantError, InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc7636 import CodeChallenge

from council import clock
from council.auth.scopes import ALL_SCOPES, scopes_for_roles
from council.oauth2 import queries
from council.oauth2.bridge import wait_for
from council.oauth2.queries import Client, CodeGrantRow, Holder, RefreshRow

log = logging.getLogger("council.oauth2")

CODE_TTL = 60
"""Seconds an authorization code stays redeemable (RFC 6749 §4.1.2 allows up to 600)."""
REFRESH_TTL = 14 * 24 * 3600
"""Seconds a refresh token stays usable if not rotated: 14 days."""
SECRET_AUTH = ["client_secret_basic", "client_secret_post"]
ANY_AUTH = [*SECRET_AUTH, "none"]


def grantable(client: Client, holder: Holder, requested: str | None) -> list[str]:
    """The scopes a token may carry: asked ∩ client's ∩ holder's roles (DESIGN.md, "Security model").

    Args:
        requested: space-separated scopes, or None/'' for "all the client may have".

    Returns:
        The scopes, sorted; empty when nothing remains.
    """
    asked = set(requested.split()) if requested else set(client.scopes)
    return sorted(asked & client.scopes & scopes_for_roles(holder.roles) & set(ALL_SCOPES))


class S256Challenge(CodeChallenge):
    """PKCE for every client, ``S256`` only (RFC 9700 §2.1.1; ``plain`` refused, RFC 7636 §4.2).

    A request without ``code_challenge``, with ``code_challenge_method=plain``
    or without a method (which RFC 7636 §4.3 reads as ``plain``) is refused
    with ``invalid_request`` (RFC 7636 §4.4.1), redirected to the client.
    """

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE with S256 is required")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Unsupported 'code_challenge_method': only S256 is accepted")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(AuthorizationCodeGrant):
    """``authorization_code`` (RFC 6749 §4.1): codes stored hashed, single use, bound to client and redirect URI."""

    TOKEN_ENDPOINT_AUTH_METHODS = ANY_AUTH

    def save_authorization_code(self, code: str, request: Any) -> None:
        scope = grantable(request.client, request.user, request.scope)
        if not scope:
            raise InvalidScopeError("None of the requested scopes is allowed for this member")
        data = request.payload.data
        wait_for(
            queries.save_code,
            code,
            client=request.client,
            holder=request.user,
            redirect_uri=request.payload.redirect_uri,
            scope=" ".join(scope),
            challenge=data["code_challenge"],
            method=data["code_challenge_method"],
            ttl=CODE_TTL,
        )

    def query_authorization_code(self, code: str, client: Client) -> CodeGrantRow | None:
        row = wait_for(queries.find_code, code)
        if row is None or row.client_pk != client.pk:
            return None
        if row.used_at is not None:
            revoke_family(row.family, "code_reuse", client)
            return None
        if row.expires_at <= clock.now():
            return None
        return row

    def authenticate_user(self, authorization_code: CodeGrantRow) -> Holder:
        # Runs after PKCE was checked: a wrong verifier leaves the code unused.
        if not wait_for(queries.redeem_code, authorization_code.pk):
            revoke_family(authorization_code.family, "code_reuse", self.request.client)
            raise InvalidGrantError("Invalid 'code' in request.")
        holder = wait_for(queries.load_holder, authorization_code.member_id)
        if holder is None:
            raise InvalidGrantError("The member is no longer active")
        self.request.family = authorization_code.family
        return replace(holder, auth_time=authorization_code.auth_time)

    def delete_authorization_code(self, authorization_code: CodeGrantRow) -> None:
        """Nothing to do: :meth:`authenticate_user` marked the code used (kept to detect reuse)."""


class MachineGrant(ClientCredentialsGrant):
    """``client_credentials`` (RFC 6749 §4.4) for a university's machine client, acting as its service member."""

    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_AUTH


class RotatingRefreshGrant(RefreshTokenGrant):
    """``refresh_token`` (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2)."""

    TOKEN_ENDPOINT_AUTH_METHODS = ANY_AUTH
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshRow | None:
        row = wait_for(queries.find_refresh, refresh_token)
        if row is None:
            return None
        if row.used_at is not None and row.revoked_at is None:
            revoke_family(row.family, "refresh_reuse", self.request.client)
            return None
        if row.is_revoked() or row.is_expired():
            return None
        return row

    def authenticate_user(self, refresh_token: RefreshRow) -> Holder:
        if not wait_for(queries.rotate_refresh, refresh_token.pk):
            revoke_family(refresh_token.family, "refresh_reuse", self.request.client)
            raise InvalidGrantError()
        holder = wait_for(queries.load_holder, refresh_token.member_id)
        if holder is None:
            raise InvalidGrantError("The member is no longer active")
        self.request.family = refresh_token.family
        return replace(holder, auth_time=refresh_token.auth_time)

    def revoke_old_credential(self, refresh_token: RefreshRow) -> None:
        """Nothing to do: :meth:`authenticate_user` marked it used (kept to detect reuse)."""

    def _validate_token_scope(self, token: RefreshRow) -> None:
        """Asking more than was granted is not an error here either: :meth:`issue_token` narrows."""

    def issue_token(self, user: Holder, refresh_token: RefreshRow) -> dict[str, Any]:
        """New tokens with the asked scopes ∩ the grant's (RFC 6749 §6: never wider than originally granted)."""
        original = set(refresh_token.get_scope().split())
        asked = self.request.payload.scope
        scope = original & set(asked.split()) if asked else original
        if not scope:
            raise InvalidScopeError("None of the requested scopes was granted originally")
        return self.generate_token(user=user, scope=" ".join(sorted(scope)), include_refresh_token=True)


def revoke_family(family: str, reason: str, client: Client | None) -> None:
    count = wait_for(queries.revoke_family, family, reason)
    log.warning(
        "%s: revoked grant family %s of client %s (%d live access token(s))",
        reason.replace("_", " "),
        family[:8],
        client.client_id if client else "?",
        count,
    )
