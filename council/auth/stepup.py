"""Step-up authentication: a deliberate act needs a recent password (RFC 9470).

A service about to do something a member must mean (signing the commitment)
calls :func:`require_recent_authentication` first::

    require_recent_authentication(principal)           # COUNCIL_STEP_UP_MAX_AGE
    require_recent_authentication(principal, max_age=300)

It reads :attr:`council.auth.principal.Principal.auth_time`, the access
token's ``auth_time`` claim: when the member last entered a password at
``/oauth/authorize``. A refreshed token and a silent ``prompt=none`` sign-in
keep the original time, so only typing the password again makes it recent.
Too old, or absent (a token without ``auth_time``), is
:class:`ReauthenticationRequired`, code ``REAUTHENTICATION_REQUIRED``.

Over GraphQL (:func:`council.api.mutations.mutation_recipe`) that error is the
payload's ``UserError`` like any other, and the HTTP response also carries
the step-up challenge of RFC 9470 §3, :func:`challenge`::

    WWW-Authenticate: Bearer error="insufficient_user_authentication",
      error_description="A more recent authentication is required", max_age=600

The status stays **200**, not RFC 9470's 401. The token is valid, and other
fields of the same request (queries, other mutations) did succeed; a
GraphQL-over-HTTP response with ``data`` is 200 (GraphQL over HTTP,
``application/json``), and a 401 makes clients treat the token as
unusable: the web client's urql auth exchange refreshes and retries on a
401 and ends the session when that does not cure it, and generic clients
drop the token. So the payload error is what clients act on; the header
says the same thing in RFC 9470's words, for clients that read it. The
client then starts the authorization code flow again with ``max_age`` (or
``prompt=login``), which asks the password, and repeats the act.
"""

from __future__ import annotations

from datetime import timedelta

from council import clock
from council.auth.principal import Principal
from council.errors import DomainError, ErrorCode
from council.settings import get_settings

INSUFFICIENT_USER_AUTHENTICATION = "insufficient_user_authentication"
"""The RFC 9470 §3 error code of the challenge."""
DESCRIPTION = "A more recent authentication is required"


class ReauthenticationRequired(DomainError):
    """The member's last password is older than ``max_age`` seconds (or unknown): sign in again, then repeat.

    Code ``REAUTHENTICATION_REQUIRED``; the message (English or Bahasa
    Indonesia) names the minutes. ``max_age`` is the seconds asked for, the
    ``max_age`` of the challenge header and of the new authorization request.
    """

    def __init__(self, max_age: int) -> None:
        self.max_age = max_age
        super().__init__(
            ErrorCode.REAUTHENTICATION_REQUIRED, "reauthentication_required", minutes=max(1, round(max_age / 60))
        )


def require_recent_authentication(principal: Principal, max_age: int | None = None) -> None:
    """Refuse unless ``principal`` entered a password within the last ``max_age`` seconds.

    Args:
        principal: the caller; its ``auth_time`` (UTC) is the token's ``auth_time``.
        max_age: seconds, > 0; default ``COUNCIL_STEP_UP_MAX_AGE`` (600).
            ``auth_time`` exactly ``max_age`` seconds ago still passes (OpenID
            Connect Core §3.1.2.1: "no more than max_age seconds").

    Raises:
        DomainError: ``UNAUTHENTICATED`` for an anonymous caller or the system.
        ReauthenticationRequired: ``auth_time`` is None (a machine client, a
            token from before auth_time existed, the CLI) or older than ``max_age``.
        ValueError: ``max_age`` is not positive (a programming error).
    """
    limit = get_settings().step_up_max_age if max_age is None else max_age
    if limit <= 0:
        raise ValueError(f"max_age must be a positive number of seconds, not {limit}")
    if not principal.is_authenticated:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "unauthenticated")
    if principal.auth_time is None or clock.now() - principal.auth_time > timedelta(seconds=limit):
        raise ReauthenticationRequired(limit)


def challenge(max_age: int) -> str:
    """The ``WWW-Authenticate`` value of RFC 9470 §3 asking for a password within ``max_age`` seconds.

    Returns:
        ``Bearer error="insufficient_user_authentication",
        error_description="A more recent authentication is required", max_age=600``
        (``max_age`` as a token, which RFC 9110 §11.2 allows as well as a quoted string).
    """
    return f'Bearer error="{INSUFFICIENT_USER_AUTHENTICATION}", error_description="{DESCRIPTION}", max_age={max_age}'
