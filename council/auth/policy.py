"""Who may read what: pure permission rules reused by the API, the loaders and the CLI.

Every write is checked by :func:`denial` against a :class:`Rule`: from
:data:`OPERATIONS` for the operations outside the workflow, and from the
workflow file for transitions and votes (:mod:`council.workflow.permissions`,
which also adds the state each operation needs). Reading follows
:func:`proposal_visibility`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q

from council.auth.principal import Principal
from council.auth.scopes import IMPLEMENTATION_WRITE, PROPOSALS_READ, PROPOSALS_WRITE, REVIEWS_WRITE, VOTES_WRITE
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


def proposal_visibility(actor: Principal) -> Q:
    """A filter on ``Proposal`` for what ``actor`` may read.

    - everyone (anonymous too): proposals published, i.e. past technical
      review (``published_at`` set on entering a public state);
    - with ``proposals:read``: the proposals of one's own organisation in any
      state, and for staff (technical team, university reviewers, council,
      administrators) every proposal that was ever submitted (review round > 0).
    """
    q = Q(published_at__isnull=False)
    if not actor.is_authenticated or not actor.has_scope(PROPOSALS_READ):
        return q
    q |= Q(organization_id=actor.organization_id)
    if actor.has_role(*STAFF_ROLES):
        q |= Q(review_round__gt=0)
    return q


def can_read_proposal(actor: Principal, *, organization_id: int, review_round: int, published: bool) -> bool:
    """The same rule as :func:`proposal_visibility`, for one proposal already in memory."""
    if published:
        return True
    if not actor.is_authenticated or not actor.has_scope(PROPOSALS_READ):
        return False
    if actor.organization_id == organization_id:
        return True
    return review_round > 0 and actor.has_role(*STAFF_ROLES)


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
    "declareConflict": _rule(VOTES_WRITE, (Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR)),
}
"""The write operations outside the workflow file. ``transitionProposal`` takes
its rule from each transition and ``castVote`` from the voting state, both from
``workflows/*.yaml`` (:mod:`council.workflow.permissions`)."""


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
