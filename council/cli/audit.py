"""``council audit verify``: recompute every audit hash chain (of proposals and any other kind)."""

from __future__ import annotations

import typer

from council.cli.app import app, console, fail, run_db

audit_app = typer.Typer(help="The append-only audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify() -> None:
    """Check that every chain links up and every hash matches its event; exit 1 on a fault."""
    from council.audit.service import verify_chains

    chains, events, faults = run_db(verify_chains)
    for f in faults:
        console.print(f"{f.chain.kind} {f.chain.id} event {f.seq}: {f.reason}", highlight=False)
    if faults:
        raise fail(f"{len(faults)} fault(s) in {events} events of {chains} chains")
    console.print(f"ok: {events} events in {chains} chains verified")
