"""Entry point of the ``council`` console script (see :mod:`council.cli.app`)."""

from __future__ import annotations

from council.cli import audit, clients, database, keys, members, seed, token, workflows  # noqa: F401  (register commands)
from council.cli import web, worker  # noqa: F401  (register `council web`, `council worker`)
from council.cli.app import app


def main() -> None:
    """Run the ``council`` CLI."""
    app()
