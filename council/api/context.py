"""The GraphQL context of one request: who is asking, in which language, and the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from council.api.loaders import Loaders
from council.auth.principal import ANONYMOUS, Principal
from council.i18n import negotiate


@dataclass
class Context:
    """``info.context`` of every resolver."""

    request: Request | None
    response: Any
    principal: Principal
    lang: str
    loaders: Loaders = field(init=False)
    websocket: Any = None
    """The starlette WebSocket of a subscription connection (None over HTTP)."""
    connection_params: dict[str, Any] | None = None
    """The ``connection_init`` payload of a subscription connection (set by strawberry)."""

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.principal)

    def act_as(self, principal: Principal) -> None:
        """Make ``principal`` the caller (a subscription connection, after ``connection_init``)."""
        self.principal = principal
        self.fresh_loaders()

    def fresh_loaders(self) -> None:
        """Drop the loaders' caches (each message of a long-lived subscription reads afresh)."""
        self.loaders = Loaders(self.principal)


def context_for(request: Request | None, response: Any = None) -> Context:
    """Build the context; the principal was put on the request by the auth gate (``council.app``)."""
    principal = ANONYMOUS
    lang = "en"
    if request is not None:
        principal = getattr(request.state, "principal", ANONYMOUS)
        lang = negotiate(request.headers.get("accept-language"))
    return Context(request=request, response=response, principal=principal, lang=lang)
