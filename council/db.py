"""Database configuration and the migration check.

SQLite (the embedded default) runs in WAL mode with a busy timeout; PostgreSQL
is reached through asyncpg when ``COUNCIL_DATABASE_URL`` starts with
``postgres://``. Schema changes are tortoise-orm migrations checked in under
``council/migrations``; :func:`pending_migrations` tells what ``council migrate``
would apply.

A database that does not answer is said to be so (:class:`DatabaseUnreachable`,
naming ``host:port``), never "behind": tortoise's migration recorder reads any
failure to query its table as "no migration applied yet", so every check here
asks ``SELECT 1`` before trusting an empty record.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise.connection import get_connection
from tortoise.migrations.api import migrate as migrate_api
from tortoise.migrations.executor import MigrationExecutor

from council.settings import Settings, get_settings

MODEL_MODULES = [
    "council.organizations.models",
    "council.programmes.models",
    "council.programmes.session_models",
    "council.masterplans.models",
    "council.commitments.models",
    "council.proposals.models",
    "council.reviews.models",
    "council.voting.models",
    "council.implementation.models",
    "council.uploads.models",
    "council.audit.models",
    "council.workflow.models",
    "council.oauth2.models",
    "council.auth.models",
    "council.outbox.models",
    "council.notifications.models",
    "council.webhooks.models",
]
APP = "council"
CONNECT_TIMEOUT = 10.0
"""Seconds a command (``council serve``, ``council migrate``, ...) waits for the database to answer at start."""


class DatabaseBehind(RuntimeError):
    """The database lacks migrations that the code expects; run ``council migrate``."""


class DatabaseUnreachable(RuntimeError):
    """The database does not answer: not running, a wrong address, refused credentials, or no answer in time."""


def database_address(url: str) -> str:
    """Where ``url`` points: ``host:port`` for PostgreSQL (port 5432 when unsaid), the file for SQLite."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return url[len("sqlite://") :]
    host = parts.hostname or "localhost"
    return f"{f'[{host}]' if ':' in host else host}:{parts.port or 5432}"


def masked_url(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***`` (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return parts._replace(netloc=f"{user}:***@{hostinfo}").geturl()


def tortoise_config(settings: Settings | None = None, database_url: str | None = None) -> dict[str, Any]:
    """The tortoise-orm config dict for ``database_url`` (default: the settings').

    Raises:
        ValueError: the URL is neither ``sqlite://`` nor ``postgres://``.
    """
    settings = settings or get_settings()
    url = database_url or settings.database_url
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = url[len("sqlite://") :]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection: Any = {
            "engine": "tortoise.backends.sqlite",
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                "busy_timeout": settings.sqlite_busy_timeout,
                "foreign_keys": "ON",
            },
        }
    elif scheme in {"postgres", "postgresql", "asyncpg"}:
        connection = "postgres://" + url.split("://", 1)[1]
    else:
        raise ValueError(f"unsupported database URL {url!r}: use sqlite:///path or postgres://...")
    return {
        "connections": {"default": connection},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "council.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres() -> bool:
    """True when the default connection is PostgreSQL (for ``FOR UPDATE`` and the like)."""
    return get_connection("default").capabilities.dialect == "postgres"


async def pending_migrations() -> list[str]:
    """Names of checked-in migrations not yet applied to the connected database."""
    apps = tortoise_config()["apps"]
    executor = MigrationExecutor(get_connection("default"), apps)
    steps = await executor.plan()
    return [f"{s.migration.app_label}.{s.migration.name}" for s in steps if not s.backward]


async def ensure_reachable(timeout: float = CONNECT_TIMEOUT, database_url: str | None = None) -> None:
    """Ask the default connection ``SELECT 1`` and wait at most ``timeout`` seconds for the answer.

    ``database_url`` (default: the settings') only names the database in the message.

    Raises:
        DatabaseUnreachable: "cannot reach the database at host:port (reason); ..." with the
            URL's password masked; any failure of ``SELECT 1`` counts (refused, unknown host,
            authentication, no such database, timeout).
    """
    try:
        await asyncio.wait_for(get_connection("default").execute_query("SELECT 1"), timeout)
        return
    except TimeoutError:
        reason = f"no answer within {timeout:g} s"
    except Exception as exc:  # whatever the driver raises, SELECT 1 failing means the database cannot be used
        reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
    url = database_url or get_settings().database_url
    password = urlsplit(url).password
    if password:
        reason = reason.replace(password, "***")
    raise DatabaseUnreachable(
        f"cannot reach the database at {database_address(url)} ({reason}); COUNCIL_DATABASE_URL is {masked_url(url)}"
    )


async def ensure_migrated(timeout: float = CONNECT_TIMEOUT) -> None:
    """Refuse to go on when the database cannot be reached or is behind the code.

    The one rule for "migrations current", used at start (the app's lifespan,
    every CLI command) and by ``/readyz`` (:mod:`council.health`).

    Args:
        timeout: seconds to wait for each ``SELECT 1`` (:func:`ensure_reachable`).

    Raises:
        DatabaseUnreachable: the database does not answer (checked before and, when
            migrations look pending, again after reading them: the recorder reports
            a lost connection as "nothing applied").
        DatabaseBehind: names the pending migrations and the command to run.
    """
    await ensure_reachable(timeout)
    pending = await pending_migrations()
    if pending:
        await ensure_reachable(timeout)
        raise DatabaseBehind(
            f"the database is behind the code by {len(pending)} migration(s) "
            f"({', '.join(pending)}); run `council migrate` first"
        )


async def migrate(database_url: str | None = None) -> list[str]:
    """Apply pending migrations; return their names. Initialises tortoise itself.

    Raises:
        DatabaseUnreachable: the database does not answer; nothing was applied.
    """
    config = tortoise_config(database_url=database_url)
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    async def reachable_first(*_: Any) -> None:
        # tortoise calls the reporter with the plan, before applying anything: the one hook
        # between its own connection set-up and the first statement.
        await ensure_reachable(database_url=database_url)

    await migrate_api(config=config, reporter=reachable_first, progress=progress)
    return applied
