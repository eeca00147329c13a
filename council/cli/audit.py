"""``council audit verify``: recompute every audit hash chain, in the database or in an ``audit.jsonl`` file.

With ``--file`` nothing touches a database (no ``COUNCIL_DATABASE_URL`` is
read): the file's records are checked by :func:`council.audit.record.check_records`,
the check the database verifier runs too. Exit codes: 0 every chain holds,
1 a fault (the first is named first), 2 the file cannot be read.
"""

from __future__ import annotations

from pathlib import Path

import typer

from council.audit.record import ChainFault, check_records, read_lines
from council.cli.app import app, console, fail, run_db

audit_app = typer.Typer(help="The append-only audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify(
    file: Path | None = typer.Option(
        None,
        "--file",
        "-f",
        help="Check an exported audit.jsonl (open data) instead of the database; needs no database.",
        dir_okay=False,
    ),
) -> None:
    """Check that every chain links up and every hash matches its event; exit 1 on a fault, naming the first."""
    if file is not None:
        chains, events, faults = _verify_file(file)
    else:
        from council.audit.service import verify_chains

        chains, events, faults = run_db(verify_chains)
    if faults:
        console.print(f"first break: {faults[0].describe()}", highlight=False)
        for f in faults[1:]:
            console.print(f.describe(), highlight=False)
        raise fail(f"{len(faults)} fault(s) in {events} events of {chains} chains")
    console.print(f"ok: {events} events in {chains} chains verified")


def _verify_file(path: Path) -> tuple[int, int, list[ChainFault]]:
    """(chains, events, faults) of the file at ``path``, read line by line (memory bounded by the chain count)."""
    try:
        with path.open(encoding="utf-8") as lines:
            check = check_records(read_lines(lines))
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read {path}: {exc}", code=2) from None
    return check.chains, check.events, check.faults
