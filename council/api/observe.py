"""What each request did, for the metrics and the request log: one ASGI middleware and one schema extension.

:class:`Observe` wraps the whole application (pure ASGI, so websockets and
streamed responses pass untouched). For each HTTP request it takes or makes
a request id (:func:`request_id`), binds it for every log line of the request
(``structlog.contextvars``), gives it back in ``X-Request-ID``, and at the end
logs one ``request`` line on the ``council.request`` logger (method, path
without the query string, status, latency in ms, GraphQL operation name as
sent, member id: never a token) and counts ``/graphql`` requests in
:mod:`council.metrics`.

:class:`ObserveOperation` (a strawberry schema extension) writes the
operation name and whether the result carried errors onto the request's
:class:`RequestRecord`, found through a context variable the middleware set,
so the body is parsed once, by strawberry. Metrics label an operation by its
name only when the name is declared in ``graphql/operations/*.graphql``
(:func:`declared_operations`), else ``other``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import structlog
from graphql.error import GraphQLError
from graphql.language import OperationDefinitionNode, parse
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from council import metrics
from council.settings import repository_or_shipped

log = logging.getLogger("council.request")

OPERATIONS_DIR = repository_or_shipped("graphql/operations", "operations")
"""The client documents whose operation names label the metrics."""
OTHER = "other"
"""The metric label of an operation that is unnamed or not declared in :data:`OPERATIONS_DIR`."""
OPERATION_LOG_MAX = 100
"""Characters of the client's operation name kept in the request log."""
REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_GRAPHQL_PATH = "/graphql"
_PROBES = frozenset({"/healthz", "/readyz", "/metrics"})
"""Paths polled by machines: logged at DEBUG, not INFO."""


@dataclass
class RequestRecord:
    """What the GraphQL layer tells the middleware about one request."""

    operation: str | None = None
    """The operation name the client sent (or the document's only operation's name)."""
    errors: bool = False
    """The result carried GraphQL errors (syntax, validation, or masked unexpected ones)."""


_current: ContextVar[RequestRecord | None] = ContextVar("council_request_record", default=None)


def declared_operations(folder: Path = OPERATIONS_DIR) -> frozenset[str]:
    """The operation names of every ``*.graphql`` document in ``folder`` (none when it does not exist).

    Raises:
        graphql.error.GraphQLSyntaxError: a document does not parse.
    """
    names: set[str] = set()
    for path in sorted(folder.glob("*.graphql")):
        for definition in parse(path.read_text(encoding="utf-8")).definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name is not None:
                names.add(definition.name.value)
    return frozenset(names)


def request_id(header: str | None) -> str:
    """The client's ``X-Request-ID`` when it is 1 to 128 of ``[A-Za-z0-9._-]``, else a new one (32 hex digits)."""
    if header is not None and _SANE_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def outcome(status: int, record: RequestRecord) -> str:
    """The ``outcome`` label of a GraphQL request: by HTTP status first, then by GraphQL errors."""
    if status == 401:
        return "unauthenticated"
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "rejected"
    return "error" if record.errors else "ok"


class ObserveOperation(SchemaExtension):
    """Write the operation's name and whether it failed onto the request's :class:`RequestRecord`.

    Outside an HTTP request seen by :class:`Observe` (a subscription, a test
    calling the schema directly) it does nothing.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        record = _current.get()
        if record is None:
            return
        context = self.execution_context
        record.operation = context.operation_name
        errors: list[GraphQLError] = list(context.pre_execution_errors or [])
        if context.result is not None and context.result.errors:
            errors += context.result.errors
        record.errors = record.errors or bool(errors)


class Observe:
    """ASGI middleware: request id, request log line and GraphQL request metrics (see the module docstring).

    Args:
        app: the application to wrap.
        operations: the operation names that label metrics (:func:`declared_operations`).
    """

    def __init__(self, app: ASGIApp, operations: frozenset[str]) -> None:
        self.app = app
        self.operations = operations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        with structlog.contextvars.bound_contextvars(request_id=rid):
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
            else:
                await self._http(scope, receive, send, rid)

    async def _http(self, scope: Scope, receive: Receive, send: Send, rid: str) -> None:
        started = time.perf_counter()
        record = RequestRecord()
        token = _current.set(record)
        status = 500  # unless the application answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
            seconds = time.perf_counter() - started
            self._count(scope, status, record, seconds)
            self._log(scope, status, record, seconds)

    def _count(self, scope: Scope, status: int, record: RequestRecord, seconds: float) -> None:
        metrics.refresh_pool_gauge()
        if scope["path"] != _GRAPHQL_PATH:
            return
        label = record.operation if record.operation in self.operations else OTHER
        metrics.GRAPHQL_REQUESTS.labels(operation=label, outcome=outcome(status, record)).inc()
        metrics.GRAPHQL_DURATION.labels(operation=label).observe(seconds)

    @staticmethod
    def _log(scope: Scope, status: int, record: RequestRecord, seconds: float) -> None:
        principal = scope.get("state", {}).get("principal")
        log.log(
            logging.DEBUG if scope["path"] in _PROBES else logging.INFO,
            "request",
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "latency_ms": round(seconds * 1000, 1),
                "operation": record.operation[:OPERATION_LOG_MAX] if record.operation else None,
                "member_id": getattr(principal, "member_id", None),
            },
        )
