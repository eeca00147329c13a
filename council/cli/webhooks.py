"""council webhooks: register, list and disable partner systems' webhook endpoints; read the delivery log."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from council.cli.app import app, console, err_console, fail, run_db

webhooks_app = typer.Typer(help="Webhooks for partner systems, signed per Standard Webhooks.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")

OPTION_OF_FIELD = {
    "organizationId": "--organization",
    "url": "--url",
    "events": "--event",
    "description": "--description",
    "endpointId": "ID",
}
"""The command-line option named in an error about each field of the service."""


def _refusal(exc: Any) -> typer.Exit:
    """The exit for a DomainError, naming the option at fault."""
    option = OPTION_OF_FIELD.get(exc.field or "", "")
    prefix = f"{option}: " if option else ""
    return fail(escape(f"{prefix}{exc.message('en')} ({exc.code.value})"))


@webhooks_app.command("create")
def create(
    organization: str = typer.Option(..., "--organization", help="Code of the organisation the endpoint serves."),
    url: str = typer.Option(
        ..., "--url", help="https URL of the partner system (http only to loopback in development)."
    ),
    event: list[str] = typer.Option(
        ...,
        "--event",
        help="An event to send (repeatable): proposal.submitted, proposal.assigned, review.due, "
        "ballot.opened, ballot.closed, proposal.transitioned.",
    ),
    description: str = typer.Option("", "--description", help="What the endpoint is, for people."),
) -> None:
    """Register an endpoint; print endpoint_id=... and secret=whsec_... (shown only now) on stdout.

    The partner verifies each request's webhook-signature with the secret
    (any Standard Webhooks library). Exit 1, naming the option, on a bad
    argument (unknown organisation or event, a URL the SSRF rule refuses).
    """
    from council.errors import DomainError
    from council.webhooks.service import NewEndpoint, create_endpoint

    async def body() -> NewEndpoint:
        return await create_endpoint(
            None, organization_code=organization, url=url, events=event, description=description
        )

    try:
        new = run_db(body)
    except DomainError as exc:
        raise _refusal(exc) from None
    typer.echo(f"endpoint_id={new.endpoint['id']}")
    typer.echo(f"secret={new.secret}")
    err_console.print(f"events: {' '.join(new.endpoint['events'])}; the secret is shown only now", highlight=False)


@webhooks_app.command("list")
def list_endpoints(
    organization: str = typer.Option(None, "--organization", help="Only this organisation's endpoints (its code)."),
) -> None:
    """The endpoints: id, organisation, URL, events, failing since, disabled (never the secret)."""
    from council.webhooks.service import endpoints

    rows = run_db(endpoints)
    if organization:
        rows = [r for r in rows if r["organization_code"] == organization]
    table = Table("id", "organization", "url", "events", "failing since", "disabled")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["organization_code"],
            escape(r["url"]),
            ", ".join(r["events"]),
            _when(r["failing_since"]),
            _when(r["disabled_at"]),
        )
    console.print(table)


@webhooks_app.command("disable")
def disable(
    endpoint_id: int = typer.Argument(..., metavar="ID", help="The endpoint's id (council webhooks list)."),
) -> None:
    """Disable an endpoint: nothing more is sent to it; its pending deliveries fail."""
    from council.errors import DomainError
    from council.webhooks.service import disable_endpoint

    async def body() -> dict[str, Any]:
        return await disable_endpoint(None, endpoint_id)

    try:
        row = run_db(body)
    except DomainError as exc:
        raise _refusal(exc) from None
    console.print(f"endpoint {row['id']} disabled at {_when(row['disabled_at'])}", highlight=False)


@webhooks_app.command("deliveries")
def deliveries(
    endpoint: int = typer.Option(None, "--endpoint", help="Only this endpoint's deliveries (its id)."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="How many, newest first."),
) -> None:
    """The delivery log, newest first: time, event, status, attempts, last status code, last error."""
    from council.webhooks import service

    async def body() -> list[dict[str, Any]]:
        return await service.deliveries(endpoint_ids=[endpoint] if endpoint is not None else None, limit=limit)

    table = Table("time", "endpoint", "event", "status", "attempts", "last status code", "last error", "message id")
    for r in run_db(body):
        table.add_row(
            _when(r["created_at"]),
            str(r["endpoint_id"]),
            r["event_type"],
            str(r["status"]),
            str(r["attempts"]),
            "" if r["last_status_code"] is None else str(r["last_status_code"]),
            escape(r["last_error"] or ""),
            r["message_id"],
        )
    console.print(table)


def _when(value: Any) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")
