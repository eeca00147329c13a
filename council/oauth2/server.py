"""The authorization server: authlib's RFC 6749 server with Council's grants and endpoints.

What is enforced is what :func:`metadata` publishes (RFC 8414 §2): the grants
of :mod:`council.oauth2.grants`, RFC 7009 revocation and RFC 7662
introspection. No implicit and no password grant (RFC 9700 §2.1.2 and §2.4):
they are answered ``unsupported_response_type`` and ``unsupported_grant_type``.
Access tokens are RFC 9068 JWTs (:mod:`council.auth.tokens`); refresh tokens
are opaque and stored hashed.

Every method here runs in a worker thread (:mod:`council.oauth2.bridge`) and
reaches the database through :func:`~council.oauth2.bridge.wait_for`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from authlib.oauth2.rfc6749 import AuthorizationServer, TokenMixin
from authlib.oauth2.rfc6749.errors import InvalidGrantError, InvalidScopeError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from starlette.responses import JSONResponse, Response

from council.auth.scopes import ALL_SCOPES
from council.auth.tokens import TokenError, issue_access_token, verify_access_token
from council.oauth2 import queries
from council.oauth2.bridge import wait_for
from council.oauth2.grants import (
    ANY_AUTH,
    REFRESH_TTL,
    SECRET_AUTH,
    CodeGrant,
    MachineGrant,
    RotatingRefreshGrant,
    S256Challenge,
    grantable,
    revoke_family,
)
from council.oauth2.queries import Client, Holder, RefreshRow
from council.settings import get_settings

log = logging.getLogger("council.oauth2")


@dataclass(frozen=True)
class TokenView(TokenMixin):
    """A token presented to the revocation or introspection endpoint: an access or a refresh token."""

    kind: str  # "access_token" or "refresh_token"
    client_id: str
    claims: dict[str, Any]
    revoked: bool
    refresh: RefreshRow | None = None

    def check_client(self, client: Client) -> bool:
        return self.client_id == client.client_id

    def get_scope(self) -> str:
        return str(self.claims.get("scope", ""))

    def is_expired(self) -> bool:
        return self.refresh.is_expired() if self.refresh else False  # an expired JWT never gets here

    def is_revoked(self) -> bool:
        return self.revoked

    def introspection(self) -> dict[str, Any]:
        """The RFC 7662 §2.2 members of an active token."""
        body = {"active": True, **self.claims}
        if self.kind == "access_token":
            body["token_type"] = "Bearer"
            body["username"] = body.pop("preferred_username", None)
        return {k: v for k, v in body.items() if v is not None}


def find_token(token: str, hint: str | None) -> TokenView | None:
    """The access or refresh token ``token`` (tried in the order ``hint`` suggests), or None."""
    order = ["refresh_token", "access_token"] if hint == "refresh_token" else ["access_token", "refresh_token"]
    for kind in order:
        found = _find_access(token) if kind == "access_token" else _find_refresh(token)
        if found is not None:
            return found
    return None


def _find_access(token: str) -> TokenView | None:
    if token.count(".") != 2:
        return None
    try:
        claims = verify_access_token(token)
    except TokenError:
        return None
    revoked = wait_for(queries.is_revoked, claims["jti"])
    return TokenView("access_token", claims["client_id"], claims, revoked)


def _find_refresh(token: str) -> TokenView | None:
    row = wait_for(queries.find_refresh, token)
    if row is None:
        return None
    client = wait_for(queries.load_client_by_pk, row.client_pk)
    holder = wait_for(queries.load_holder, row.member_id)
    if client is None or holder is None:
        return None
    claims = {
        "scope": row.scope,
        "client_id": client.client_id,
        "sub": str(holder.id),
        "username": holder.username,
        "exp": int(row.expires_at.timestamp()),
    }
    return TokenView("refresh_token", client.client_id, claims, row.is_revoked(), row)


class Revocation(RevocationEndpoint):
    """``POST /oauth/revoke`` (RFC 7009). Revoking a refresh token revokes its whole grant (§2.1)."""

    CLIENT_AUTH_METHODS = ANY_AUTH

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenView | None:
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token: TokenView, request: Any) -> None:
        if token.refresh is not None:
            revoke_family(token.refresh.family, "revoked", request.client)
        else:
            expires = datetime.fromtimestamp(token.claims["exp"], UTC)
            wait_for(queries.revoke_access, token.claims["jti"], expires, "revoked")


class Introspection(IntrospectionEndpoint):
    """``POST /oauth/introspect`` (RFC 7662), for confidential clients, about their own tokens.

    A token of another client, unknown, expired or revoked is ``{"active": false}`` (§2.2).
    """

    CLIENT_AUTH_METHODS = SECRET_AUTH

    def query_token(self, token_string: str, token_type_hint: str | None) -> TokenView | None:
        return find_token(token_string, token_type_hint)

    def check_permission(self, token: TokenView, client: Client, request: Any) -> bool:
        return token.check_client(client)

    def introspect_token(self, token: TokenView) -> dict[str, Any]:
        return token.introspection()


class CouncilAuthorizationServer(AuthorizationServer):
    """authlib's server, answering with Starlette responses; requests come adapted (:mod:`.requests`)."""

    GRANTS = (CodeGrant, MachineGrant, RotatingRefreshGrant)
    ENDPOINTS = (Revocation, Introspection)

    def __init__(self) -> None:
        super().__init__(scopes_supported=list(ALL_SCOPES))
        self.register_token_generator("default", self.generate_bearer_token)
        self.register_grant(CodeGrant, [S256Challenge(required=True)])
        self.register_grant(MachineGrant)
        self.register_grant(RotatingRefreshGrant)
        for endpoint in self.ENDPOINTS:
            self.register_endpoint(endpoint)

    def query_client(self, client_id: str) -> Client | None:
        return wait_for(queries.load_client, client_id)

    def create_oauth2_request(self, request: Any) -> Any:
        return request  # already a StarletteOAuth2Request (see council.oauth2.requests.adapt)

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("no JSON endpoints")

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        if isinstance(body, dict):
            response: Response = JSONResponse(body, status_code=status)
            for name, value in headers:
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response
        return Response(body or b"", status_code=status, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        if name == "after_revoke_token":
            log.info("token revoked by client %s", kwargs["client"].client_id)

    def validate_requested_scope(self, scope: str | None) -> None:
        """Accept any request: unknown or unallowed scopes are dropped, not refused (RFC 6749 §3.3)."""

    def generate_bearer_token(
        self,
        grant_type: str,
        client: Client,
        user: Holder | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        """The token response (RFC 6749 §5.1) with an RFC 9068 JWT access token.

        Args:
            user: the member, with the ``auth_time`` of its grant; None for
                ``client_credentials``, where the client's service member is
                the holder and the token has no ``auth_time``.
            expires_in: access-token lifetime in seconds (default ``settings.token_ttl``).

        Raises:
            InvalidScopeError: no scope remains (:func:`grantable`).
            InvalidGrantError: a client without a member to act for.
        """
        holder = user if user is not None else client.service_member
        if holder is None:
            raise InvalidGrantError("This client has no member to act as")
        granted = grantable(client, holder, scope)
        if not granted:
            raise InvalidScopeError("None of the requested scopes is allowed for this client")
        ttl = expires_in or get_settings().token_ttl
        token = {
            "token_type": "Bearer",
            "access_token": issue_access_token(
                member_id=holder.id,
                username=holder.username,
                scopes=granted,
                ttl=ttl,
                client_id=client.client_id,
                auth_time=user.auth_time if user is not None else None,
            ),
            "expires_in": ttl,
            "scope": " ".join(granted),
        }
        if include_refresh_token:
            token["refresh_token"] = secrets.token_urlsafe(32)
        return token

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        claims = verify_access_token(token["access_token"])
        client: Client = request.client
        # no user only in client_credentials, whose clients have a service member
        holder = cast("queries.Holder", request.user or client.service_member)
        wait_for(
            queries.save_tokens,
            client=client,
            holder=holder,
            family=getattr(request, "family", None) or queries.new_family(),
            jti=claims["jti"],
            access_expires=datetime.fromtimestamp(claims["exp"], UTC),
            refresh_token=token.get("refresh_token"),
            scope=token["scope"],
            refresh_ttl=REFRESH_TTL,
        )


def metadata() -> dict[str, Any]:
    """The authorization server metadata (RFC 8414 §2), read off what the server enforces."""
    issuer = get_settings().token_issuer
    grants = CouncilAuthorizationServer.GRANTS
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "scopes_supported": list(ALL_SCOPES),
        "response_types_supported": sorted(CodeGrant.RESPONSE_TYPES),
        "response_modes_supported": ["query"],
        "grant_types_supported": [g.GRANT_TYPE for g in grants],
        "token_endpoint_auth_methods_supported": [
            m for m in ANY_AUTH if any(m in g.TOKEN_ENDPOINT_AUTH_METHODS for g in grants)
        ],
        "revocation_endpoint_auth_methods_supported": list(Revocation.CLIENT_AUTH_METHODS),
        "introspection_endpoint_auth_methods_supported": list(Introspection.CLIENT_AUTH_METHODS),
        "code_challenge_methods_supported": list(S256Challenge.SUPPORTED_CODE_CHALLENGE_METHOD),
        "ui_locales_supported": ["id", "en"],
    }


server = CouncilAuthorizationServer()
"""The one server of this process (it holds no per-request state)."""
