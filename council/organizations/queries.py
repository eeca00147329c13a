"""Read side of organisations and members: batch queries shared by loaders and services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from council.organizations.models import City, Member, Organization

ORGANIZATION_FIELDS = ("id", "code", "name", "kind")
MEMBER_FIELDS = ("id", "username", "display_name", "organization_id", "roles", "is_active", "language")


async def organizations_by_id(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Organisations by id as plain rows. One SQL statement."""
    ids = list(set(ids))
    if not ids:
        return {}
    return {r["id"]: r for r in await Organization.filter(id__in=ids).values(*ORGANIZATION_FIELDS)}


async def members_by_id(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Members by id as plain rows. One SQL statement."""
    ids = list(set(ids))
    if not ids:
        return {}
    return {r["id"]: r for r in await Member.filter(id__in=ids).values(*MEMBER_FIELDS)}


async def active_members_with_roles(roles: Iterable[str]) -> list[dict[str, Any]]:
    """Active members holding any of ``roles``, by organisation id then display name, as plain rows.

    One SQL statement; the roles (a JSON list per member) are matched here, the members of one city being few.
    """
    wanted = set(roles)
    rows = await Member.filter(is_active=True).order_by("organization_id", "display_name").values(*MEMBER_FIELDS)
    return [r for r in rows if wanted & set(r["roles"] or ())]


async def organizations(kind: str | None = None) -> list[dict[str, Any]]:
    """All organisations (of one kind), by code. One SQL statement."""
    query = Organization.all() if kind is None else Organization.filter(kind=kind)
    return await query.order_by("code").values(*ORGANIZATION_FIELDS)


CITY_FIELDS = ("name", "province", "timezone", "locale")


async def city_row() -> dict[str, Any] | None:
    """The city row (:data:`CITY_FIELDS`), None before any seed. One SQL statement."""
    return await City.filter(id=1).first().values(*CITY_FIELDS)
