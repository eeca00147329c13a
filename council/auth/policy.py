"""Who may read what: pure permission rules reused by the API, the loaders and the CLI.

Write permissions for workflow transitions live in the workflow files and are
checked by :func:`council.workflow.engine.permission_error`; the rules here
cover reading and the actions outside transitions (create, edit, review,
vote, report progress).
"""

from __future__ import annotations

from tortoise.expressions import Q

from council.auth.principal import Principal
from council.auth.scopes import PROPOSALS_READ
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


def require(actor: Principal, scope: str, roles: tuple[Role, ...]) -> None:
    """Check that ``actor`` is signed in, carries ``scope`` and holds one of ``roles``.

    Raises:
        DomainError: UNAUTHENTICATED, or FORBIDDEN naming the missing scope or roles.
    """
    if not actor.is_authenticated:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "unauthenticated")
    if not actor.has_scope(scope):
        raise DomainError(ErrorCode.FORBIDDEN, "missing_scope", scope=scope)
    if not actor.has_role(*roles):
        raise DomainError(ErrorCode.FORBIDDEN, "missing_role", roles=", ".join(r.value for r in roles))
