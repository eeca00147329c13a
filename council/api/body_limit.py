"""The size limit of request bodies: one ASGI middleware for every endpoint.

:class:`BodyLimit` answers 413 before a body too large is read into memory:
at once when ``Content-Length`` says so, else (a chunked body) as soon as the
bytes received pass the limit. The limits, in bytes (:func:`limit_for`):
``/oauth/*`` :attr:`Settings.oauth_max_body_bytes` (small forms), ``/uploads``
none here (its own ``COUNCIL_UPLOADS_MAX_BYTES``, counted while streaming by
:mod:`council.uploads.service`), anything else, ``/graphql`` first,
:attr:`Settings.max_body_bytes`.

The answer is JSON: an OAuth error (RFC 6749 §5.2, ``invalid_request``) under
``/oauth/``, else ``{"errors": [{"message", "extensions": {"code": "INVALID_INPUT"}}]}``
as GraphQL answers, the message in the request's language.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from council.i18n import negotiate, render
from council.settings import Settings

_UPLOADS = "/uploads"
_OAUTH = "/oauth/"


def limit_for(path: str, settings: Settings) -> int | None:
    """The largest body accepted at ``path``, in bytes; None where the endpoint keeps its own limit."""
    if path == _UPLOADS or path.startswith(_UPLOADS + "/"):
        return None
    if path.startswith(_OAUTH):
        return settings.oauth_max_body_bytes
    return settings.max_body_bytes


class _TooLarge(Exception):
    """Raised from ``receive`` once the body passes the limit, caught by :class:`BodyLimit`."""


def too_large(scope: Scope, limit: int) -> JSONResponse:
    """The 413 answer to a body over ``limit`` bytes at ``scope``'s path."""
    message = render("body_too_large", negotiate(Headers(scope=scope).get("accept-language")), max=limit)
    if scope["path"].startswith(_OAUTH):
        return JSONResponse({"error": "invalid_request", "error_description": message}, status_code=413)
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": "INVALID_INPUT"}}]}, status_code=413)


class BodyLimit:
    """ASGI middleware: 413 for a request body over :func:`limit_for` (see the module docstring).

    Args:
        app: the application to wrap.
        settings: where the limits come from.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = limit_for(scope["path"], self.settings) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
            await too_large(scope, limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except _TooLarge:
            if started:
                raise
            await too_large(scope, limit)(scope, receive, send)
