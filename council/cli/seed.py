"""``council seed SOURCE``: load a city's programme from a seed file."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from council.cli.app import app, console, err_console, fail, run_db


@app.command()
def seed(
    source: str = typer.Argument(
        ..., help="A built-in seed (pekanbaru-2018) or a seed file (FILE.yaml, format in docs/DESIGN.md)."
    ),
) -> None:
    """Load programmes, organisations, members and draft proposals from a seed; loading twice changes nothing.

    The whole file is checked first; a bad file is refused with the file, the
    entry and the reason (exit code 1) and nothing of it is written.
    """
    from council.seeds.loader import SeedError, SeedReport, load_seed
    from council.workflow.errors import WorkflowError

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("checking", total=None)

        def progress(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, description=escape(what))

        try:
            report: SeedReport = run_db(lambda: load_seed(source, progress=progress))
        except (SeedError, WorkflowError) as exc:
            error: Exception | None = exc
        else:
            error = None
    if error is not None:
        raise fail(escape(str(error)))

    console.print(f"[bold]{escape(report.city)}[/bold] from {escape(report.file)}", highlight=False, soft_wrap=True)
    table = Table()
    table.add_column("kind")
    table.add_column("created", justify="right")
    table.add_column("already present", justify="right")
    for kind, count in (
        ("programmes", report.programmes),
        ("master plans", report.master_plans),
        ("organisations", report.organizations),
        ("members", report.members),
        ("proposals", report.proposals),
        ("sessions", report.sessions),
        ("commitments", report.commitments),
    ):
        table.add_row(kind, str(count.created), str(count.existing))
    console.print(table)
    for note in report.notes:
        err_console.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False, soft_wrap=True)
