"""Read side of proposals: rows, the locked row of a write, and who may read one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tortoise.expressions import Q

from council.auth.policy import can_read_proposal, proposal_visibility
from council.auth.principal import Principal
from council.errors import invalid, not_found
from council.proposals.models import Proposal

SEARCH_MAX = 200
"""Characters of ``search`` at most (:func:`proposal_page`): a longer text is INVALID_INPUT, never a LIKE pattern."""

PROPOSAL_FIELDS = (
    "id",
    "title",
    "summary",
    "programme_id",
    "pillar",
    "plan_programme_id",
    "budget",
    "budget_approved",
    "organization_id",
    "author_id",
    "state",
    "workflow_name",
    "workflow_version",
    "version",
    "review_round",
    "published_at",
    "created_at",
    "updated_at",
)


async def proposal_rows(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Proposals by id as plain rows (:data:`PROPOSAL_FIELDS`). One SQL statement."""
    ids = list(set(ids))
    if not ids:
        return {}
    rows = await Proposal.filter(id__in=ids).values(*PROPOSAL_FIELDS)
    return {r["id"]: r for r in rows}


async def locked_row(proposal_id: int, *, skip_locked: bool = False) -> dict[str, Any] | None:
    """Lock the proposal's row until the caller's transaction ends and read it, in one statement; None if absent.

    ``skip_locked``: None at once when another transaction holds the row
    (PostgreSQL's ``SKIP LOCKED``; the scheduler leaves a busy proposal for its next tick).

    ``SELECT ... FOR UPDATE`` through a model query (tortoise-orm drops ``FOR
    UPDATE`` from ``.values()`` queries), returned as a plain row of
    :data:`PROPOSAL_FIELDS`. Under READ COMMITTED the row read is the latest
    commit. SQLite ignores ``FOR UPDATE``: its write transactions are
    serialised anyway.
    """
    proposal = await Proposal.select_for_update(skip_locked=skip_locked).filter(id=proposal_id).first()
    if proposal is None:
        return None
    return {name: getattr(proposal, name) for name in PROPOSAL_FIELDS}


def readable(actor: Principal, row: dict[str, Any] | None) -> dict[str, Any]:
    """``row`` when ``actor`` may read it (:func:`council.auth.policy.can_read_proposal`).

    Raises:
        DomainError: NOT_FOUND (field ``proposalId``) when None or not readable; existence is not revealed.
    """
    if row is None or not _readable(actor, row):
        raise not_found("proposal", "proposalId")
    return row


async def readable_row(actor: Principal, proposal_id: int) -> dict[str, Any]:
    """The proposal row (:data:`PROPOSAL_FIELDS`) if ``actor`` may read it. One SQL statement.

    Raises:
        DomainError: NOT_FOUND as :func:`readable`.
    """
    return readable(actor, await Proposal.filter(id=proposal_id).first().values(*PROPOSAL_FIELDS))


def _readable(actor: Principal, row: dict[str, Any]) -> bool:
    return can_read_proposal(
        actor,
        organization_id=row["organization_id"],
        review_round=row["review_round"],
        published=row["published_at"] is not None,
    )


async def readable_ids(actor: Principal, ids: Iterable[int]) -> list[int]:
    """Those of ``ids`` that exist and ``actor`` may read, ascending. One SQL statement (none for no ids)."""
    ids = list(set(ids))
    if not ids:
        return []
    rows = await Proposal.filter(id__in=ids).values("id", "organization_id", "review_round", "published_at")
    return sorted(r["id"] for r in rows if _readable(actor, r))


async def proposal_page(
    actor: Principal,
    *,
    pillar: str | None = None,
    state: str | None = None,
    organization_id: int | None = None,
    search: str | None = None,
    after_id: int | None = None,
    limit: int,
) -> tuple[list[dict[str, Any]], int, bool]:
    """One page of the proposals ``actor`` may read, newest first: (rows, total, has_next).

    Readable by :func:`council.auth.policy.proposal_visibility`; narrowed by
    every condition given (``pillar``: a pillar code; ``search``: case-insensitive text in the title or
    summary; empty strings count as not given). ``total`` counts every match,
    ignoring ``after_id`` and ``limit``; ``rows`` (:data:`PROPOSAL_FIELDS`)
    are at most ``limit`` matches with ``id < after_id``; ``has_next`` says
    whether more follow. Two SQL statements.

    Raises:
        DomainError: INVALID_INPUT on ``filter.search`` when ``search`` is longer than
            :data:`SEARCH_MAX` characters (SQLite refuses long LIKE patterns, and
            nobody searches for a paragraph).
    """
    if search and len(search) > SEARCH_MAX:
        raise invalid("too_long", "filter.search", max=SEARCH_MAX)
    query = Proposal.filter(proposal_visibility(actor))
    if pillar:
        query = query.filter(pillar=pillar)
    if state:
        query = query.filter(state=state)
    if organization_id is not None:
        query = query.filter(organization_id=organization_id)
    if search:
        query = query.filter(Q(title__icontains=search) | Q(summary__icontains=search))
    total = await query.count()
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(limit + 1).values(*PROPOSAL_FIELDS)
    return rows[:limit], total, len(rows) > limit
