"""``council keys rotate`` and ``council keys list``: the token signing keys (ES256)."""

from __future__ import annotations

import typer

from council.auth import keys
from council.cli.app import app, console, fail

keys_app = typer.Typer(
    help="The ES256 keys that sign access tokens (published at /.well-known/jwks.json).", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def rotate() -> None:
    """Make a new signing key; the previous one stays published so tokens it signed verify until they expire.

    Keys older than the previous one are deleted: rotate no more often than
    the access-token lifetime (COUNCIL_TOKEN_TTL), or tokens signed two
    rotations ago stop verifying before they expire. Prints the new key id.
    """
    try:
        kid = keys.rotate()
    except keys.KeyStoreError as exc:
        raise fail(str(exc)) from None
    typer.echo(kid)


@keys_app.command("list")
def list_keys() -> None:
    """Print the key ids published in the JWKS, current first."""
    try:
        published = keys.public_jwks()["keys"]
    except keys.KeyStoreError as exc:
        raise fail(str(exc)) from None
    for n, jwk in enumerate(published):
        console.print(f"{jwk['kid']}  {'current' if n == 0 else 'previous'}", highlight=False)
