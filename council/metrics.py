"""Prometheus metrics of a Council process, in one place (prometheus-client).

Names follow the Prometheus conventions: the ``council_`` prefix, the unit in
the name (``_seconds``), ``_total`` for counters. Every label takes values
from a bounded set, so no client can create new series: the GraphQL operation
is one of the names declared in ``graphql/operations/*.graphql`` or
``other`` (:mod:`council.api.observe`), triggers and timer kinds come from the
workflow files and :class:`~council.workflow.models.TimerKind`.

Several worker processes (``council serve --workers N``) share their numbers
through prometheus-client's multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR``
must name an empty folder before the first process imports prometheus-client
(``council serve`` sees to it); :func:`exposition` then sums the files of every
process, and :func:`process_exited` drops a finished process's gauges. Without
the variable each process counts for itself in the default registry.

This module sits in the lowest layer: any module may count, and it imports
nothing of Council.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from tortoise import connections

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
"""The environment variable naming the folder of the multiprocess mode (prometheus-client's own name)."""

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds (seconds) of the request latency histogram."""
LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
"""Upper bounds (seconds) of the timer lag histogram: a scheduler ticks every few seconds."""
DELIVERY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
"""Upper bounds (seconds) of the broadcaster's publish-to-delivery lag histogram."""

GRAPHQL_REQUESTS = Counter(
    "council_graphql_requests_total",
    "GraphQL requests over HTTP by declared operation name (else `other`) and outcome "
    "(ok, error: GraphQL errors in the result, unauthenticated: 401, rejected: another 4xx, server_error: 5xx).",
    ["operation", "outcome"],
)
GRAPHQL_DURATION = Histogram(
    "council_graphql_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by declared operation name (else `other`).",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
VOTES_CAST = Counter(
    "council_votes_cast_total",
    "Votes recorded after the commit: `new` for a member's first vote on a ballot, `changed` for a changed one.",
    ["kind"],
)
TRANSITIONS_FIRED = Counter(
    "council_transitions_fired_total",
    "Workflow transitions committed, by trigger (from the workflow files) and by whom (member or timer).",
    ["trigger", "fired_by"],
)
TIMERS_FIRED = Counter(
    "council_timers_fired_total",
    "Timers fired by this process's scheduler, by kind (ballot_deadline, sla).",
    ["kind"],
)
TIMER_LAG = Histogram(
    "council_timer_lag_seconds",
    "Seconds from a timer's due time to its firing (fired_at - due_at).",
    ["kind"],
    buckets=LAG_BUCKETS,
)
WEBSOCKET_CONNECTIONS = Gauge(
    "council_websocket_connections",
    "Accepted GraphQL websocket connections open now.",
    multiprocess_mode="livesum",
)
SUBSCRIPTIONS_ACTIVE = Gauge(
    "council_subscriptions_active",
    "GraphQL subscriptions running now (each listens on one broadcaster channel).",
    multiprocess_mode="livesum",
)
EVENT_DELIVERY_LAG = Histogram(
    "council_event_delivery_lag_seconds",
    "Seconds from an event's publication (after its commit, on any node) to its delivery to this process's "
    "subscribers; across nodes it includes the difference of their clocks.",
    buckets=DELIVERY_BUCKETS,
)
OUTBOX_LAG = Gauge(
    "council_outbox_lag_seconds",
    "Per outbox consumer: seconds from the writing of the oldest event of its last batch to its handling "
    "(0 when it found nothing pending): how far behind the relay runs.",
    ["consumer"],
    multiprocess_mode="livemax",
)
DATABASE_CONNECTIONS_IN_USE = Gauge(
    "council_database_connections_in_use",
    "Database connections lent out now: asyncpg's pool size minus its idle connections on PostgreSQL; "
    "on SQLite 1 while the one connection is held, else 0. Refreshed at each scrape and after each request.",
    multiprocess_mode="livesum",
)


def multiprocess_dir() -> str | None:
    """The folder of the multiprocess mode, or None when this process counts alone."""
    return os.environ.get(MULTIPROC_ENV) or None


def connections_in_use() -> int:
    """Connections of the ``default`` tortoise connection lent out now (0 before tortoise is initialised).

    PostgreSQL: ``get_size() - get_idle_size()`` of the asyncpg pool; SQLite:
    1 while its single connection's lock is held, else 0.
    """
    try:
        client: Any = connections.get("default")
    except Exception:  # not initialised (e.g. the worker before its first tick)
        return 0
    while getattr(client, "_parent", None) is not None:  # inside a transaction: the client it came from
        client = client._parent
    pool = getattr(client, "_pool", None)
    if pool is not None:
        return int(pool.get_size() - pool.get_idle_size())
    lock = getattr(client, "_lock", None)
    return 1 if lock is not None and lock.locked() else 0


def refresh_pool_gauge() -> None:
    """Set :data:`DATABASE_CONNECTIONS_IN_USE` from :func:`connections_in_use`."""
    DATABASE_CONNECTIONS_IN_USE.set(connections_in_use())


def registry() -> CollectorRegistry:
    """The registry to expose: every process's files in multiprocess mode, else this process's default registry."""
    folder = multiprocess_dir()
    if folder is None:
        return REGISTRY
    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected, path=folder)  # type: ignore[no-untyped-call]  # unannotated upstream
    return collected


def exposition() -> tuple[bytes, str]:
    """``GET /metrics``: the metrics in the Prometheus text format, and its content type."""
    refresh_pool_gauge()
    return generate_latest(registry()), CONTENT_TYPE_LATEST


def process_exited(pid: int | None = None) -> None:
    """Drop the live gauges of process ``pid`` (default: this one) in multiprocess mode; nothing otherwise."""
    folder = multiprocess_dir()
    if folder is not None:
        multiprocess.mark_process_dead(pid if pid is not None else os.getpid(), folder)  # type: ignore[no-untyped-call]  # unannotated upstream
