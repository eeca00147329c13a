"""Who is calling: the :class:`Principal` every service receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from council.enums import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request or CLI command.

    Attributes:
        member_id: the member acting, or None for an anonymous caller.
        username: the member's username ('' when anonymous).
        organization_id: the member's organisation (None when anonymous).
        roles: the member's roles as stored (``Role`` values).
        scopes: the token's granted scopes (DESIGN.md, "Security model");
            the CLI acts with every scope the member's roles allow.
        token_id: the token's ``jti`` when the call came with a token.
        system: the workflow acting by itself (timers), see :data:`SYSTEM`.
        auth_time: when the member last entered a password (timezone-aware,
            UTC, whole seconds): the token's ``auth_time`` claim. None when the
            token has none (a machine client, a token issued before 0009) and
            for the CLI; :func:`council.auth.stepup.require_recent_authentication`
            reads it.
    """

    member_id: int | None = None
    username: str = ""
    organization_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    token_id: str | None = None
    system: bool = False
    auth_time: datetime | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.member_id is not None

    def has_role(self, *roles: Role | str) -> bool:
        """True when the principal holds any of ``roles``."""
        return any(str(r) in self.roles for r in roles)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


ANONYMOUS = Principal()

SYSTEM = Principal(username="system", system=True)
"""The workflow's own timers (ballot deadlines, SLAs): no member, and the
workflow file that declared the timer is its permission (see
:func:`council.auth.policy.denial`). Only the scheduler acts as it."""
