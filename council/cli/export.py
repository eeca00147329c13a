"""``council export DIR``: write the open data package (the files of ``GET /open-data/``) into a folder."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from council.cli.app import app, console, err_console, fail, run_db


@app.command("export")
def export(
    directory: Path = typer.Argument(
        ..., help="The folder to write into (created if absent; files replaced).", file_okay=False
    ),
) -> None:
    """Write datapackage.json, every table as CSV and JSON, and audit.jsonl: only what anyone may read.

    Validate with ``frictionless validate DIR/datapackage.json``; verify the chains with
    ``council audit verify --file DIR/audit.jsonl``. Exit 1 when the folder cannot be written.
    """
    from council.opendata.package import export_to, files

    total = len(files()) + 1
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err_console, transient=True
    ) as bar:
        task = bar.add_task("exporting", total=total)

        def done(name: str, size: int) -> None:
            bar.update(task, advance=1, description=escape(name))

        try:
            sizes = run_db(lambda: export_to(directory, done))
        except OSError as exc:
            raise fail(f"cannot write {escape(str(directory))}: {escape(str(exc))}") from None
    console.print(
        f"wrote {len(sizes)} files, {sum(sizes.values()):,} bytes, to {escape(str(directory))}",
        highlight=False,
        soft_wrap=True,
    )
