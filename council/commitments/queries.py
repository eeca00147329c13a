"""Read side of commitments: plain rows of commitments and their signatories, the lock, the derived status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from council.commitments.models import Commitment, CommitmentSignatory
from council.enums import CommitmentStatus, Role
from council.organizations.models import Member
from council.rows import group_rows

COMMITMENT_FIELDS = ("id", "programme_id", "title", "text", "text_hash", "created_at")
SIGNATORY_FIELDS = ("id", "commitment_id", "member_id", "organization_id", "role", "position", "signed_at")


async def commitment(commitment_id: int) -> dict[str, Any] | None:
    """One commitment as a plain row (:data:`COMMITMENT_FIELDS`), or None. One SQL statement."""
    return await Commitment.filter(id=commitment_id).first().values(*COMMITMENT_FIELDS)


async def latest_of_programme(programme_id: int) -> dict[str, Any] | None:
    """The programme's newest commitment (highest id) as a plain row, or None when it has none. One SQL statement."""
    return await Commitment.filter(programme_id=programme_id).order_by("-id").first().values(*COMMITMENT_FIELDS)


async def signatories_for(commitment_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The required signatories of each commitment, in list order, as plain rows keyed by commitment id.

    Keys absent from the result read as ``[]`` (:func:`council.rows.group_rows`). One SQL statement.
    """
    ids = sorted(set(commitment_ids))
    if not ids:
        return group_rows([], "commitment_id")
    rows = (
        await CommitmentSignatory.filter(commitment_id__in=ids)
        .order_by("commitment_id", "position", "id")
        .values(*SIGNATORY_FIELDS)
    )
    return group_rows(rows, "commitment_id")


async def locked_row(commitment_id: int) -> dict[str, Any] | None:
    """Lock the commitment's row until the caller's transaction ends and read it, in one statement; None if absent.

    ``SELECT ... FOR UPDATE`` through a model query (as
    :func:`council.proposals.queries.locked_row`); SQLite ignores ``FOR
    UPDATE`` and serialises its write transactions anyway.
    """
    row = await Commitment.select_for_update().filter(id=commitment_id).first()
    if row is None:
        return None
    return {name: getattr(row, name) for name in COMMITMENT_FIELDS}


def status_of(signatories: list[dict[str, Any]]) -> CommitmentStatus:
    """``complete`` when every required signatory has signed (and there is at least one), else ``open``."""
    if signatories and all(s["signed_at"] is not None for s in signatories):
        return CommitmentStatus.COMPLETE
    return CommitmentStatus.OPEN


async def default_signatories() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The default required signatories: (the active ``opd_head`` members, the active ``council_chair`` members).

    One deployment serves one city, so these are the city's OPD heads and its
    council chair (the mayor). A member holding both roles countersigns only.
    Rows ``{id, organization_id, username}``, by username. One SQL statement.
    """
    members = (
        await Member.filter(is_active=True).order_by("username").values("id", "organization_id", "username", "roles")
    )
    chairs = [m for m in members if Role.COUNCIL_CHAIR.value in m["roles"]]
    heads = [m for m in members if Role.OPD_HEAD.value in m["roles"] and m not in chairs]
    return heads, chairs
