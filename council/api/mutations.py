"""The one recipe of a mutation: input → service → payload.

A mutation resolver reads its input, calls one domain service (which is
the write recipe: :mod:`council.unit_of_work`) and returns its payload with
the ids the service answered. :func:`mutation_recipe` does the rest, the
same for every mutation:

- a :class:`~council.errors.DomainError` becomes ``payload(errors=[UserError])``
  in the request's language, every other payload field null (nothing was
  changed: the service's write is all or nothing);
- a :class:`~council.auth.stepup.ReauthenticationRequired` (code
  ``REAUTHENTICATION_REQUIRED``, from any service that asked for a recent
  password) is such a payload error too, and the HTTP response also carries
  RFC 9470's step-up challenge, ``WWW-Authenticate: Bearer
  error="insufficient_user_authentication", error_description="...",
  max_age=600`` (:func:`council.auth.stepup.challenge`). The status stays
  200: see :mod:`council.auth.stepup` for why not RFC 9470's 401. Over a
  websocket there is no HTTP response and only the payload error is sent;
- after a write, the request's loaders are refreshed once
  (:meth:`council.api.context.Context.fresh_loaders`), so that the payload's
  fields, which resolve through the loaders after the resolver returns, read
  the state the write left — never a row cached before it.

Payload types hold private ids and resolve their fields through the
loaders, so a client that asks only for ``errors`` costs no read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar

from council.api.errors import user_error
from council.auth.stepup import ReauthenticationRequired, challenge
from council.errors import DomainError

P = TypeVar("P")


def mutation_recipe(payload: type[P]) -> Callable[[Callable[..., Awaitable[P]]], Callable[..., Awaitable[P]]]:
    """Wrap a mutation resolver ``(self, info, input) -> payload`` in the recipe (see the module docstring)."""

    def decorate(fn: Callable[..., Awaitable[P]]) -> Callable[..., Awaitable[P]]:
        @wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> P:
            info = kwargs["info"]
            try:
                result = await fn(*args, **kwargs)
            except DomainError as exc:
                errors = [user_error(exc, info.context.lang)]
                if isinstance(exc, ReauthenticationRequired):
                    _step_up(info.context.response, exc.max_age)
                return payload(errors=errors)  # type: ignore[call-arg]  # every payload has errors; P can't say so
            info.context.fresh_loaders()
            return result

        return wrapper

    return decorate


def _step_up(response: Any, max_age: int) -> None:
    """Put the RFC 9470 §3 challenge on the HTTP response (strawberry's sub-response; None over a websocket)."""
    if response is not None:
        response.headers["WWW-Authenticate"] = challenge(max_age)
