"""Entry point of the ``council`` console script (see :mod:`council.cli.app`)."""

from __future__ import annotations

# Imported for their side effect: each module registers its commands on the typer app.
from council.cli import (  # noqa: F401
    audit,
    clients,
    database,
    export,
    keys,
    members,
    seed,
    token,
    web,
    webhooks,
    worker,
    workflows,
)
from council.cli.app import app


def main() -> None:
    """Run the ``council`` CLI."""
    app()
