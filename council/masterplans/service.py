"""The master plan's writes: versions, comments, finalisation (the write recipe), links, and the seed's writes.

Every write on a plan is one unit of work (:mod:`council.unit_of_work`) that
locks the plan row first (``SELECT ... FOR UPDATE``), so a version or comment
racing the finalisation either lands before it or is refused after it. Who may
act is the rule table :data:`council.auth.policy.OPERATIONS`
(``addMasterPlanVersion``, ``commentOnMasterPlan``, ``finalizeMasterPlan``).
A finalised plan is read-only: every write is refused with
``INVALID_TRANSITION`` (``master_plan_finalized``), the code of "not in a state
that allows this". Versions and the finalisation are events of the plan's
chain (kind ``master_plan``) holding the SHA-256 of the version's text, so
``council audit verify`` covers them; comments are rows only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from council.audit.chains import master_plan_chain
from council.auth.policy import OPERATIONS, authorize
from council.auth.principal import SYSTEM, Principal
from council.errors import DomainError, ErrorCode, invalid, not_found
from council.masterplans import queries, rules
from council.masterplans.models import MasterPlan, MasterPlanComment, MasterPlanLink, MasterPlanVersion, PlanProgramme
from council.unit_of_work import UnitOfWork, unit_of_work


@asynccontextmanager
async def plan_work(actor: Principal, plan_id: int, operation: str) -> AsyncIterator[tuple[UnitOfWork, MasterPlan]]:
    """The write recipe on plan ``plan_id``: authorize ``operation``, lock the plan, refuse a finalised one.

    Raises:
        DomainError: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (``masterPlanId``),
            INVALID_TRANSITION (finalised); all roll back.
    """
    authorize(actor, OPERATIONS[operation])
    async with unit_of_work(actor, master_plan_chain(plan_id)) as work:
        plan = await MasterPlan.select_for_update().filter(id=plan_id).first()
        if plan is None:
            raise not_found("master plan", "masterPlanId")
        if plan.finalized_at is not None:
            raise DomainError(ErrorCode.INVALID_TRANSITION, "master_plan_finalized")
        yield work, plan


async def _append_version(work: UnitOfWork, plan_id: int, text: str, author_id: int | None) -> int:
    last = await MasterPlanVersion.filter(plan_id=plan_id).order_by("-number").first().values("number")
    number = (last["number"] if last else 0) + 1
    version = await MasterPlanVersion.create(
        plan_id=plan_id, number=number, text=text, author_id=author_id, created_at=work.now
    )
    await work.record("version_added", data={"number": number, "text_sha256": rules.text_hash(text)})
    work.announce("version_added", number=number)
    return int(version.id)


async def add_version(actor: Principal, plan_id: int, text: str | None) -> int:
    """Add the next version (number = last + 1) of the plan's Markdown, by ``actor``; its id.

    Raises:
        DomainError: UNAUTHENTICATED, FORBIDDEN (technical team or admin
            only), NOT_FOUND, INVALID_TRANSITION (finalised), INVALID_INPUT (``text``).
    """
    async with plan_work(actor, plan_id, "addMasterPlanVersion") as (work, _):
        return await _append_version(work, plan_id, rules.clean_version_text(text), actor.member_id)


async def comment(actor: Principal, version_id: int, text: str | None) -> tuple[int, int]:
    """Comment on version ``version_id`` (any version of a plan not yet finalised); (plan id, comment id).

    Raises:
        DomainError: UNAUTHENTICATED, FORBIDDEN (council members and chair,
            technical team, university reviewers), NOT_FOUND (``versionId``),
            INVALID_TRANSITION (finalised), INVALID_INPUT (``text``).
    """
    authorize(actor, OPERATIONS["commentOnMasterPlan"])
    plan_id = await queries.version_plan(version_id)
    if plan_id is None:
        raise not_found("master plan version", "versionId")
    async with plan_work(actor, plan_id, "commentOnMasterPlan") as (work, _):
        row = await MasterPlanComment.create(
            version_id=version_id, author_id=actor.member_id, text=rules.clean_comment(text), created_at=work.now
        )
        work.announce("commented", version_id=version_id)
        return plan_id, int(row.id)


async def finalize(actor: Principal, plan_id: int) -> None:
    """Finalise the plan as it is (its latest version) at now (UTC); from then on it is read-only.

    The chain's ``finalized`` event holds the version number and its text's SHA-256.

    Raises:
        DomainError: UNAUTHENTICATED, FORBIDDEN (the council chair only),
            NOT_FOUND, INVALID_TRANSITION (already finalised), INVALID_INPUT
            (``master_plan_empty``: no version yet).
    """
    async with plan_work(actor, plan_id, "finalizeMasterPlan") as (work, plan):
        await _finalize(work, plan, actor.member_id)


async def _finalize(work: UnitOfWork, plan: MasterPlan, member_id: int | None) -> None:
    last = await MasterPlanVersion.filter(plan_id=plan.id).order_by("-number").first().values("number", "text")
    if last is None:
        raise invalid("master_plan_empty", "masterPlanId")
    await MasterPlan.filter(id=plan.id).update(finalized_at=work.now, finalized_by_id=member_id)
    await work.record("finalized", data={"number": last["number"], "text_sha256": rules.text_hash(last["text"])})
    work.announce("finalized")


async def clean_plan_programme(
    programme_id: int, pillar: str, plan_programme_id: int | None, field: str = "planProgrammeId"
) -> int | None:
    """Check a proposal's link: ``plan_programme_id`` (None: no link) of the plan of its programme, same pillar.

    A plan programme belongs to the master plan covering the proposal's
    programme, and its pillar is the proposal's pillar (a proposal changing
    pillar keeps a matching link or gets refused).

    Raises:
        DomainError: NOT_FOUND (no such plan programme); INVALID_INPUT
            (``plan_programme_other_programme``, ``plan_programme_pillar``).
    """
    if plan_programme_id is None:
        return None
    row = await PlanProgramme.filter(id=plan_programme_id).first().values("plan_id", "pillar")
    if row is None:
        raise not_found("plan programme", field)
    if not await MasterPlanLink.exists(plan_id=row["plan_id"], programme_id=programme_id):
        raise invalid("plan_programme_other_programme", field)
    if row["pillar"] != pillar:
        raise invalid("plan_programme_pillar", field, pillar=row["pillar"], proposal_pillar=pillar)
    return plan_programme_id


@dataclass(frozen=True)
class VersionSpec:
    """A version the seed writes: Markdown ``text`` and its author (a member id, or None)."""

    text: str
    author_id: int | None


@dataclass(frozen=True)
class PlanProgrammeSpec:
    """An acceleration programme the seed writes: ``code``, ``title`` and a ``pillar`` code."""

    code: str
    title: str
    pillar: str


async def ensure_master_plan(
    programme_id: int,
    *,
    title: str,
    versions: list[VersionSpec],
    programmes: list[PlanProgrammeSpec],
    finalized_at: datetime | None = None,
    finalized_by: int | None = None,
) -> tuple[int, bool]:
    """The programme's plan, created when absent with its versions and programmes; (plan id, created).

    A present plan keeps its versions; plan programmes it lacks (by code) are
    added. Versions and the finalisation are recorded by ``system`` in the
    plan's chain, dated ``finalized_at`` (UTC) when given, else now. Runs
    inside the seed's transaction (a savepoint here). The caller checks the
    input (:mod:`council.seeds.schema`).
    """
    present = await MasterPlanLink.filter(programme_id=programme_id).first().values("plan_id")
    created = present is None
    if present is None:
        plan = await MasterPlan.create(title=title)
        await MasterPlanLink.create(plan_id=plan.id, programme_id=programme_id)
        async with unit_of_work(SYSTEM, master_plan_chain(plan.id)) as work:
            if finalized_at is not None:
                work.now = finalized_at  # history as it happened: the versions and the finalisation that day
            for version in versions:
                await _append_version(work, plan.id, version.text, version.author_id)
            if finalized_at is not None and versions:
                await _finalize(work, plan, finalized_by)
            work.announcements.clear()
        plan_id = int(plan.id)
    else:
        plan_id = int(present["plan_id"])
    known = {str(c) for c in await PlanProgramme.filter(plan_id=plan_id).values_list("code", flat=True)}
    position = await PlanProgramme.filter(plan_id=plan_id).count()
    for spec in programmes:
        if spec.code not in known:
            await PlanProgramme.create(
                plan_id=plan_id, code=spec.code, title=spec.title, pillar=spec.pillar, position=position
            )
            position += 1
    return plan_id, created
