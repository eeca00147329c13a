"""``council clients create``: register an OAuth client (an administrator's command)."""

from __future__ import annotations

import typer
from rich.markup import escape

from council.cli.app import app, err_console, fail, run_db

clients_app = typer.Typer(help="OAuth clients: the web client and universities' machine clients.", no_args_is_help=True)
app.add_typer(clients_app, name="clients")


@clients_app.command("create")
def create(
    name: str = typer.Option(..., "--name", help="A name people recognise; shown on the consent page."),
    organization: str = typer.Option(..., "--organization", help="Code of the organisation that owns the client."),
    client_type: str = typer.Option(..., "--type", help="public (web client, PKCE) or confidential (has a secret)."),
    redirect_uri: list[str] = typer.Option(
        [], "--redirect-uri", help="An exact redirect URI (repeatable); required for web clients."
    ),
    scope: list[str] = typer.Option(
        [], "--scope", help="A scope the client may ask for (repeatable); default: all a client of its kind may have."
    ),
) -> None:
    """Register a client; print ``client_id=...`` (and ``client_secret=...``, once) on stdout.

    A confidential client of a university is that university's machine
    client: client credentials only, at most proposals:read reviews:write,
    acting as a service member of the university. Any other client is a web
    client (authorization code with PKCE S256, refresh tokens). The output
    can be read by a shell: ``eval "$(council clients create ...)"``.
    Exit 1, saying why, on a bad argument.
    """
    from council.oauth2.service import ClientError, NewClient, create_client

    async def body() -> NewClient:
        return await create_client(
            name=name, organization=organization, client_type=client_type, redirect_uris=redirect_uri, scopes=scope
        )

    try:
        new = run_db(body)
    except ClientError as exc:
        raise fail(escape(str(exc))) from None
    typer.echo(f"client_id={new.client_id}")
    if new.client_secret is not None:
        typer.echo(f"client_secret={new.client_secret}")
    kind = "university machine client" if new.machine else "web client"
    err_console.print(f"{kind}; grants: {' '.join(new.grant_types)}; scopes: {' '.join(new.scopes)}", highlight=False)
    if new.service_username:
        err_console.print(f"acts as member {new.service_username}", highlight=False)
    if new.client_secret is not None:
        err_console.print("the secret is shown only now; only its hash is stored", highlight=False)
