"""Starlette requests as authlib sees them (``OAuth2Request``), read completely before authlib runs.

authlib runs in a worker thread and cannot await the body, so :func:`adapt`
reads it on the event loop first. The authorization endpoint takes its
parameters from the query string (RFC 6749 §4.1.1), the other endpoints from
an ``application/x-www-form-urlencoded`` body (RFC 6749 §3.2, RFC 7009 §2.1,
RFC 7662 §2.1). A parameter sent without a value counts as omitted and one
sent twice is refused (RFC 6749 §3.1, §3.2).
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749 import OAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from starlette.requests import Request

FORM = "application/x-www-form-urlencoded"
MAX_BODY = 16 * 1024
"""Bytes a token, revocation or introspection request body may have."""


class Payload(OAuth2Payload):
    """Parameters as pairs; ``data`` keeps the first value of each non-empty one."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for name, value in pairs:
            if value != "":
                self._datalist[name].append(value)
        self._data = {name: values[0] for name, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist

    def repeated(self) -> list[str]:
        """Names of parameters sent more than once."""
        return sorted(name for name, values in self._datalist.items() if len(values) > 1)


class StarletteOAuth2Request(OAuth2Request):
    """An ``OAuth2Request`` over parameters already read from a Starlette request.

    ``form`` and ``args`` are plain dicts; ``headers`` is Starlette's
    case-insensitive, immutable ``Headers`` (safe to read from a thread).

    Raises:
        authlib.oauth2.rfc6749.errors.InsecureTransportError: the URL is plain
            http on a host that is not loopback (RFC 6749 §3.1).
    """

    def __init__(self, request: Request, *, query: list[tuple[str, str]], form: list[tuple[str, str]], source: str):
        super().__init__(request.method, str(request.url), headers=request.headers)
        self._query = Payload(query)
        self._form = Payload(form)
        self.payload = self._query if source == "query" else self._form
        self.family: str | None = None  # the grant family, set by the grants for save_token

    @property
    def args(self) -> dict[str, str]:
        return self._query.data

    @property
    def form(self) -> dict[str, str]:
        return self._form.data


async def adapt(request: Request, *, source: str = "form") -> StarletteOAuth2Request:
    """Read ``request`` and wrap it for authlib.

    Args:
        source: ``"query"`` for the authorization endpoint, ``"form"`` for the others.

    Raises:
        InvalidRequestError: the body is not form-encoded, too large, or repeats a
            parameter (repeats in the query string are authlib's to refuse, RFC 6749 §3.1).
        InsecureTransportError: as :class:`StarletteOAuth2Request`.
    """
    query = list(request.query_params.multi_items())
    form: list[tuple[str, str]] = []
    if source == "form":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != FORM:
            raise InvalidRequestError(f"Send the parameters as {FORM}")
        body = await request.body()
        if len(body) > MAX_BODY:
            raise InvalidRequestError("The request body is too large")
        try:
            form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise InvalidRequestError("The request body is not UTF-8") from None
    adapted = StarletteOAuth2Request(request, query=query, form=form, source=source)
    repeated = adapted._form.repeated()
    if repeated:
        raise InvalidRequestError(f"Parameter sent more than once: {', '.join(repeated)}")
    return adapted
