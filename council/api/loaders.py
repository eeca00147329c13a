"""Per-request DataLoaders: every read path batches to one statement per kind of row.

Created in :func:`council.api.context.get_context`, never shared between
requests (a loader caches, and the cache must not outlive the caller's rights).
Loaders return plain rows (dicts), not model instances.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from council.audit.queries import events_for
from council.auth.principal import Principal
from council.implementation.outcomes import kpis_for, measurements_for, spending_for
from council.implementation.queries import milestones_for, progress_for
from council.implementation.rollups import quick_wins_for
from council.masterplans.queries import (
    comments_for,
    plan_of_programmes,
    plan_programmes_by_id,
    plan_programmes_for,
    plans_by_id,
    programmes_of_plans,
    versions_for,
)
from council.organizations.queries import city_row, members_by_id, organizations_by_id
from council.programmes.queries import city_today, phases_for, pillars_for, programmes_by_id
from council.programmes.sessions import attendance_for, outputs_for, sessions_for
from council.proposals.queries import proposal_rows
from council.reviews.queries import assignments_for, reviews_for
from council.uploads.queries import evidence_for_milestones, evidence_for_reports
from council.voting.queries import latest_ballots, recusals_for, votes_of

K = TypeVar("K")
V = TypeVar("V")


def _loader(fetch: Callable[[list[K]], Awaitable[dict[K, V]]], default: Any = None) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        found = await fetch(keys)
        return [found.get(k, default() if callable(default) else default) for k in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """The loaders of one request; ``principal`` decides ``my_vote``."""

    def __init__(self, principal: Principal) -> None:
        self.organization = _loader(organizations_by_id)
        self.member = _loader(members_by_id)
        self.proposal = _loader(proposal_rows)
        self.reviews = _loader(reviews_for, list)
        self.assignments = _loader(assignments_for, list)
        self.ballot = _loader(latest_ballots)
        self.events = _loader(events_for, list)
        self.progress = _loader(progress_for, list)
        self.kpis = _loader(kpis_for, list)
        self.measurements = _loader(measurements_for, list)
        self.spending = _loader(spending_for, list)
        self.rollup = _loader(quick_wins_for, list)
        self.milestones = _loader(milestones_for, list)
        self.milestone_evidence = _loader(evidence_for_milestones, list)
        self.report_evidence = _loader(evidence_for_reports, list)
        self.recusals = _loader(recusals_for, list)
        self.programme = _loader(programmes_by_id)
        self.phases = _loader(phases_for, list)
        self.pillars = _loader(pillars_for, list)
        self.sessions = _loader(sessions_for, list)
        self.session_attendance = _loader(attendance_for, list)
        self.session_outputs = _loader(outputs_for, list)
        self.master_plan = _loader(plans_by_id)
        self.plan_of_programme = _loader(plan_of_programmes)
        self.plan_coverage = _loader(programmes_of_plans, list)
        self.plan_versions = _loader(versions_for, list)
        self.plan_comments = _loader(comments_for, list)
        self.plan_programmes = _loader(plan_programmes_for, list)
        self.plan_programme = _loader(plan_programmes_by_id)
        self._today: date | None = None
        self._city: tuple[dict[str, Any] | None] | None = None
        member_id = principal.member_id

        async def my_votes(ballot_ids: Iterable[int]) -> dict[int, str]:
            return await votes_of(member_id, ballot_ids) if member_id is not None else {}

        self.my_vote = _loader(my_votes)

    async def today(self) -> date:
        """Today's date in the city's time zone (:func:`council.programmes.queries.city_today`), once per request."""
        if self._today is None:
            self._today = await city_today()
        return self._today

    async def city(self) -> dict[str, Any] | None:
        """The city row (:func:`council.organizations.queries.city_row`), once per request."""
        if self._city is None:
            self._city = (await city_row(),)
        return self._city[0]
