"""``council web setup``: register the web client's OAuth client.

An administrator's command; ``make serve`` runs it.
"""

from __future__ import annotations

import typer
from rich.markup import escape

from council.auth.scopes import IMPLEMENTATION_WRITE, PROPOSALS_READ, PROPOSALS_WRITE, REVIEWS_WRITE, VOTES_WRITE
from council.cli.app import app, fail, run_db

web_app = typer.Typer(help="The council web client served under /app/.", no_args_is_help=True)
app.add_typer(web_app, name="web")

WEB_CLIENT_NAME = "Council (web)"
WEB_CLIENT_SCOPES = [PROPOSALS_READ, PROPOSALS_WRITE, REVIEWS_WRITE, VOTES_WRITE, IMPLEMENTATION_WRITE]
"""Everything a person does in the web client; never ``admin`` (administrators use the CLI)."""


@web_app.command("setup")
def setup(
    organization: str = typer.Option(..., "--organization", help="Code of the organisation that owns the client."),
) -> None:
    """Create or update the web client's public OAuth client (idempotent).

    The client id is ``COUNCIL_WEB_CLIENT_ID`` (default ``council-web``), its
    redirect URI ``<COUNCIL_TOKEN_ISSUER>/app/callback`` (added beside any it
    already has), PKCE S256 with refresh tokens, scopes proposals:read
    proposals:write reviews:write votes:write implementation:write. Prints
    what it did; exit 1, saying why, on an unknown organisation.
    """
    from council.oauth2.service import ClientError, EnsuredClient, ensure_public_client
    from council.settings import get_settings

    settings = get_settings()
    redirect_uri = f"{settings.token_issuer}/app/callback"  # as the client builds it from /app/config.json

    async def body() -> EnsuredClient:
        return await ensure_public_client(
            client_id=settings.web_client_id,
            name=WEB_CLIENT_NAME,
            organization=organization,
            redirect_uri=redirect_uri,
            scopes=WEB_CLIENT_SCOPES,
        )

    try:
        done = run_db(body)
    except ClientError as exc:
        raise fail(escape(str(exc))) from None
    if done.created:
        what = "created"
    elif done.changed:
        what = f"updated ({', '.join(done.changed)})"
    else:
        what = "already up to date"
    typer.echo(f"web client {done.client_id}: {what}")
    typer.echo(f"redirect URIs: {' '.join(done.redirect_uris)}")
    typer.echo(f"scopes: {' '.join(done.scopes)}")
    typer.echo(f"open {settings.token_issuer}/app/")
