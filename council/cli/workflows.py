"""``council workflows check [FILE ...]``: validate workflow definitions."""

from __future__ import annotations

from pathlib import Path

import typer

from council.cli.app import app, console, fail
from council.settings import get_settings
from council.workflow.errors import WorkflowError
from council.workflow.loader import load_file
from council.workflow.registry import WorkflowRegistry

workflows_app = typer.Typer(help="Workflow definitions (workflows/*.yaml).", no_args_is_help=True)
app.add_typer(workflows_app, name="workflows")


@workflows_app.command("check")
def check(files: list[Path] = typer.Argument(None, help="Files to check (default: the workflows folder).")) -> None:
    """Validate definitions; print each one's states and transitions, or the first error."""
    try:
        if files:
            definitions = [load_file(f) for f in files]
        else:
            definitions = WorkflowRegistry(get_settings().workflows_dir).definitions()
    except WorkflowError as exc:
        raise fail(str(exc)) from None
    for d in definitions:
        console.print(
            f"{d.source_file}: ok: {d.name} version {d.version}, "
            f"{len(d.states)} states, {len(d.transitions)} transitions"
        )
