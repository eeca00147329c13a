"""The ASGI application: Starlette with the GraphQL endpoint at ``/graphql``.

Also served: the OAuth authorization server (``/oauth/*``, ``/.well-known/*``),
evidence files under ``/uploads`` (:mod:`council.api.uploads`) and the built
web client under ``/app/`` (:mod:`council.web`).

Data flows one way (DESIGN.md): HTTP -> auth gate (bearer JWT -> Principal)
-> GraphQL (thin resolvers, per-request loaders) -> services -> workflow
engine -> ORM. The lifespan initialises tortoise-orm with
``RegisterTortoise``, refuses to start on a database that is behind its
migrations, and runs the timer scheduler (:mod:`council.decisions.scheduler`)
and the outbox relay (:mod:`council.outbox.relay`, with the consumers of
:data:`OUTBOX_CONSUMERS`).
Around it all, :class:`council.api.observe.Observe` gives each request an id,
logs it and counts it; ``/metrics`` answers the Prometheus text format
(:mod:`council.metrics`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry import UNSET
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from tortoise.contrib.starlette import RegisterTortoise

from council.api import edge, live
from council.api.body_limit import BodyLimit
from council.api.context import Context, context_for
from council.api.observe import Observe, declared_operations
from council.api.schema import build_schema
from council.api.uploads import routes as upload_routes
from council.auth import keys
from council.db import ensure_migrated, tortoise_config
from council.decisions import scheduler
from council.events import broadcaster
from council.health import healthz, readyz
from council.logs import configure as configure_logs
from council.metrics import exposition, process_exited
from council.notifications import consumer as mail_consumer
from council.notifications import mailer
from council.oauth2.backend import AuthenticationFailed, principal_from_authorization, www_authenticate
from council.oauth2.endpoints import routes as oauth2_routes
from council.opendata.routes import routes as open_data_routes
from council.outbox import live as live_outbox
from council.outbox import relay
from council.settings import Settings, get_settings
from council.web import routes as web_routes
from council.webhooks import consumer as webhook_consumer
from council.webhooks import delivery as webhook_delivery
from council.workflow.registry import get_registry

log = logging.getLogger("council")

OUTBOX_CONSUMERS: list[Callable[[], object]] = [mail_consumer.install, webhook_consumer.install]
"""The ``install()`` functions of the outbox relay's consumers besides ``live`` (each process runs them at
start, ``council serve`` and ``council worker`` alike): e-mail (``mail``: queues each member's message) and
webhooks (``webhooks``: queues each endpoint's delivery)."""


def install_outbox_consumers(*, live: bool = True) -> None:
    """Register the relay's consumers (:mod:`council.outbox.relay`): ``live`` when ``live``, and those of
    :data:`OUTBOX_CONSUMERS`.

    ``live`` belongs where its publication reaches the subscribers: in every
    ``council serve``, and in ``council worker`` only when Redis carries the
    events (else it would take the events off the cursor and publish them in
    its own memory, where nobody listens).
    """
    if live:
        live_outbox.install()
    for install in OUTBOX_CONSUMERS:
        install()


class CouncilGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI GraphQL view with Council's context.

    Every JSON document it reads (body, GET ``variables``, websocket message)
    goes through :func:`council.api.edge.decode_json`, and every refusal of
    strawberry's (400 for bad JSON or a bad content type, 405, ...) is answered as JSON,
    ``{"errors": [{"message": ..., "extensions": {"code": "BAD_REQUEST"}}]}``,
    with its status, instead of plain text.
    """

    def decode_json(self, data: str | bytes) -> object:
        return edge.decode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return edge.decode_json(data)
        except edge.RefusedJSON as exc:
            raise HTTPException(400, exc.reason) from None
        except json.JSONDecodeError:
            raise HTTPException(400, "Unable to parse request body as JSON") from None

    def parse_query_params(self, params: Any) -> dict[str, Any]:
        # GraphQL over HTTP lets a GET say variables=null (and extensions=null): none given, not a JSON document.
        given = {k: v for k, v in dict(params).items() if not (k in ("variables", "extensions") and v == "null")}
        return super().parse_query_params(given)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            if isinstance(request, WebSocket):
                raise
            body = {"errors": [{"message": exc.reason, "extensions": {"code": "BAD_REQUEST"}}]}
            return JSONResponse(body, status_code=exc.status_code)

    async def get_context(self, request: Any, response: Any) -> Context:
        if isinstance(request, WebSocket):
            return live.websocket_context(request)
        return context_for(request if isinstance(request, Request) else None, response)

    async def on_ws_connect(self, context: Context) -> None:
        await live.on_connect(context)


class AuthGate:
    """ASGI middleware: turn ``Authorization: Bearer`` into a Principal on ``scope["state"]``.

    A request without the header goes on as anonymous; a bad token is
    answered 401 with ``WWW-Authenticate`` (RFC 6750 §3) and never reaches GraphQL.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            try:
                principal = await principal_from_authorization(request.headers.get("authorization"))
            except AuthenticationFailed as exc:
                response = JSONResponse(
                    {"errors": [{"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}]},
                    status_code=exc.status_code,
                    headers={"WWW-Authenticate": www_authenticate(exc)},
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


async def metrics(_: Request) -> Response:
    body, content_type = exposition()
    return Response(body, media_type=content_type)


async def jwks(_: Request) -> Response:
    await keys.reload()  # what the table holds, so that every node publishes the same set
    return JSONResponse(keys.public_jwks())


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the application (``uvicorn --factory council.app:create_app``).

    Loads and validates every workflow definition first, so a bad file stops
    the start with its file, entry and reason.
    """
    settings = settings or get_settings()
    configure_logs(settings.log_format, settings.log_level)
    get_registry()
    graphql = CouncilGraphQL(
        build_schema(introspection=settings.development, suggestions=settings.development),
        graphql_ide="graphiql" if settings.development else None,
        allow_queries_via_get=True,
        multipart_uploads_enabled=False,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        max_subscriptions_per_connection=live.MAX_SUBSCRIPTIONS,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with RegisterTortoise(app, config=tortoise_config(settings)):
            await ensure_migrated()
            install_outbox_consumers()
            async with (
                broadcaster.connected(settings.redis_url),
                keys.kept_in_sync(settings.keys_reload_interval),
                scheduler.running(settings.scheduler_interval),
                relay.running(settings.outbox_interval, timedelta(seconds=settings.outbox_retention)),
                mailer.running(settings.mail_interval, settings),
                webhook_delivery.running(settings.webhooks_interval),
            ):
                log.info("Council API ready (%s mode)", settings.mode)
                yield
        process_exited()  # multiprocess metrics: this worker's live gauges go

    return Starlette(
        routes=[
            Route("/graphql", AuthGate(graphql), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", live.ConnectionGate(graphql)),  # subscriptions (graphql-transport-ws)
            Route("/healthz", healthz),
            Route("/readyz", readyz(settings.redis_url)),
            Route("/metrics", metrics),
            Route("/.well-known/jwks.json", jwks),
            *oauth2_routes,
            *upload_routes(settings),  # evidence files: POST /uploads, GET /uploads/<id>
            *open_data_routes,  # the data package under /open-data/ (council.opendata)
            *web_routes(settings),  # the web client under /app/, and / -> /app/
        ],
        middleware=[
            Middleware(Observe, operations=declared_operations()),  # request ids, request log, metrics
            Middleware(BodyLimit, settings=settings),  # 413 for a body over the limit, before it is read
        ],
        lifespan=lifespan,
    )
