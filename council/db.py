"""Database configuration and the migration check.

SQLite (the embedded default) runs in WAL mode with a busy timeout; PostgreSQL
is reached through asyncpg when ``COUNCIL_DATABASE_URL`` starts with
``postgres://``. Schema changes are tortoise-orm migrations checked in under
``council/migrations``; :func:`pending_migrations` tells what ``council migrate``
would apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise.connection import get_connection
from tortoise.migrations.api import migrate as migrate_api
from tortoise.migrations.executor import MigrationExecutor

from council.settings import Settings, get_settings

MODEL_MODULES = [
    "council.organizations.models",
    "council.proposals.models",
    "council.reviews.models",
    "council.voting.models",
    "council.implementation.models",
    "council.audit.models",
    "council.workflow.models",
    "council.oauth2.models",
    "council.auth.models",
]
APP = "council"


class DatabaseBehind(RuntimeError):
    """The database lacks migrations that the code expects; run ``council migrate``."""


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


async def ensure_migrated() -> None:
    """Refuse to go on when the database is behind the code.

    Raises:
        DatabaseBehind: names the pending migrations and the command to run.
    """
    pending = await pending_migrations()
    if pending:
        raise DatabaseBehind(
            f"the database is behind the code by {len(pending)} migration(s) "
            f"({', '.join(pending)}); run `council migrate` first"
        )


async def migrate(database_url: str | None = None) -> list[str]:
    """Apply pending migrations; return their names. Initialises tortoise itself."""
    config = tortoise_config(database_url=database_url)
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    await migrate_api(config=config, progress=progress)
    return applied
