"""Who may read what: pure permission rules reused by the API, the loaders and the CLI.

Every write is checked by :func:`denial` against a :class:`Rule`: from
:data:`OPERATIONS` for the operations outside the workflow, and from the
workflow file for transitions and votes (:mod:`council.workflow.permissions`,
which also adds the state each operation needs). Reading follows
:func:`read_grants`, from which the filter :func:`proposal_visibility` and the
check :func:`can_read_proposal` derive.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tortoise.expressions import Q

from council.auth.principal import ANONYMOUS, Principal
from council.auth.scopes import ADMIN, IMPLEMENTATION_WRITE, PROPOSALS_READ, PROPOSALS_WRITE, REVIEWS_WRITE, VOTES_WRITE
from council.enums import Role
from council.errors import DomainError, ErrorCode

STAFF_ROLES = (
    Role.TECHNICAL_TEAM,
    Role.UNIVERSITY_REVIEWER,
    Role.COUNCIL_MEMBER,
    Role.COUNCIL_CHAIR,
    Role.ADMIN,
)
OPD_ROLES = (Role.OPD_OFFICER, Role.OPD_HEAD)
REVIEWER_ROLES = (Role.TECHNICAL_TEAM, Role.UNIVERSITY_REVIEWER)


class ReadGrant(StrEnum):
    """One way a proposal can be readable: a condition on its row (see :func:`read_grants`)."""

    PUBLISHED = "published"
    """``published_at`` is set: the proposal is past technical review (set on entering a public state)."""
    OWN_ORGANIZATION = "own_organization"
    """``organization_id`` is the actor's organisation."""
    SUBMITTED = "submitted"
    """``review_round > 0``: the proposal was submitted at least once."""


def read_grants(actor: Principal) -> tuple[ReadGrant, ...]:
    """The readable rule for ``actor`` as data: a proposal is readable when ANY of these holds.

    - everyone (anonymous too): :attr:`ReadGrant.PUBLISHED`;
    - with ``proposals:read``: also :attr:`ReadGrant.OWN_ORGANIZATION` (any
      state), and for staff (technical team, university reviewers, council,
      administrators) :attr:`ReadGrant.SUBMITTED`.

    The one source of :func:`proposal_visibility` (the filter) and
    :func:`can_read_proposal` (the check), which only translate it.
    """
    if not actor.is_authenticated or not actor.has_scope(PROPOSALS_READ):
        return (ReadGrant.PUBLISHED,)
    if actor.has_role(*STAFF_ROLES):
        return (ReadGrant.PUBLISHED, ReadGrant.OWN_ORGANIZATION, ReadGrant.SUBMITTED)
    return (ReadGrant.PUBLISHED, ReadGrant.OWN_ORGANIZATION)


def _grant_filter(grant: ReadGrant, actor: Principal) -> Q:
    if grant is ReadGrant.PUBLISHED:
        return Q(published_at__isnull=False)
    if grant is ReadGrant.OWN_ORGANIZATION:
        return Q(organization_id=actor.organization_id)
    return Q(review_round__gt=0)


def _grant_holds(grant: ReadGrant, actor: Principal, organization_id: int, review_round: int, published: bool) -> bool:
    if grant is ReadGrant.PUBLISHED:
        return published
    if grant is ReadGrant.OWN_ORGANIZATION:
        return actor.organization_id == organization_id
    return review_round > 0


def proposal_visibility(actor: Principal) -> Q:
    """A filter on ``Proposal`` for what ``actor`` may read: the OR of :func:`read_grants`."""
    q, *rest = (_grant_filter(g, actor) for g in read_grants(actor))
    for more in rest:
        q |= more
    return q


def public_proposals() -> Q:
    """What anyone may read, signed in or not: :func:`proposal_visibility` of the anonymous principal.

    The one definition of a *public* proposal: the open data (:mod:`council.opendata`) exports exactly these,
    with their reviews, ballots and audit chains, as the API shows them to an anonymous caller.
    """
    return proposal_visibility(ANONYMOUS)


def can_read_proposal(actor: Principal, *, organization_id: int, review_round: int, published: bool) -> bool:
    """Whether ``actor`` may read one proposal already in memory: any of :func:`read_grants` holds.

    ``published`` is ``published_at is not None``. The same rule as
    :func:`proposal_visibility` (tests/test_read_rule.py checks they agree).
    """
    return any(_grant_holds(g, actor, organization_id, review_round, published) for g in read_grants(actor))


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may perform an operation: a token scope, one of some roles, maybe only the owner."""

    scope: str
    roles: frozenset[str]
    owner_only: bool = False


def _rule(scope: str, roles: tuple[Role, ...], owner_only: bool = False) -> Rule:
    return Rule(scope, frozenset(r.value for r in roles), owner_only)


OPERATIONS: dict[str, Rule] = {
    "createProposal": _rule(PROPOSALS_WRITE, OPD_ROLES),
    "updateProposal": _rule(PROPOSALS_WRITE, OPD_ROLES, owner_only=True),
    "submitReview": _rule(REVIEWS_WRITE, REVIEWER_ROLES),
    "reportProgress": _rule(IMPLEMENTATION_WRITE, OPD_ROLES, owner_only=True),
    # Milestones of a quick win (issue 13): the owning OPD plans and completes them; the technical team,
    # which judged the proposal feasible, may reopen a completed one with a reason.
    "addMilestone": _rule(IMPLEMENTATION_WRITE, OPD_ROLES, owner_only=True),
    "updateMilestone": _rule(IMPLEMENTATION_WRITE, OPD_ROLES, owner_only=True),
    "completeMilestone": _rule(IMPLEMENTATION_WRITE, OPD_ROLES, owner_only=True),
    "reopenMilestone": _rule(REVIEWS_WRITE, (Role.TECHNICAL_TEAM,)),
    # An evidence file (POST /uploads) is implementation work of the owning OPD, as the report that cites it.
    "uploadEvidence": _rule(IMPLEMENTATION_WRITE, OPD_ROLES, owner_only=True),
    "defineKpi": _rule(IMPLEMENTATION_WRITE, OPD_ROLES, owner_only=True),
    "recordMeasurement": _rule(IMPLEMENTATION_WRITE, OPD_ROLES, owner_only=True),
    "reportSpending": _rule(IMPLEMENTATION_WRITE, OPD_ROLES, owner_only=True),
    "declareConflict": _rule(VOTES_WRITE, (Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR)),
    # The master plan (issue 12): the technical team drafts it, the council and the reviewers comment, the chair
    # finalises. No scope of its own: drafting is review work, commenting needs only a signed-in read token,
    # finalising is the chair's decision (as a vote is).
    "addMasterPlanVersion": _rule(REVIEWS_WRITE, (Role.TECHNICAL_TEAM, Role.ADMIN)),
    "commentOnMasterPlan": _rule(
        PROPOSALS_READ, (Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR, Role.TECHNICAL_TEAM, Role.UNIVERSITY_REVIEWER)
    ),
    "finalizeMasterPlan": _rule(VOTES_WRITE, (Role.COUNCIL_CHAIR,)),
    "createCommitment": _rule(ADMIN, (Role.ADMIN,)),
    # Webhooks of partner systems (issue 15): administrators register and disable them and read their log.
    "createWebhookEndpoint": _rule(ADMIN, (Role.ADMIN,)),
    "disableWebhookEndpoint": _rule(ADMIN, (Role.ADMIN,)),
    # Reviewer assignment (issue 15): the technical team assigns; an assignee (a member with a reviewer role,
    # or a reviewer of the assigned university) declines with a reason (council.reviews.assignments).
    "assignReviewers": _rule(REVIEWS_WRITE, (Role.TECHNICAL_TEAM,)),
    "declineAssignment": _rule(REVIEWS_WRITE, REVIEWER_ROLES),
}
"""The write operations outside the workflow file. ``transitionProposal`` takes
its rule from each transition and ``castVote`` from the voting state, both from
``workflows/*.yaml`` (:mod:`council.workflow.permissions`). ``signCommitment`` has no
rule here: its signatories are named by the commitment (:mod:`council.commitments.service`)."""


READ_WEBHOOK_ENDPOINTS = _rule(ADMIN, (Role.ADMIN,))
"""Who may read an organisation's webhook endpoints and their delivery log (``Organization.webhookEndpoints``):
administrators, as who registers them; a partner's own staff see what arrives at their end."""


def denial(actor: Principal, rule: Rule, owner_organization_id: int | None = None) -> DomainError | None:
    """Why ``actor`` may not act under ``rule``, or None. The one permission check of the project.

    Order: not signed in (UNAUTHENTICATED), missing scope, missing role, not
    the owning organisation (FORBIDDEN). The system principal (the workflow's
    timers) passes: the workflow file that declared the timer allows it.
    """
    if actor.system:
        return None
    if not actor.is_authenticated:
        return DomainError(ErrorCode.UNAUTHENTICATED, "unauthenticated")
    if not actor.has_scope(rule.scope):
        return DomainError(ErrorCode.FORBIDDEN, "missing_scope", scope=rule.scope)
    if not actor.has_role(*rule.roles):
        return DomainError(ErrorCode.FORBIDDEN, "missing_role", roles=", ".join(sorted(rule.roles)))
    if rule.owner_only and owner_organization_id is not None and actor.organization_id != owner_organization_id:
        return DomainError(ErrorCode.FORBIDDEN, "not_owner")
    return None


def authorize(actor: Principal, rule: Rule, owner_organization_id: int | None = None) -> None:
    """Raise :func:`denial`'s error when there is one.

    Raises:
        DomainError: UNAUTHENTICATED or FORBIDDEN.
    """
    error = denial(actor, rule, owner_organization_id)
    if error is not None:
        raise error
