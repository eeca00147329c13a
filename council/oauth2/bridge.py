"""The bridge between authlib's synchronous server and the asynchronous ORM.

authlib calls ``query_client``, ``save_token`` and the like synchronously, and
tortoise-orm can only be awaited. An endpoint therefore runs authlib in a
worker thread (:func:`run_sync`); when authlib calls back for data, the
callback hands its coroutine to the event loop and waits for the result
(:func:`wait_for`). The loop keeps serving other requests meanwhile: only the
worker thread waits.

    async def token(request):
        oauth_request = await adapt(request)
        return await run_sync(server.create_token_response, oauth_request)

    # inside authlib, in the worker thread:
    def query_client(self, client_id):
        return wait_for(load_client, client_id)
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any, ParamSpec, TypeVar

import anyio.from_thread
import anyio.to_thread

T = TypeVar("T")
P = ParamSpec("P")

_limiter: anyio.CapacityLimiter | None = None
WORKERS = 16
"""Worker threads authlib may occupy at once; more requests queue without blocking the loop."""


async def run_sync(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``func(*args, **kwargs)`` in a worker thread and await its result.

    Exceptions raised by ``func`` are re-raised here.
    """
    global _limiter
    if _limiter is None:
        _limiter = anyio.CapacityLimiter(WORKERS)
    return await anyio.to_thread.run_sync(partial(func, *args, **kwargs), limiter=_limiter)


def wait_for(func: Callable[P, Coroutine[Any, Any, T]], *args: P.args, **kwargs: P.kwargs) -> T:
    """From a worker thread started by :func:`run_sync`: run ``func(...)`` on the event loop and wait.

    Raises:
        RuntimeError: called outside such a worker thread (e.g. on the loop itself).
        Whatever the coroutine raises.
    """
    return anyio.from_thread.run(partial(func, *args, **kwargs))
