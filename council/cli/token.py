"""``council token USERNAME``: issue an access token (an administrator's command).

Whoever can run the CLI against the database can act as any member, so this
is the administrator's way to get a token until the OAuth server exists.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import typer

from council import clock
from council.auth import keys
from council.auth.scopes import ALL_SCOPES, scopes_for_roles
from council.auth.tokens import issue_access_token, verify_access_token
from council.cli.app import app, err_console, fail, run_db
from council.organizations.models import Member
from council.settings import get_settings

MAX_TTL = 86400
MAX_AUTH_AGE = 30 * 86400
"""The most ``--auth-age`` may set ``auth_time`` in the past: 30 days, in seconds."""


@app.command("token")
def token(
    username: str = typer.Argument(..., help="The member the token is for."),
    scope: list[str] = typer.Option(
        [],
        "--scope",
        help="A scope to ask for (repeatable); default: every scope the member's roles allow.",
    ),
    ttl: int | None = typer.Option(None, help=f"Lifetime in seconds, 1..{MAX_TTL} (default COUNCIL_TOKEN_TTL)."),
    auth_age: int = typer.Option(
        0,
        "--auth-age",
        help=f"Seconds ago, 0..{MAX_AUTH_AGE}, that the token says the member entered a password (auth_time); "
        "default 0: now. For testing step-up authentication.",
    ),
) -> None:
    """Print an access token for USERNAME on stdout; its scopes, expiry and auth_time on stderr.

    A requested scope the member's roles do not allow is dropped (the token
    is narrower; DESIGN.md, "Security model"). The token's ``auth_time``
    (RFC 9068 §2.2.1) is now minus ``--auth-age``: the administrator stands
    for the member's password, so a fresh token passes step-up
    authentication (:mod:`council.auth.stepup`) and ``--auth-age 3600`` does
    not. Exit 1 on an unknown scope, an unknown or inactive member, no scope
    left, or a ttl or auth age out of range.
    """
    ttl = get_settings().token_ttl if ttl is None else ttl
    if not 1 <= ttl <= MAX_TTL:
        raise fail(f"--ttl must be from 1 to {MAX_TTL} seconds, not {ttl}")
    if not 0 <= auth_age <= MAX_AUTH_AGE:
        raise fail(f"--auth-age must be from 0 to {MAX_AUTH_AGE} seconds, not {auth_age}")
    unknown = sorted(set(scope) - set(ALL_SCOPES))
    if unknown:
        raise fail(f"unknown scope(s) {', '.join(unknown)}; valid scopes: {', '.join(ALL_SCOPES)}")

    async def find() -> dict[str, Any] | None:
        await keys.load()  # the signing key, from the database
        return await Member.filter(username=username).first().values("id", "is_active", "roles")

    try:
        member = run_db(find)
    except keys.KeyStoreError as exc:
        raise fail(str(exc)) from None
    if member is None:
        raise fail(f"no member with username {username!r}")
    if not member["is_active"]:
        raise fail(f"member {username!r} is inactive")

    allowed = scopes_for_roles(member["roles"] or ())
    requested = set(scope) or set(allowed)
    granted = requested & allowed
    dropped = requested - allowed
    if dropped:
        err_console.print(
            f"dropped {', '.join(sorted(dropped))} (not allowed by the roles of {username}); the token is narrower",
            highlight=False,
            soft_wrap=True,
        )
    if not granted:
        raise fail(f"the roles of {username!r} allow none of the requested scopes")

    access_token = issue_access_token(
        member_id=member["id"],
        username=username,
        scopes=granted,
        ttl=ttl,
        auth_time=clock.epoch_seconds() - auth_age,
    )
    claims = verify_access_token(access_token)
    expires = datetime.fromtimestamp(claims["exp"], UTC)
    authenticated = datetime.fromtimestamp(claims["auth_time"], UTC)
    typer.echo(access_token)
    err_console.print(f"scopes: {' '.join(sorted(granted))}", highlight=False, soft_wrap=True)
    err_console.print(f"expires: {expires.isoformat()} ({ttl} s)", highlight=False, soft_wrap=True)
    err_console.print(f"auth_time: {authenticated.isoformat()} ({auth_age} s ago)", highlight=False, soft_wrap=True)
