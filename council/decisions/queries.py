"""Read side of decisions: the facts a workflow's guards look at, assembled from the rooms' rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from council import clock
from council.implementation.queries import progress_percent_for
from council.reviews.queries import done_review_ids, reviews_for
from council.voting.queries import ballot_expired, latest_ballots
from council.workflow.guards import BallotFact, ProposalFacts, ReviewFact
from council.workflow.registry import get_registry


def build_facts(
    proposal: dict[str, Any],
    reviews: list[dict[str, Any]],
    ballot: dict[str, Any] | None,
    progress: int | None,
    now: datetime | None = None,
    assigned_reviews: frozenset[int] | None = None,
) -> ProposalFacts:
    """Assemble the guard snapshot of one proposal from rows the queries return, at ``now`` (default: the clock).

    Only reviews of the current review round count; only an open ballot of
    the current round counts; ``progress`` is the proposal's progress roll-up,
    :func:`council.implementation.queries.progress_of` (its milestones', else
    its latest report's percent), the same number ``Proposal.progressPercent`` shows.
    ``assigned_reviews``: when given (the state says ``review: {assigned_only: true}``),
    only the reviews with these ids count (those that completed an assignment).
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
            if r["round"] == current and (assigned_reviews is None or r["id"] in assigned_reviews)
        ),
        ballot=ballot_fact,
        progress=progress,
        plan_programme_id=proposal.get("plan_programme_id"),
    )


async def load_facts(proposal: dict[str, Any], now: datetime | None = None) -> ProposalFacts:
    """The guard snapshot of one proposal row, read now, at ``now``.

    Five SQL statements at most, six under ``review: {assigned_only: true}`` (the done assignments).
    """
    pid = proposal["id"]
    reviews = await reviews_for([pid])
    ballots = await latest_ballots([pid])
    progress = await progress_percent_for([pid])
    assigned = None
    if assigned_only(proposal):
        assigned = await done_review_ids(pid, proposal["review_round"])
    return build_facts(proposal, reviews.get(pid, []), ballots.get(pid), progress[pid], now, assigned)


def assigned_only(proposal: dict[str, Any]) -> bool:
    """Whether the state the proposal is in, on its workflow version, says ``review: {assigned_only: true}``."""
    state = get_registry().engine_for(proposal).definition.states.get(proposal["state"])
    return state is not None and state.review is not None and state.review.assigned_only
