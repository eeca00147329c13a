"""Read side of ballots and votes: batch queries the service and the DataLoaders share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from tortoise.expressions import RawSQL
from tortoise.functions import Count

from council.rows import group_rows
from council.voting.models import Ballot, Recusal, Vote

BALLOT_FIELDS = (
    "id",
    "proposal_id",
    "round",
    "opens_at",
    "closes_at",
    "eligible_count",
    "quorum_required",
    "threshold",
    "threshold_of",
    "hide_tally",
    "votes_public",
    "on_no_quorum",
    "window_seconds",
    "extended",
    "closed_at",
    "closed_by_id",
    "closed_by_deadline",
    "result",
    "yes_count",
    "no_count",
    "abstain_count",
    "electorate",
)
"""Columns of a ballot row; ``electorate`` (member ids, or None) decides who may vote (``vote_denial``)."""


def tally_visible(ballot: dict[str, Any]) -> bool:
    """Whether anyone may see the ballot's counts (and, where public, its votes): it does not hide its tally, or
    it is closed. The one rule of the API's ``Ballot.tally`` and of the open data (:mod:`council.opendata`)."""
    return not ballot["hide_tally"] or ballot["closed_at"] is not None


RECUSAL_FIELDS = ("id", "proposal_id", "member_id", "ballot_id", "reason", "at")


async def latest_ballots(proposal_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The ballot of the highest round of each proposal that has one, as a plain row.

    For an open ballot the row's ``yes_count``/``no_count``/``abstain_count``
    are filled from the votes (a second statement); a closed ballot keeps the
    counts stored when it closed. Two SQL statements at most.
    """
    ids = list(set(proposal_ids))
    if not ids:
        return {}
    rows = await Ballot.filter(proposal_id__in=ids).order_by("proposal_id", "round").values(*BALLOT_FIELDS)
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        latest[row["proposal_id"]] = row
    open_ids = [b["id"] for b in latest.values() if b["closed_at"] is None]
    if open_ids:
        counts = await live_tallies(open_ids)
        for b in latest.values():
            if b["id"] in counts:
                b["yes_count"], b["no_count"], b["abstain_count"] = counts[b["id"]]
    return latest


async def live_tallies(ballot_ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
    """(yes, no, abstain) counted from the vote rows of each ballot. One SQL statement."""
    ids = list(set(ballot_ids))
    result: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    if not ids:
        return {}
    rows = (
        await Vote.filter(ballot_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("ballot_id", "choice")
        .values("ballot_id", "choice", "n")
    )
    position = {"yes": 0, "no": 1, "abstain": 2}
    for row in rows:
        result[row["ballot_id"]][position[str(row["choice"])]] = row["n"]
    return {k: (v[0], v[1], v[2]) for k, v in result.items()} | {i: (0, 0, 0) for i in ids if i not in result}


async def votes_of(member_id: int, ballot_ids: Iterable[int]) -> dict[int, str]:
    """The member's choice (``yes``/``no``/``abstain``) on each ballot they voted on. One statement."""
    ids = list(set(ballot_ids))
    if not ids:
        return {}
    rows = await Vote.filter(member_id=member_id, ballot_id__in=ids).values("ballot_id", "choice")
    return {r["ballot_id"]: str(r["choice"]) for r in rows}


async def recusals_for(proposal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Declared conflicts of interest on each proposal, oldest first, as plain rows. One SQL statement."""
    ids = list(set(proposal_ids))
    if not ids:
        return group_rows([])
    return group_rows(
        await Recusal.filter(proposal_id__in=ids).order_by("proposal_id", "at", "id").values(*RECUSAL_FIELDS)
    )


OPEN_BALLOT_FIELDS = ("id", "round", "closed_at", "electorate", "closes_at", "hide_tally", "votes_public")


async def open_ballot_with_vote(proposal_id: int, review_round: int, member_id: int | None) -> dict[str, Any] | None:
    """The proposal's open ballot of ``review_round`` with the member's vote on it, in one SQL statement; or None.

    The row has :data:`OPEN_BALLOT_FIELDS` plus ``my_vote_id`` and ``my_choice``
    (``yes``/``no``/``abstain``, None when the member has not voted).
    """
    member = int(member_id) if member_id is not None else 0  # an int, never client text, in the SQL below
    mine = f'FROM "vote" WHERE "vote"."ballot_id" = "ballot"."id" AND "vote"."member_id" = {member:d}'
    return (
        await Ballot.filter(proposal_id=proposal_id, round=review_round, closed_at__isnull=True)
        .annotate(
            my_vote_id=RawSQL(f'(SELECT "vote"."id" {mine})'),
            my_choice=RawSQL(f'(SELECT "vote"."choice" {mine})'),
        )
        .first()
        .values(*OPEN_BALLOT_FIELDS, "my_vote_id", "my_choice")
    )


async def proposal_of_ballot(ballot_id: int) -> int | None:
    """The id of the proposal a ballot is of, or None when there is no such ballot. One SQL statement."""
    proposal_id = await Ballot.filter(id=ballot_id).first().values_list("proposal_id", flat=True)
    return cast("int | None", proposal_id)  # tortoise types a flat values_list of one row as a tuple


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
