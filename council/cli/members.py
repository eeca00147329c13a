"""``council members create``, ``set-password``, ``revoke-consent`` and ``email`` (an administrator's commands)."""

from __future__ import annotations

import sys
from typing import cast

import typer
from rich.markup import escape

from council.cli.app import app, console, fail, run_db
from council.organizations.rules import USERNAME_RULE

members_app = typer.Typer(help="Members: people who sign in.", no_args_is_help=True)
app.add_typer(members_app, name="members")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@members_app.command("create")
def create(
    username: str = typer.Argument(..., help=USERNAME_RULE),
    name: str = typer.Option(..., "--name", help="The display name."),
    organization: str = typer.Option(..., "--organization", help="Code of the member's organisation."),
    role: list[str] = typer.Option(..., "--role", help="A role (repeatable), e.g. council_member."),
    with_password: bool = typer.Option(False, "--password", help="Prompt for a password now."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin's first line."),
) -> None:
    """Add a member; exit 1, saying why, on a bad or taken username, organisation, role or password."""
    from council.organizations.service import MemberError, create_member

    password = _read_password(password_stdin) if (with_password or password_stdin) else None

    async def body() -> int:
        return await create_member(username, name=name, organization=organization, roles=role, password=password)

    try:
        member_id = run_db(body)
    except MemberError as exc:
        raise fail(escape(str(exc))) from None
    console.print(f"created member {username} (id {member_id})", highlight=False)


@members_app.command("set-password")
def set_password(
    username: str = typer.Argument(..., help="The member."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin's first line."),
) -> None:
    """Set a member's password (argon2id); prompts twice unless --password-stdin."""
    from council.organizations.service import MemberError
    from council.organizations.service import set_password as set_it

    password = _read_password(password_stdin)

    async def body() -> None:
        await set_it(username, password)

    try:
        run_db(body)
    except MemberError as exc:
        raise fail(escape(str(exc))) from None
    console.print(f"password set for {username}", highlight=False)


@members_app.command("revoke-consent")
def revoke_consent(
    username: str = typer.Argument(..., help="The member."),
    client: str = typer.Option(None, "--client", help="Only this client id (default: every client)."),
) -> None:
    """Withdraw a member's remembered consent to OAuth clients and revoke what those clients hold.

    The next sign-in through such a client shows the consent page again;
    the member's refresh tokens from it (and the access tokens issued with
    them) are revoked. Prints the clients concerned; exit 1 on an unknown
    member or client.
    """
    from council.oauth2 import queries
    from council.oauth2.models import OAuthClient
    from council.organizations.models import Member

    async def body() -> tuple[list[str], int] | str:
        # tortoise types a flat values_list of one row as a tuple
        member_id = cast("int | None", await Member.filter(username=username).first().values_list("id", flat=True))
        if member_id is None:
            return f"no member with username {username!r}"
        client_pk: int | None = None
        if client is not None:
            client_pk = cast(
                "int | None", await OAuthClient.filter(client_id=client).first().values_list("id", flat=True)
            )
            if client_pk is None:
                return f"no client with id {client!r}"
        return await queries.revoke_consents(member_id, client_pk)

    done = run_db(body)
    if isinstance(done, str):
        raise fail(escape(done))
    clients, grants = done
    withdrawn = ", ".join(clients) if clients else "none remembered"
    console.print(f"consent of {username} withdrawn: {withdrawn}; {grants} grant(s) revoked", highlight=False)


@members_app.command("email")
def email(
    username: str = typer.Argument(..., help="The member."),
    address: str = typer.Argument(..., help='The e-mail address notifications go to ("" removes it).'),
) -> None:
    """Set (or remove) the e-mail address a member's notifications go to; exit 1 on a bad address or member."""
    from council.notifications.preferences import EmailError, set_email

    async def body() -> str | None:
        return await set_email(username, address)

    try:
        stored = run_db(body)
    except EmailError as exc:
        raise fail(escape(str(exc))) from None
    console.print(f"e-mail of {username}: {stored or 'none'}", highlight=False)
