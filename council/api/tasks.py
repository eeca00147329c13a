"""A member's tasks in GraphQL: ``Member.tasks``, ``Member.taskCount``, ``Member.taskCounts`` and ``myTasks``.

The tasks are derived at each read by :func:`council.tasks.queries.tasks_of`
(the rules of each kind are documented there); only the viewer's own Member
answers them: another member's ``tasks`` is an empty connection, ``taskCount``
0 and ``taskCounts`` every kind at 0 (nothing about another member's work is
revealed). The ``after`` cursor is a position in the ordered list
(``cursor:N``, the N-th task), so a task done between two pages shifts the
positions by one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack
from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry

from council.api.commitments import Commitment, load_commitment
from council.api.ids import from_cursor, to_cursor, to_global_id
from council.api.members import MEMBER_RESOLVERS
from council.api.milestones import Milestone
from council.api.proposals import PageInfo
from council.api.subscriptions import _listening
from council.api.types import Proposal, readable
from council.commitments import queries as commitment_queries
from council.errors import DomainError, ErrorCode
from council.events import ALL_PROPOSALS
from council.settings import get_settings
from council.tasks import queries as task_queries
from council.tasks.queries import TaskRow, counts_of, tasks_of

if TYPE_CHECKING:
    # strawberry.enum returns the domain class it registers (as council/api/enums.py explains)
    from council.tasks.queries import TaskKind
else:
    TaskKind = strawberry.enum(task_queries.TaskKind, description="What a task asks of the member.")

DEBOUNCE_SECONDS = 0.2
"""``myTasks`` waits this long after a message for the others of the same burst, then re-derives once."""
REFRESH_SECONDS = 60.0
"""``myTasks`` also re-derives this often without a message: deadlines pass, months turn, commitments appear."""


@strawberry.type(description="Something the viewer has to do now, derived from the current state (never stored).")
class Task:
    kind: TaskKind
    title: str = strawberry.field(description="The proposal's, the milestone's or the commitment's title.")
    due_at: datetime | None = strawberry.field(description="When it is due (UTC), or null when it has no deadline.")
    created_at: datetime = strawberry.field(description="Since when it is to be done.")
    row: strawberry.Private[TaskRow]

    @strawberry.field(description="The proposal it is about, if any (null when the viewer may not read it).")
    async def proposal(self, info: strawberry.Info) -> Proposal | None:
        if self.row.proposal_id is None:
            return None
        row = await info.context.loaders.proposal.load(self.row.proposal_id)
        return Proposal.from_row(row) if readable(info, row) else None

    @strawberry.field(description="The commitment to sign (SIGN_COMMITMENT), else null.")
    async def commitment(self) -> Commitment | None:
        if self.row.commitment_id is None:
            return None
        return await load_commitment(await commitment_queries.commitment(self.row.commitment_id))

    @strawberry.field(description="The milestone due (MILESTONE_DUE), else null.")
    async def milestone(self, info: strawberry.Info) -> Milestone | None:
        if self.row.milestone_id is None or self.row.proposal_id is None:
            return None
        rows = await info.context.loaders.milestones.load(self.row.proposal_id)
        return next((Milestone.from_row(r) for r in rows if r["id"] == self.row.milestone_id), None)

    @classmethod
    def from_row(cls, row: TaskRow) -> Task:
        return cls(kind=TaskKind(row.kind), title=row.title, due_at=row.due_at, created_at=row.created_at, row=row)


@strawberry.type
class TaskEdge:
    node: Task
    cursor: str


@strawberry.type
class TaskConnection:
    edges: list[TaskEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="How many tasks of one kind.")
class TaskCount:
    kind: TaskKind
    count: int


@strawberry.type(description="The viewer's task counts: in all, and per kind (every kind, 0 included).")
class TaskCountUpdate:
    count: int
    counts: list[TaskCount]


def _counts(rows: list[TaskRow]) -> list[TaskCount]:
    return [TaskCount(kind=TaskKind(k), count=n) for k, n in counts_of(rows).items()]


async def viewer_tasks(info: strawberry.Info, member_global_id: str) -> list[TaskRow]:
    """The tasks of the Member ``member_global_id`` if it is the viewer, else ``[]``; read once per request."""
    principal = info.context.principal
    if principal.member_id is None or member_global_id != to_global_id("Member", principal.member_id):
        return []
    # tasks, taskCount and taskCounts resolve concurrently: they share one read, started by the first
    shared: asyncio.Future[list[TaskRow]] | None = getattr(info.context, "_tasks", None)
    if shared is None:
        shared = asyncio.ensure_future(tasks_of(principal))
        info.context._tasks = shared
    return list(await asyncio.shield(shared))


async def member_tasks(
    root: Any, info: strawberry.Info, first: int | None = 20, after: str | None = None
) -> TaskConnection:
    """``Member.tasks``: a page of the viewer's tasks, ordered by dueAt (nulls last), then createdAt."""
    rows = await viewer_tasks(info, root.id)
    limit = max(0, min(first if first is not None else 20, get_settings().max_page_size))
    start = from_cursor(after) if after else 0
    page = rows[start : start + limit]
    edges = [TaskEdge(node=Task.from_row(r), cursor=to_cursor(start + i + 1)) for i, r in enumerate(page)]
    return TaskConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=start + limit < len(rows),
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=len(rows),
    )


async def member_task_count(root: Any, info: strawberry.Info) -> int:
    """``Member.taskCount``: how many tasks the viewer has (0 for another member)."""
    return len(await viewer_tasks(info, root.id))


async def member_task_counts(root: Any, info: strawberry.Info) -> list[TaskCount]:
    """``Member.taskCounts``: the viewer's tasks per kind (every kind, 0 included; all 0 for another member)."""
    return _counts(await viewer_tasks(info, root.id))


MEMBER_RESOLVERS.update(tasks=member_tasks, task_count=member_task_count, task_counts=member_task_counts)


async def _wait_any(queues: list[asyncio.Queue[dict[str, Any]]], timeout: float) -> bool:
    """Wait until a message arrives on any queue (True) or ``timeout`` seconds pass (False)."""
    getters = [asyncio.ensure_future(q.get()) for q in queues]
    try:
        done, _ = await asyncio.wait(getters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for g in getters:
            g.cancel()
    return bool(done)


def _drain(queues: list[asyncio.Queue[dict[str, Any]]]) -> None:
    for q in queues:
        while not q.empty():
            q.get_nowait()


@strawberry.type
class TaskSubscription:
    @strawberry.subscription(
        description=(
            "The viewer's task counts now, then again each time they change: re-derived after any event of a "
            "proposal or of a commitment the viewer has to sign (bursts taken together), and every minute."
        )
    )
    async def my_tasks(self, info: strawberry.Info) -> AsyncGenerator[TaskCountUpdate, None]:
        principal = info.context.principal
        if principal.member_id is None:
            raise DomainError(ErrorCode.UNAUTHENTICATED, "unauthenticated")
        async with AsyncExitStack() as stack:
            queues = [await stack.enter_async_context(_listening(ALL_PROPOSALS))]
            watched: set[int] = set()
            seen: tuple[int, ...] | None = None
            while True:
                rows = await tasks_of(principal)
                for cid in {r.commitment_id for r in rows if r.commitment_id is not None} - watched:
                    queues.append(await stack.enter_async_context(_listening(f"commitment:{cid}")))
                    watched.add(cid)
                counts = _counts(rows)
                key = tuple(c.count for c in counts)
                if key != seen:
                    seen = key
                    yield TaskCountUpdate(count=len(rows), counts=counts)
                deadline = time.monotonic() + REFRESH_SECONDS
                if await _wait_any(queues, max(0.0, deadline - time.monotonic())):
                    await asyncio.sleep(DEBOUNCE_SECONDS)
                    _drain(queues)
