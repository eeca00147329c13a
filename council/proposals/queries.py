"""Read side of proposals: rows, filters and the facts guards look at."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from council import clock
from council.auth.policy import can_read_proposal, proposal_visibility
from council.auth.principal import Principal
from council.enums import Pillar
from council.errors import not_found
from council.implementation.queries import progress_for
from council.proposals.models import Proposal
from council.reviews.queries import reviews_for
from council.voting.queries import latest_ballots
from council.workflow.guards import BallotFact, ProposalFacts, ReviewFact

PROPOSAL_FIELDS = (
    "id", "title", "summary", "pillar", "budget", "organization_id", "author_id", "state",
    "workflow_name", "workflow_version", "version", "review_round", "published_at",
    "created_at", "updated_at",
)


def ballot_expired(ballot: dict[str, Any], now: datetime) -> bool:
    """Whether an open ballot's last deadline has passed at ``now`` (UTC).

    The last deadline is ``closes_at`` when the stored rule says
    ``on_no_quorum: reject`` or the ballot was already extended; with
    ``extend`` still to come the deadline extends it instead (the scheduler).
    """
    closes_at = ballot["closes_at"]
    if closes_at is None or now < closes_at:
        return False
    return ballot["on_no_quorum"] != "extend" or bool(ballot["extended"])


def build_facts(
    proposal: dict[str, Any],
    reviews: list[dict[str, Any]],
    ballot: dict[str, Any] | None,
    progress: list[dict[str, Any]],
    now: datetime | None = None,
) -> ProposalFacts:
    """Assemble the guard snapshot of one proposal from rows the queries return, at ``now`` (default: the clock).

    Only reviews of the current review round count; only an open ballot of
    the current round counts; progress is the latest report's percent.
    """
    current = proposal["review_round"]
    ballot_fact = None
    if ballot is not None and ballot["closed_at"] is None and ballot["round"] == current:
        ballot_fact = BallotFact(
            eligible=ballot["eligible_count"],
            quorum_required=ballot["quorum_required"],
            threshold=ballot["threshold"],
            yes=ballot["yes_count"],
            no=ballot["no_count"],
            abstain=ballot["abstain_count"],
            threshold_of=ballot["threshold_of"],
            expired=ballot_expired(ballot, now or clock.now()),
        )
    return ProposalFacts(
        proposal_id=proposal["id"],
        state=proposal["state"],
        organization_id=proposal["organization_id"],
        reviews=tuple(
            ReviewFact(r["reviewer_id"], r["from_university"], str(r["recommendation"]))
            for r in reviews
            if r["round"] == current
        ),
        ballot=ballot_fact,
        progress=progress[-1]["percent"] if progress else None,
    )


async def proposal_rows(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Proposals by id as plain rows (:data:`PROPOSAL_FIELDS`). One SQL statement."""
    ids = list(set(ids))
    if not ids:
        return {}
    rows = await Proposal.filter(id__in=ids).values(*PROPOSAL_FIELDS)
    return {r["id"]: r for r in rows}


async def proposal_page(
    actor: Principal, *, pillar: Pillar | None = None, state: str | None = None,
    organization_id: int | None = None, search: str | None = None, after_id: int | None = None, limit: int,
) -> tuple[list[dict[str, Any]], int, bool]:
    """One page of the proposals ``actor`` may read, newest first: (rows, total, has_next).

    Readable by :func:`council.auth.policy.proposal_visibility`; narrowed by
    every condition given (``search``: case-insensitive text in the title or
    summary; empty strings count as not given). ``total`` counts every match,
    ignoring ``after_id`` and ``limit``; ``rows`` (:data:`PROPOSAL_FIELDS`)
    are at most ``limit`` matches with ``id < after_id``; ``has_next`` says
    whether more follow. Two SQL statements.
    """
    query = Proposal.filter(proposal_visibility(actor))
    if pillar is not None:
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


def _readable(actor: Principal, row: dict[str, Any]) -> bool:
    return can_read_proposal(
        actor, organization_id=row["organization_id"], review_round=row["review_round"],
        published=row["published_at"] is not None,
    )


async def readable_row(actor: Principal, proposal_id: int) -> dict[str, Any]:
    """The proposal row (:data:`PROPOSAL_FIELDS`) if ``actor`` may read it. One SQL statement.

    Raises:
        DomainError: NOT_FOUND on field ``proposalId`` when it does not exist
            or may not be read (existence is not revealed).
    """
    row = await Proposal.filter(id=proposal_id).first().values(*PROPOSAL_FIELDS)
    if row is None or not _readable(actor, row):
        raise not_found("proposal", "proposalId")
    return row


async def readable_ids(actor: Principal, ids: Iterable[int]) -> list[int]:
    """Those of ``ids`` that exist and ``actor`` may read, ascending. One SQL statement (none for no ids)."""
    ids = list(set(ids))
    if not ids:
        return []
    rows = await Proposal.filter(id__in=ids).values("id", "organization_id", "review_round", "published_at")
    return sorted(r["id"] for r in rows if _readable(actor, r))


async def lock(proposal_id: int) -> None:
    """Lock the proposal's row until the caller's transaction ends (``SELECT ... FOR UPDATE``).

    A model query, because tortoise-orm drops ``FOR UPDATE`` from ``.values()``
    queries; read the row after this call (under READ COMMITTED that read sees
    the latest commit). A no-op on SQLite, whose write transactions are
    serialised anyway.
    """
    await Proposal.select_for_update().filter(id=proposal_id).only("id").first()


async def load_facts(proposal: dict[str, Any], now: datetime | None = None) -> ProposalFacts:
    """The guard snapshot of one proposal row, read now, at ``now`` (four SQL statements at most)."""
    pid = proposal["id"]
    reviews = await reviews_for([pid])
    ballots = await latest_ballots([pid])
    progress = await progress_for([pid])
    return build_facts(proposal, reviews.get(pid, []), ballots.get(pid), progress.get(pid, []), now)
