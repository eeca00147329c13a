"""The write recipe: one unit of work per write, whatever the subject (a proposal today; a commitment later).

Every write runs the same steps (DESIGN.md, "Architecture"):

1. authorize what needs no row (scope, role) — the subject's recipe does it
   before opening the unit;
2. open one database transaction and lock the subject row once, reading it
   in the same statement (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
   serialises write transactions anyway), so every check after it sees the
   state as it is, not as it was: one race strategy for every write;
3. check on the locked row (readable, owner, the state the operation needs),
   clean the input, act;
4. append the audit event to the subject's chain (:meth:`UnitOfWork.record`;
   the chain is already locked by step 2, so it takes no lock of its own)
   and say what to announce (:meth:`UnitOfWork.announce`);
5. write the announcements as outbox rows (:mod:`council.outbox`) inside
   the transaction, and commit; only then the after-commit hook nudges this
   process's outbox relay, which hands them to the broadcaster
   (subscriptions), e-mail and webhooks (:mod:`council.outbox.relay`).

A refusal (a :class:`~council.errors.DomainError`) or any other exception
rolls the whole unit back and announces nothing: no half-applied change.
The subject's own recipe (:func:`council.proposals.unit.proposal_work`)
wraps this module with its lock and its checks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from council import clock
from council.audit.chains import Chain
from council.audit.models import AuditEvent
from council.audit.service import append_event
from council.auth.principal import Principal
from council.outbox import order, relay


@dataclass
class UnitOfWork:
    """One open write: who acts, the audit chain it appends to, the time it happens (UTC), what to announce.

    ``chain`` may be None until the subject exists (a proposal being
    created): :meth:`bind` names it then.
    """

    actor: Principal
    chain: Chain | None
    now: datetime
    announcements: list[dict[str, Any]] = field(default_factory=list)

    def bind(self, chain: Chain) -> None:
        """Name the chain once the subject exists (its id is known only after the insert)."""
        self.chain = chain

    async def record(
        self,
        action: str,
        *,
        trigger: str | None = None,
        from_state: str | None = None,
        to_state: str | None = None,
        comment: str = "",
        data: dict[str, Any] | None = None,
        actor: Principal | None = None,
    ) -> AuditEvent:
        """Append ``action`` to the chain at :attr:`now`, as :attr:`actor` (or ``actor``); the event row.

        Raises:
            RuntimeError: no chain is bound yet.
        """
        if self.chain is None:
            raise RuntimeError("record() before the unit of work has a chain")
        return await append_event(
            self.chain,
            actor or self.actor,
            action,
            trigger=trigger,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            data=data,
            at=self.now,
        )

    def announce(self, action: str, **details: Any) -> None:
        """Tell the chain's subscribers after the commit: ``{"action": action, "<kind>_id": id, **details}``."""
        self.announcements.append({"action": action, **details})

    def messages(self) -> list[tuple[str, dict[str, Any]]]:
        """The announcements as ``(action, message)``: the message as subscribers get it."""
        if self.chain is None:
            return []
        key = f"{self.chain.kind}_id"
        return [
            (m["action"], {"action": m["action"], key: self.chain.id} | {k: v for k, v in m.items() if k != "action"})
            for m in self.announcements
        ]

    async def write_outbox(self) -> None:
        """Write the announcements as outbox rows (:mod:`council.outbox`), inside the unit's transaction."""
        if self.chain is None or not self.announcements:
            return
        await order.insert(self.chain.channel, self.chain.kind, self.chain.id, self.messages(), self.now)

    async def after_commit(self) -> None:
        """Nudge this process's outbox relay when the unit wrote outbox rows (it publishes them); never raises."""
        if self.chain is not None and self.announcements:
            relay.nudge()


@asynccontextmanager
async def unit_of_work(actor: Principal, chain: Chain | None) -> AsyncIterator[UnitOfWork]:
    """Run the body in one transaction; after the commit, run the after-commit hook.

    The body locks its subject first (the subject's recipe does). Leaving the
    body by an exception rolls back and announces nothing; leaving it by
    ``return`` commits what was done.
    """
    work = UnitOfWork(actor, chain, clock.now())
    async with in_transaction():
        yield work
        await work.write_outbox()
    await work.after_commit()
