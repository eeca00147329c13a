"""``council keys``: the token signing keys (ES256), stored in the database, and their secret."""

from __future__ import annotations

import typer

from council.auth import keys
from council.auth.sealing import new_secret
from council.cli.app import app, console, fail, run_db
from council.events import broadcaster
from council.settings import get_settings

keys_app = typer.Typer(
    help="The ES256 keys that sign access tokens (published at /.well-known/jwks.json).", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def rotate() -> None:
    """Make a new signing key; the previous one stays published so tokens it signed verify until they expire.

    Every node signs with the new key at once when they share Redis
    (COUNCIL_REDIS_URL, through which the rotation is announced), else within
    COUNCIL_KEYS_RELOAD_INTERVAL seconds. Keys older than the previous one are
    deleted: rotate no more often than the access-token lifetime
    (COUNCIL_TOKEN_TTL), or tokens signed two rotations ago stop verifying
    before they expire. Prints the new key id.
    """

    async def body() -> str:
        async with broadcaster.connected(get_settings().redis_url):
            return await keys.rotate()

    try:
        kid = run_db(body)
    except keys.KeyStoreError as exc:
        raise fail(str(exc)) from None
    typer.echo(kid)


@keys_app.command("list")
def list_keys() -> None:
    """Print the stored keys, current first: key id, when it was made (UTC) and current or previous."""
    try:
        stored = run_db(keys.stored_keys)
    except keys.KeyStoreError as exc:
        raise fail(str(exc)) from None
    for key in stored:
        role = "current" if key.current else "previous"
        console.print(f"{key.kid}  {key.created_at.isoformat(timespec='seconds')}  {role}", highlight=False)


@keys_app.command("secret")
def secret() -> None:
    """Print a new random secret for COUNCIL_KEYS_SECRET (a Fernet key); nothing is stored.

    To change the secret: set COUNCIL_KEYS_SECRET=NEW,OLD on every node, run
    `council keys rewrap`, then set COUNCIL_KEYS_SECRET=NEW.
    """
    typer.echo(new_secret())


@keys_app.command("rewrap")
def rewrap() -> None:
    """Re-encrypt the stored private keys and webhook secrets with the first secret of COUNCIL_KEYS_SECRET."""
    from council.webhooks.service import rewrap_secrets

    async def both() -> tuple[int, int]:
        return await keys.rewrap(), await rewrap_secrets()

    try:
        count, secrets = run_db(both)
    except keys.KeyStoreError as exc:
        raise fail(str(exc)) from None
    console.print(f"re-encrypted {count} key(s) and {secrets} webhook secret(s)", highlight=False)
