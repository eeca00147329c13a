"""Liveness and readiness: ``GET /healthz`` and ``GET /readyz``, and the Redis check at start.

- ``/healthz`` says the process answers: always 200 ``{"status": "ok"}``, no
  database call, so an orchestrator restarts a node only when its process is
  stuck, not when PostgreSQL is away (restarting would not bring it back).
- ``/readyz`` says whether the node can serve: the database answers
  ``SELECT 1``, its migrations are current (the one rule,
  :func:`council.db.ensure_migrated`), and Redis answers ``PING`` when
  ``COUNCIL_REDIS_URL`` is set. 200 ``{"status": "ready", "checks": {...}}``,
  or 503 ``{"status": "unready", "checks": {"database": {"ok": false,
  "error": "cannot reach the database at db:5432 (...)"}, ...}}``. The checks
  run side by side, each bounded by :data:`CHECK_TIMEOUT`, so ``/readyz``
  never hangs; a proxy or orchestrator routes away from a 503 node and back
  once it answers 200 again.

At start, a node refuses to run when it cannot reach its database or Redis
(``council serve`` and ``council worker`` exit 1 with "cannot reach ... at
host:port", see :mod:`council.cli.database`): a container orchestrator
restarts a container that exits, with a back-off, which is what a node
should get when a dependency is not up yet; a node that started anyway would
only answer 503 until it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from council.db import CONNECT_TIMEOUT, ensure_migrated, ensure_reachable, masked_url
from council.events import broadcaster

CHECK_TIMEOUT = 2.0
"""Seconds each readiness check may take before it counts as failed."""


class RedisUnreachable(RuntimeError):
    """Redis does not answer at start: not running, a wrong address, or no answer in time."""


def redis_address(url: str) -> str:
    """``host:port`` of a Redis URL (port 6379 when unsaid)."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return f"{f'[{host}]' if ':' in host else host}:{parts.port or 6379}"


@asynccontextmanager
async def events_connected(redis_url: str | None, timeout: float = CONNECT_TIMEOUT) -> AsyncIterator[None]:
    """``broadcaster.connected(redis_url)`` whose start waits at most ``timeout`` seconds.

    Raises:
        RedisUnreachable: "cannot reach Redis at host:port (reason); ..." (password masked).
    """
    async with AsyncExitStack() as stack:
        try:
            async with asyncio.timeout(timeout):
                await stack.enter_async_context(broadcaster.connected(redis_url))
        except (RedisError, OSError) as exc:  # TimeoutError is an OSError
            reason = f"no answer within {timeout:g} s" if isinstance(exc, TimeoutError) else _reason(exc)
            url = redis_url or ""
            raise RedisUnreachable(
                f"cannot reach Redis at {redis_address(url)} ({reason}); COUNCIL_REDIS_URL is {masked_url(url)}"
            ) from None
        yield


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".rstrip(": ")


async def _redis_answers() -> None:
    if not await broadcaster.ping(CHECK_TIMEOUT):
        raise RuntimeError("events are kept in memory, not carried through Redis")


async def _check(probe: Awaitable[None]) -> dict[str, Any]:
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT)
    except TimeoutError:
        return {"ok": False, "error": f"no answer within {CHECK_TIMEOUT:g} s"}
    except Exception as exc:  # a readiness check reports every failure instead of raising it
        return {"ok": False, "error": str(exc) or type(exc).__name__}
    return {"ok": True}


async def readiness(redis_configured: bool) -> dict[str, dict[str, Any]]:
    """Run the checks side by side; ``{name: {"ok": bool, "error"?: str}}``.

    Names: ``database``, ``migrations``, and ``redis`` when ``redis_configured``.
    Takes at most about :data:`CHECK_TIMEOUT` seconds; raises nothing.
    """
    probes: dict[str, Awaitable[None]] = {
        "database": ensure_reachable(CHECK_TIMEOUT),
        "migrations": ensure_migrated(CHECK_TIMEOUT),
    }
    if redis_configured:
        probes["redis"] = _redis_answers()
    results = await asyncio.gather(*(_check(probe) for probe in probes.values()))
    return dict(zip(probes, results, strict=True))


async def healthz(_: Request) -> Response:
    """``GET /healthz``: 200 ``{"status": "ok"}`` while the process answers."""
    return JSONResponse({"status": "ok"})


def readyz(redis_url: str | None) -> Callable[[Request], Awaitable[Response]]:
    """The ``GET /readyz`` endpoint of a node whose ``COUNCIL_REDIS_URL`` is ``redis_url`` (None: no Redis check).

    It answers 200 when every check of :func:`readiness` passes, else 503; the checks in the body.
    """
    redis_configured = bool(redis_url)

    async def endpoint(_: Request) -> Response:
        checks = await readiness(redis_configured)
        ready = all(check["ok"] for check in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unready", "checks": checks},
            status_code=200 if ready else 503,
            headers={"Cache-Control": "no-store"},
        )

    return endpoint
