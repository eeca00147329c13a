"""Subscription connections over ``graphql-transport-ws``: who is listening, and for how long.

The token comes in the ``connection_init`` payload, as
``{"Authorization": "Bearer <token>"}`` or ``{"token": "<token>"}``; none
means anonymous (published proposals only). A bad token is refused by
closing the socket with 4403. A good one is checked again when it expires:
the socket is closed then with 4401 ("Token expired"), and the client
connects again with a fresh token. :class:`ConnectionGate` wraps the
websocket route so that the expiry timer goes with the connection.
"""

from __future__ import annotations

import asyncio
import base64
import json
from contextlib import suppress
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError

from council import clock, metrics
from council.api.context import Context
from council.auth.principal import ANONYMOUS
from council.i18n import negotiate
from council.oauth2.backend import AuthenticationFailed, principal_from_authorization

MAX_SUBSCRIPTIONS = 20
"""Subscriptions one connection may hold at once; more are refused with an error."""
EXPIRED = 4401
"""Close code when the connection's token expires (graphql-transport-ws: Unauthorized)."""
_EXPIRY_KEY = "council_token_expiry"


def websocket_context(websocket: WebSocket) -> Context:
    """The context of a subscription connection: anonymous until ``connection_init`` names someone."""
    return Context(
        request=None,
        response=None,
        principal=ANONYMOUS,
        lang=negotiate(websocket.headers.get("accept-language")),
        websocket=websocket,
    )


def _authorization(params: dict[str, Any]) -> str | None:
    header = params.get("Authorization", params.get("authorization"))
    if header is None and params.get("token") is not None:
        header = f"Bearer {params['token']}"
    if header is not None and not isinstance(header, str):
        raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": "the token must be a string"})
    return header


def token_expiry(header: str) -> float | None:
    """The ``exp`` claim (seconds since the epoch, UTC) of an already verified JWT bearer token, or None."""
    try:
        payload = header.split(" ", 1)[1].strip().split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return None


async def on_connect(context: Context) -> None:
    """Authenticate a connection at ``connection_init`` and arm the close at its token's expiry.

    Raises:
        ConnectionRejectionError: the token is malformed, bad, expired or
            revoked, or its member unknown or inactive (strawberry closes the
            socket with 4403).
    """
    header = _authorization(context.connection_params or {})
    try:
        principal = await principal_from_authorization(header)
    except AuthenticationFailed as exc:
        raise ConnectionRejectionError({"code": "UNAUTHENTICATED", "message": str(exc)}) from None
    context.act_as(principal)
    expiry = token_expiry(header) if header else None
    websocket = context.websocket
    if expiry is not None and websocket is not None:
        loop = asyncio.get_running_loop()
        delay = max(0.0, expiry - clock.now().timestamp())
        handle = loop.call_later(delay, lambda: asyncio.ensure_future(_expire(websocket)))
        websocket.scope.setdefault("state", {})[_EXPIRY_KEY] = handle


async def _expire(websocket: WebSocket) -> None:
    with suppress(Exception):  # the client may have gone already
        await websocket.close(code=EXPIRED, reason="Token expired")


class ConnectionGate:
    """ASGI wrapper of the websocket route: cancel the connection's expiry timer when it ends.

    Also counts the connection in ``council_websocket_connections`` from its acceptance to its end.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        accepted = False

        async def counting_send(message: Message) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                metrics.WEBSOCKET_CONNECTIONS.inc()
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if accepted:
                metrics.WEBSOCKET_CONNECTIONS.dec()
            handle = state.pop(_EXPIRY_KEY, None)
            if handle is not None:
                handle.cancel()
