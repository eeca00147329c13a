"""Managing organisations and members: ``council members create``, ``council members set-password``, the seed loader.

Whoever runs the CLI against the database is an administrator, as for
``council token``. Passwords are hashed with argon2id
(:mod:`council.auth.passwords`) in a worker thread.
"""

from __future__ import annotations

import anyio.to_thread

from council.auth.passwords import WeakPassword, hash_password
from council.enums import OrganizationKind, Role
from council.organizations.models import City, Member, Organization
from council.organizations.rules import (
    SERVICE_PREFIX,
    CodeError,
    UsernameError,
    clean_code,
    clean_display_name,
    clean_username,
)


class MemberError(ValueError):
    """A member command is refused; ``str(exc)`` says why."""


class OrganizationError(ValueError):
    """An organisation cannot be created; ``str(exc)`` says why."""


async def create_organization(code: str, *, name: str, kind: OrganizationKind | str) -> int:
    """Add an organisation; return its id.

    Args:
        code: its key, by :func:`council.organizations.rules.clean_code` (1 to 64
            of ``a-z 0-9 . _ -``, starting with a letter or digit).
        name: display name, stripped, 1 to 255 characters.
        kind: an :class:`council.enums.OrganizationKind` or its value.

    Raises:
        OrganizationError: a bad or taken code, a blank or long name, an unknown kind.
    """
    try:
        clean_code(code)
    except CodeError as exc:
        raise OrganizationError(str(exc)) from None
    try:
        name = clean_display_name(name)
    except ValueError as exc:
        raise OrganizationError(f"the name {exc}") from None
    try:
        kind = OrganizationKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in OrganizationKind)
        raise OrganizationError(f"unknown organisation kind {kind!r} (one of {known})") from None
    if await Organization.exists(code=code):
        raise OrganizationError(f"an organisation with code {code!r} exists already")
    org = await Organization.create(code=code, name=name, kind=kind)
    return int(org.id)


async def ensure_city(*, name: str, timezone: str, locale: str, province: str | None = None) -> str | None:
    """Store the city (one row) unless one is stored already; None, or a note saying how the stored one differs.

    ``timezone`` is an IANA zone and ``locale`` a BCP 47 tag, as checked by the
    seed file's schema (:class:`council.seeds.schema.CityEntry`). Like every
    row of a seed, a city already present is left unchanged.
    """
    present = await City.filter(id=1).first()
    if present is None:
        await City.create(id=1, name=name, timezone=timezone, locale=locale, province=province)
        return None
    if (present.name, present.timezone, present.locale) != (name, timezone, locale):
        return f"present as {present.name!r} ({present.timezone}, {present.locale}); left unchanged"
    return None


async def stored_city() -> tuple[str, str] | None:
    """The stored city's IANA time zone and BCP 47 locale (``Asia/Jakarta``, ``id-ID``); None before any seed."""
    row = await City.filter(id=1).first().values("timezone", "locale")
    return None if row is None else (str(row["timezone"]), str(row["locale"]))


async def create_member(
    username: str, *, name: str, organization: str, roles: list[str], password: str | None = None
) -> int:
    """Add a member to the organisation with code ``organization``; return the member id.

    Args:
        username: by :func:`council.organizations.rules.clean_username` (2 to 64
            of ``a-z 0-9 . _ -``, starting with a letter or digit, not with ``client.``).
        roles: :class:`council.enums.Role` values, at least one.
        password: set at once when given (else the member cannot sign in yet).

    Raises:
        MemberError: a bad or taken username, a blank name, an unknown
            organisation or role, no role, or a weak password.
    """
    try:
        clean_username(username)
    except UsernameError as exc:
        raise MemberError(str(exc)) from None
    name = name.strip()
    if not name or len(name) > 255:
        raise MemberError("the display name must be 1 to 255 characters")
    org = await Organization.filter(code=organization).first()
    if org is None:
        raise MemberError(f"no organisation with code {organization!r}")
    valid = [r.value for r in Role]
    unknown = sorted(set(roles) - set(valid))
    if unknown or not roles:
        raise MemberError(f"roles must be one or more of {', '.join(valid)}; unknown: {', '.join(unknown) or '-'}")
    if await Member.exists(username=username):
        raise MemberError(f"a member with username {username!r} exists already")
    password_hash = await _hash(password) if password is not None else ""
    member = await Member.create(
        username=username,
        display_name=name,
        organization=org,
        roles=list(dict.fromkeys(roles)),
        password_hash=password_hash,
    )
    return member.id


async def set_password(username: str, password: str) -> None:
    """Set (or replace) the password of the member ``username``.

    Raises:
        MemberError: no such member, a machine client's service member, or a weak password.
    """
    if username.startswith(SERVICE_PREFIX):
        raise MemberError(f"{username!r} is a machine client's service member and never signs in")
    if not await Member.exists(username=username):
        raise MemberError(f"no member with username {username!r}")
    await Member.filter(username=username).update(password_hash=await _hash(password))


async def _hash(password: str) -> str:
    try:
        return await anyio.to_thread.run_sync(hash_password, password)
    except WeakPassword as exc:
        raise MemberError(str(exc)) from None
