"""The ``council`` command-line tool: the typer app and the database runner.

Each command module (``council/cli/*.py``) registers its commands on
:data:`app`; :func:`run_db` runs an async body with the ORM initialised on a
migrated database, so every command acts through the same services as the API.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from tortoise import Tortoise

from council.db import DatabaseBehind, DatabaseUnreachable, ensure_migrated, tortoise_config
from council.health import RedisUnreachable

T = TypeVar("T")

app = typer.Typer(
    name="council",
    help="Council: Smart City council workflow engine (GraphQL API, workflows, seeds, tokens).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` to stderr in red and return the ``typer.Exit`` to raise."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def run_db(body: Callable[[], Awaitable[T]], *, check_migrated: bool = True) -> T:
    """Run ``body()`` with tortoise initialised; close connections afterwards.

    Raises:
        typer.Exit: (code 1) when the database cannot be reached or is behind the migrations,
            or ``body`` finds Redis unreachable (:func:`council.health.events_connected`).
    """

    async def runner() -> T:
        await Tortoise.init(config=tortoise_config())
        try:
            if check_migrated:
                await ensure_migrated()
            return await body()
        finally:
            await Tortoise.close_connections()

    try:
        return asyncio.run(runner())
    except (DatabaseBehind, DatabaseUnreachable, RedisUnreachable) as exc:
        raise fail(str(exc)) from None
