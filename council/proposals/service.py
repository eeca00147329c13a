"""Proposals: create and edit them (moving them through the workflow: :mod:`council.decisions.service`).

Every function takes the acting :class:`Principal` first and checks the
rights itself, so the CLI is as safe as the API. A write on an existing
proposal is the write recipe (:func:`council.proposals.unit.proposal_work`):
one transaction, the row locked once, all or nothing, events after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError

from council.audit.chains import proposal_chain
from council.auth.policy import OPERATIONS, authorize
from council.auth.principal import SYSTEM, Principal
from council.enums import OrganizationKind, Role
from council.errors import forbidden, invalid
from council.organizations.models import Member, Organization
from council.programmes import service as programmes
from council.proposals import rules
from council.proposals.models import Proposal
from council.proposals.unit import proposal_work
from council.unit_of_work import unit_of_work
from council.workflow.registry import get_registry


async def create_proposal(
    actor: Principal, *, title: str, summary: str, pillar: object, budget: object, programme_id: int | None = None
) -> int:
    """Create a draft owned by the actor's organisation; return its id.

    ``budget`` is whole rupiah (int or digit string). The proposal joins the
    programme ``programme_id`` (default: the current programme,
    :func:`council.programmes.queries.current_programme_id`) and ``pillar`` is
    one of that programme's pillar codes. It starts in the default workflow's
    initial state, at that workflow's latest version.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN (needs ``proposals:write`` and
            an OPD role in an OPD); NOT_FOUND (``programmeId``); INVALID_INPUT
            (title, summary, pillar not of the programme, budget, no programme
            at all, or a title the organisation already uses).
    """
    authorize(actor, OPERATIONS["createProposal"])
    draft = await _Draft.clean(title, summary, pillar, budget, programme_id)
    org_kind = await Organization.filter(id=actor.organization_id).first().values_list("kind", flat=True)
    if org_kind is None or str(org_kind) != OrganizationKind.OPD:
        raise forbidden("missing_role", roles="opd_officer, opd_head (of an OPD)")
    return await draft.insert(actor, actor.organization_id, actor.member_id, announce=True)


@dataclass(frozen=True, slots=True)
class _Draft:
    """A new proposal's fields, cleaned by :mod:`council.proposals.rules` (budget in whole rupiah)."""

    title: str
    summary: str
    programme_id: int
    pillar: str
    budget: int

    @classmethod
    async def clean(
        cls, title: str | None, summary: str | None, pillar: object, budget: object, programme_id: int | None
    ) -> _Draft:
        title, summary, budget = rules.clean_title(title), rules.clean_summary(summary), rules.clean_budget(budget)
        programme = await programmes.programme_for_proposal(programme_id)
        return cls(title, summary, programme, await programmes.clean_pillar(programme, pillar), budget)

    async def insert(
        self,
        actor: Principal,
        organization_id: int | None,
        author_id: int | None,
        *,
        announce: bool,
        data: dict[str, Any] | None = None,
    ) -> int:
        """Create the draft in the default workflow's initial state with its ``created`` event; its id.

        Raises:
            DomainError: INVALID_INPUT (a title the organisation already uses).
        """
        workflow = get_registry().default()
        try:
            async with unit_of_work(actor, None) as work:
                proposal = await Proposal.create(
                    title=self.title,
                    summary=self.summary,
                    programme_id=self.programme_id,
                    pillar=self.pillar,
                    budget=self.budget,
                    organization_id=organization_id,
                    author_id=author_id,
                    state=workflow.initial,
                    workflow_name=workflow.name,
                    workflow_version=workflow.version,
                )
                work.bind(proposal_chain(proposal.id))  # a new row: nobody else can hold it yet
                await work.record(
                    "created",
                    to_state=workflow.initial,
                    data={"budget": self.budget, "pillar": self.pillar} | (data or {}),
                )
                if announce:
                    work.announce("created")
        except IntegrityError:
            raise invalid("duplicate_title", "title", title=self.title) from None
        return int(proposal.id)


async def create_proposal_as_system(
    *,
    author_id: int,
    title: str,
    summary: str,
    pillar: object,
    budget: object,
    programme_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Create a draft on behalf of ``author_id``, acted by :data:`~council.auth.principal.SYSTEM`; return its id.

    For loaders run by an administrator (``council seed``): no token, so no
    scope, but the rest of :func:`create_proposal`'s rules hold: the same
    cleaners, and the author must be an active member with an OPD role
    (``opd_officer`` or ``opd_head``) of an OPD, which owns the proposal. The
    ``created`` event is by ``system`` and carries ``budget``, ``pillar`` and
    ``data``. It announces nothing: the caller may hold an outer transaction
    (the seed's, all or nothing), and the unit inside it is a savepoint.

    Raises:
        DomainError: INVALID_INPUT (title, summary, pillar, budget, or a title
            the organisation already uses); FORBIDDEN (the author is no active
            OPD officer or head of an OPD).
    """
    draft = await _Draft.clean(title, summary, pillar, budget, programme_id)
    author = await Member.filter(id=author_id, is_active=True).select_related("organization").first()
    opd_roles = {Role.OPD_OFFICER.value, Role.OPD_HEAD.value}
    if author is None or author.organization.kind != OrganizationKind.OPD or not opd_roles & set(author.roles):
        raise forbidden("missing_role", roles="opd_officer, opd_head (of an OPD)")
    return await draft.insert(SYSTEM, author.organization.id, author.id, announce=False, data=data)


async def update_proposal(actor: Principal, proposal_id: int, **changes: Any) -> None:
    """Edit a proposal's title, summary, pillar or budget (None = unchanged).

    A pillar is a code of the proposal's programme's pillars.

    Only in a state the workflow marks ``editable`` (``draft`` by default),
    only by an OPD officer or head of the owning organisation
    (:func:`council.workflow.permissions.operation_denial`, checked by the write recipe
    on the locked row, before the input). ``version`` goes up by one.

    Raises:
        DomainError: NOT_FOUND, UNAUTHENTICATED, FORBIDDEN, INVALID_INPUT,
            INVALID_TRANSITION (state not editable).
    """
    cleaners = {"title": rules.clean_title, "summary": rules.clean_summary, "budget": rules.clean_budget}
    try:
        async with proposal_work(actor, proposal_id, "updateProposal") as w:
            updates = {k: cleaners[k](v) for k, v in changes.items() if v is not None and k != "pillar"}
            if changes.get("pillar") is not None:
                updates["pillar"] = await programmes.clean_pillar(w.row["programme_id"], changes["pillar"])
            if not updates:
                return
            await Proposal.filter(id=proposal_id).update(**updates, version=w.row["version"] + 1, updated_at=w.now)
            await w.record(
                "updated",
                data={k: v for k, v in updates.items() if k != "summary"}
                | ({"summary": True} if "summary" in updates else {}),
            )
            w.announce("updated")
    except IntegrityError:
        raise invalid("duplicate_title", "title", title=changes.get("title") or "") from None
