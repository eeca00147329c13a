"""``council migrate``, ``council serve`` and ``council export-schema``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from tortoise import Tortoise

from council.cli.app import app, console, fail
from council.settings import PROJECT_ROOT, get_settings


@app.command()
def migrate() -> None:
    """Apply the checked-in migrations to the configured database.

    Exit 1 with "cannot reach the database at host:port (...)" when it does not answer.
    """
    from council.db import DatabaseUnreachable
    from council.db import migrate as apply

    async def body() -> list[str]:
        try:
            return await apply()
        finally:
            await Tortoise.close_connections()

    try:
        applied = asyncio.run(body())
    except DatabaseUnreachable as exc:
        raise fail(str(exc)) from None
    if applied:
        for name in applied:
            console.print(f"applied {name}")
    else:
        console.print("database is up to date")


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default COUNCIL_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="TCP port (default COUNCIL_PORT or 8000)."),
    workers: int = typer.Option(
        1, min=1, help="Worker processes (uvicorn's); more than one share /metrics through PROMETHEUS_MULTIPROC_DIR."
    ),
) -> None:
    """Serve the GraphQL API and the web client with uvicorn until SIGTERM or SIGINT.

    ``--host`` and ``--port`` act as ``COUNCIL_HOST`` and ``COUNCIL_PORT`` for
    this process, so an issuer left unset (``COUNCIL_TOKEN_ISSUER``) follows
    them: the OAuth endpoints, tokens and ``/app/config.json`` name the
    address actually served. Prints the address to open first.

    Refuses to start (exit 1, one line naming ``host:port``, no traceback) when
    the database or Redis cannot be reached or the database is behind its
    migrations: an orchestrator restarts the container until they are there
    (:mod:`council.health`).

    On SIGTERM (``docker stop``, an orchestrator rolling the replicas) it stops
    accepting connections, closes websockets with 1012 "service restart"
    (graphql-ws clients reconnect and subscribe again, on another replica
    behind a proxy), lets requests in flight finish for up to
    ``COUNCIL_SHUTDOWN_TIMEOUT`` seconds (then cancels them), stops the
    scheduler after the timer in hand, and exits 0.

    With ``--workers N`` (N > 1) the metrics of the N processes are summed
    through prometheus-client's multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR``
    if set (its ``*.db`` files are removed first), else a temporary folder
    removed at exit. ``COUNCIL_LOG_FORMAT=json`` turns uvicorn's own lines into
    JSON too, and its access lines off (each request's line comes from the app).
    """
    import os
    import signal

    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from council.auth import keys
    from council.cli.app import run_db
    from council.health import events_connected
    from council.logs import configure as configure_logs

    if host is not None:
        os.environ["COUNCIL_HOST"] = host
    if port is not None:
        os.environ["COUNCIL_PORT"] = str(port)
    get_settings.cache_clear()  # the app (built by the factory in this process) reads them again
    settings = get_settings()
    json_logs = settings.log_format == "json"
    configure_logs(settings.log_format, settings.log_level)

    async def reachable() -> None:
        async with events_connected(settings.redis_url):
            await keys.load()  # a missing or wrong COUNCIL_KEYS_SECRET: one line now, not a lifespan traceback

    try:
        run_db(reachable)  # exit 1 with the reason: database or Redis unreachable, database behind its migrations
    except keys.KeyStoreError as exc:
        raise fail(str(exc)) from None
    console.print(f"open {settings.token_issuer}/app/", highlight=False)

    def stopped(signum: int, frame: object) -> None:
        raise SystemExit(0)

    # uvicorn handles SIGTERM while it serves, then raises it again under the handler found at start:
    # this one, so a graceful stop ends with exit status 0 rather than death by signal (143).
    signal.signal(signal.SIGTERM, stopped)
    with _metrics_dir(workers):
        uvicorn.run(
            "council.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level=settings.log_level,
            log_config=None if json_logs else LOGGING_CONFIG,
            access_log=not json_logs,
            lifespan="on",
            timeout_graceful_shutdown=settings.shutdown_timeout,
            ws_max_size=settings.max_body_bytes,  # a longer websocket message: closed with 1009 (message too big)
        )


@contextmanager
def _metrics_dir(workers: int) -> Iterator[None]:
    """An empty folder for prometheus-client's multiprocess mode while open, when several processes count.

    ``PROMETHEUS_MULTIPROC_DIR`` when set (emptied of its ``*.db`` files,
    which describe processes gone), else with ``workers > 1`` a temporary
    folder named in the environment the workers inherit and removed at exit;
    a single worker without the variable counts in its own registry.
    """
    import os
    import shutil
    import tempfile

    from council.metrics import MULTIPROC_ENV

    given = os.environ.get(MULTIPROC_ENV)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        yield
        return
    if workers <= 1:
        yield
        return
    made = tempfile.mkdtemp(prefix="council-metrics-")
    os.environ[MULTIPROC_ENV] = made
    try:
        yield
    finally:
        del os.environ[MULTIPROC_ENV]
        shutil.rmtree(made, ignore_errors=True)


@app.command("export-schema")
def export_schema(
    output: Path = typer.Option(PROJECT_ROOT / "graphql" / "schema.graphql", help="File to write."),
) -> None:
    """Write the GraphQL schema (SDL) to ``graphql/schema.graphql``."""
    from council.api.schema import schema_sdl

    output.write_text(schema_sdl(), encoding="utf-8")
    console.print(f"wrote {output}")
