"""``council migrate``, ``council serve`` and ``council export-schema``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from tortoise import Tortoise

from council.cli.app import app, console, fail
from council.settings import PROJECT_ROOT, get_settings


@app.command()
def migrate() -> None:
    """Apply the checked-in migrations to the configured database."""
    from council.db import migrate as apply

    async def body() -> list[str]:
        try:
            return await apply()
        finally:
            await Tortoise.close_connections()

    applied = asyncio.run(body())
    if applied:
        for name in applied:
            console.print(f"applied {name}")
    else:
        console.print("database is up to date")


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default COUNCIL_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="TCP port (default COUNCIL_PORT or 8000)."),
) -> None:
    """Serve the GraphQL API and the web client with uvicorn. Refuses a database that is behind.

    ``--host`` and ``--port`` act as ``COUNCIL_HOST`` and ``COUNCIL_PORT`` for
    this process, so an issuer left unset (``COUNCIL_TOKEN_ISSUER``) follows
    them: the OAuth endpoints, tokens and ``/app/config.json`` name the
    address actually served. Prints the address to open first.
    """
    import os

    import uvicorn

    from council.cli.app import run_db
    from council.db import DatabaseBehind

    if host is not None:
        os.environ["COUNCIL_HOST"] = host
    if port is not None:
        os.environ["COUNCIL_PORT"] = str(port)
    get_settings.cache_clear()  # the app (built by the factory in this process) reads them again

    async def ready() -> None:
        return None

    run_db(ready)  # refuses (exit 1, with the command to run) a database behind its migrations
    settings = get_settings()
    console.print(f"open {settings.token_issuer}/app/", highlight=False)
    try:
        uvicorn.run(
            "council.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            lifespan="on",
        )
    except DatabaseBehind as exc:  # pragma: no cover - uvicorn reports lifespan errors itself
        raise fail(str(exc)) from None


@app.command("export-schema")
def export_schema(
    output: Path = typer.Option(PROJECT_ROOT / "graphql" / "schema.graphql", help="File to write."),
) -> None:
    """Write the GraphQL schema (SDL) to ``graphql/schema.graphql``."""
    from council.api.schema import schema_sdl

    output.write_text(schema_sdl(), encoding="utf-8")
    console.print(f"wrote {output}")
