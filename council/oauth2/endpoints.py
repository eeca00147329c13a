"""The HTTP endpoints of the authorization server (paths fixed by issue 3).

- ``GET /.well-known/oauth-authorization-server``: RFC 8414 metadata;
- ``GET|POST /oauth/authorize``: sign-in page, then consent page, then a
  redirect with ``code`` and ``state`` (RFC 6749 §4.1). The consent page is
  skipped when the member allowed this client the scopes before
  (:class:`council.oauth2.models.Consent`), unless ``prompt=consent``.
  ``prompt=none`` answers at once from the sign-in session, honouring
  ``max_age``; every other request asks the password, so ``prompt=login``
  and ``max_age`` hold by construction (OpenID Connect Core §3.1.2.1);
- ``POST /oauth/token`` (RFC 6749 §3.2), ``POST /oauth/revoke`` (RFC 7009),
  ``POST /oauth/introspect`` (RFC 7662).

authlib runs in a worker thread (:func:`council.oauth2.bridge.run_sync`);
reading the request, checking the password (itself in a thread) and
rendering pages stay on the event loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from authlib.oauth2.base import OAuth2Error
from authlib.oauth2.rfc6749.errors import InsecureTransportError, InvalidRequestError, InvalidScopeError
from authlib.oidc.core.errors import ConsentRequiredError, LoginRequiredError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from council import clock
from council.i18n import LANGUAGES, negotiate
from council.oauth2 import consent, pages, queries
from council.oauth2.bridge import run_sync
from council.oauth2.grants import grantable
from council.oauth2.requests import StarletteOAuth2Request, adapt
from council.oauth2.server import metadata, server
from council.oauth2.service import SignInRefused, sign_in


async def server_metadata(_: Request) -> Response:
    """RFC 8414 §3: the metadata document."""
    return JSONResponse(metadata(), headers={"Cache-Control": "public, max-age=300"})


async def token(request: Request) -> Response:
    """RFC 6749 §3.2: exchange a grant for tokens."""
    return await _endpoint(request, server.create_token_response)


async def revoke(request: Request) -> Response:
    """RFC 7009 §2: revoke an access or a refresh token."""
    return await _endpoint(request, server.create_endpoint_response, "revocation")


async def introspect(request: Request) -> Response:
    """RFC 7662 §2: tell a confidential client about one of its tokens."""
    return await _endpoint(request, server.create_endpoint_response, "introspection")


async def _endpoint(request: Request, method: Callable[..., Response], *args: Any) -> Response:
    try:
        oauth_request = await adapt(request)
    except OAuth2Error as error:
        return server.handle_error_response(None, error)
    response: Response = await run_sync(method, *args, oauth_request)
    return response


async def authorize(request: Request) -> Response:
    """RFC 6749 §4.1.1: sign in, consent, and go back to the client with a code.

    After the password, a member who allowed this client every scope now to
    be granted (and did not withdraw it) goes straight back with the code;
    ``prompt=consent`` shows the consent page anyway. Allow remembers the
    scopes granted; Deny remembers nothing.

    A request naming an unknown client or a redirect URI not registered for
    it is answered with an error page, never redirected (RFC 6749 §4.1.2.1);
    any other error goes back to the client's redirect URI with ``error`` and
    ``state``. The pages are in the language of :func:`page_language`.

    Authentication age (OpenID Connect Core §3.1.2.1, RFC 9470 §4): the
    tokens' ``auth_time`` is when the password was entered. A request with
    ``prompt=none`` shows nothing: it answers from the sign-in session
    cookie (:func:`council.oauth2.consent.read_session`) with that session's
    ``auth_time``, or ``login_required`` when there is none or it is older
    than ``max_age`` seconds, ``consent_required`` when the scopes were not
    allowed before (§3.1.2.6). Every other request shows the sign-in form,
    so ``prompt=login`` and any ``max_age`` (``0`` included) get a password
    typed now. ``max_age`` that is not a non-negative integer, or ``none``
    with another ``prompt`` value, is ``invalid_request``.
    """
    lang = page_language(request)
    try:
        oauth_request = await adapt(request, source="query")
        grant = await run_sync(server.get_consent_grant, oauth_request)
    except InsecureTransportError as error:
        return pages.error_page(lang, code=error.error, message=error.description)
    except OAuth2Error as error:
        return _authorization_error(lang, error)
    client: queries.Client = grant.client
    prompts = prompt_values(oauth_request)
    try:
        max_age = requested_max_age(oauth_request)
        if "none" in prompts and len(prompts) > 1:
            raise InvalidRequestError("'prompt=none' cannot be combined with other values")
    except InvalidRequestError as error:
        return _redirect_error(grant, error)
    if "none" in prompts:
        return await _silent(request, oauth_request, grant, max_age)
    csrf = consent.csrf_token(request)
    action = f"{request.url.path}?{request.url.query}"
    if request.method == "GET":
        response: Response = pages.sign_in_page(lang, client=client.name, action=action, csrf=csrf)
        consent.set_csrf_cookie(response, csrf, request)
        return response

    form = await request.form()
    if not consent.csrf_ok(request, form.get(consent.CSRF_FIELD)):
        return pages.error_page(lang, code="invalid_request", message=pages.text("form_expired", lang), status=403)
    if form.get("step") == "consent":
        return await _consent(request, lang, oauth_request, grant, form, csrf)

    username = str(form.get("username") or "")[:64]
    try:
        holder = await sign_in(username, str(form.get("password") or "")[:1024], _address(request))
    except SignInRefused as refused:
        if refused.throttled:
            minutes = str(math.ceil(refused.retry_after / 60))
            alert = pages.text("throttled", lang, minutes=minutes)
            headers = {"Retry-After": str(refused.retry_after)}
            status = 429
        else:
            alert, headers, status = pages.text("bad_credentials", lang), None, 400
        return pages.sign_in_page(
            lang,
            client=client.name,
            action=action,
            csrf=csrf,
            username=username,
            alert=alert,
            status=status,
            headers=headers,
        )
    signed_in = consent.SignedIn(holder.id, holder.auth_time or clock.epoch_seconds())
    response = await _after_password(request, lang, oauth_request, grant, holder, signed_in, action, csrf)
    consent.set_session_cookie(response, signed_in, request)
    return response


async def _after_password(
    request: Request,
    lang: str,
    oauth_request: StarletteOAuth2Request,
    grant: Any,
    holder: queries.Holder,
    signed_in: consent.SignedIn,
    action: str,
    csrf: str,
) -> Response:
    """The answer to a good sign-in: back to the client with a code, or the consent page."""
    client: queries.Client = grant.client
    granted = grantable(client, holder, oauth_request.scope)
    if not granted:
        return _redirect_error(grant, InvalidScopeError("None of the requested scopes is allowed for this member"))
    if not asks_consent(oauth_request) and set(granted) <= await queries.consented_scopes(holder.id, client.pk):
        remembered: Response = await run_sync(server.create_authorization_response, oauth_request, holder, grant)
        return remembered
    asked = (oauth_request.payload.scope or "").split() or sorted(client.scopes)
    return pages.consent_page(
        lang,
        client=client.name,
        username=holder.username,
        scopes=granted,
        dropped=sorted(set(asked) - set(granted)),
        action=action,
        csrf=csrf,
        ticket=consent.make_ticket(signed_in=signed_in, csrf=csrf, fingerprint=consent.request_fingerprint(request)),
    )


async def _silent(request: Request, oauth_request: StarletteOAuth2Request, grant: Any, max_age: int | None) -> Response:
    """``prompt=none`` (OpenID Connect Core §3.1.2.1): a code from the sign-in session, or an error, never a page."""
    signed_in = consent.read_session(request)
    if signed_in is None:
        return _redirect_error(grant, LoginRequiredError("No sign-in session: the member must sign in"))
    if max_age is not None and clock.epoch_seconds() - signed_in.auth_time > max_age:
        return _redirect_error(grant, LoginRequiredError("The sign-in is older than max_age: the member must sign in"))
    holder = await queries.load_holder(signed_in.member_id)
    if holder is None:
        return _redirect_error(grant, LoginRequiredError("The member must sign in"))
    granted = grantable(grant.client, holder, oauth_request.scope)
    if not granted:
        return _redirect_error(grant, InvalidScopeError("None of the requested scopes is allowed for this member"))
    if not set(granted) <= await queries.consented_scopes(holder.id, grant.client.pk):
        return _redirect_error(grant, ConsentRequiredError("The member has not allowed these scopes"))
    holder = replace(holder, auth_time=signed_in.auth_time)
    response: Response = await run_sync(server.create_authorization_response, oauth_request, holder, grant)
    return response


async def _consent(
    request: Request, lang: str, oauth_request: StarletteOAuth2Request, grant: Any, form: Any, csrf: str
) -> Response:
    signed_in = consent.read_ticket(form.get("ticket"), csrf=csrf, fingerprint=consent.request_fingerprint(request))
    holder = await queries.load_holder(signed_in.member_id) if signed_in is not None else None
    if signed_in is None or holder is None:
        return pages.error_page(lang, code="invalid_request", message=pages.text("form_expired", lang), status=403)
    holder = replace(holder, auth_time=signed_in.auth_time)
    allowed = form.get("decision") == "allow"
    if allowed:
        granted = grantable(grant.client, holder, oauth_request.scope)
        if granted:
            await queries.remember_consent(holder.id, grant.client.pk, granted)
    response: Response = await run_sync(
        server.create_authorization_response, oauth_request, holder if allowed else None, grant
    )
    return response


def _redirect_error(grant: Any, error: OAuth2Error) -> Response:
    """Back to the client's (checked) redirect URI with ``error`` and the request's ``state`` (RFC 6749 §4.1.2.1)."""
    error.redirect_uri = grant.redirect_uri
    error.state = grant.request.payload.state
    response: Response = server.handle_response(*error())
    return response


def _authorization_error(lang: str, error: OAuth2Error) -> Response:
    if error.redirect_uri:
        response: Response = server.handle_response(*error())
        return response
    return pages.error_page(lang, code=str(error.error), message=str(error.description or error.error))


def prompt_values(oauth_request: StarletteOAuth2Request) -> frozenset[str]:
    """The request's ``prompt`` values (OpenID Connect Core §3.1.2.1: space-separated; unknown ones are ignored)."""
    return frozenset(str(oauth_request.payload.data.get("prompt", "")).split())


def asks_consent(oauth_request: StarletteOAuth2Request) -> bool:
    """True when the request's ``prompt`` includes ``consent``.

    Such a request shows the consent page even to a member who allowed the
    client these scopes before.
    """
    return "consent" in prompt_values(oauth_request)


def requested_max_age(oauth_request: StarletteOAuth2Request) -> int | None:
    """The request's ``max_age`` in seconds (OpenID Connect Core §3.1.2.1), None when absent.

    Raises:
        InvalidRequestError: not a non-negative integer of at most 10 digits.
    """
    value = oauth_request.payload.data.get("max_age")
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        raise InvalidRequestError("'max_age' must be a non-negative integer number of seconds")
    return int(value)


def page_language(request: Request) -> str:
    """``id`` or ``en`` for the sign-in, consent and error pages.

    The first tag of the ``ui_locales`` query parameter (OpenID Connect Core
    §3.1.2.1: space-separated BCP 47 tags, preferred first) whose language is
    supported wins (``id-ID`` counts as ``id``); without one, the
    ``Accept-Language`` header decides (:func:`council.i18n.negotiate`). The
    sign-in form posts back to the same query, so the choice holds on every page.
    """
    for tag in request.query_params.get("ui_locales", "").split()[:10]:
        lang = tag.lower().split("-")[0]
        if lang in LANGUAGES:
            return lang
    return negotiate(request.headers.get("accept-language"))


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


routes = [
    Route("/.well-known/oauth-authorization-server", server_metadata, methods=["GET"]),
    Route("/oauth/authorize", authorize, methods=["GET", "POST"]),
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
    Route("/oauth/introspect", introspect, methods=["POST"]),
]
"""The routes :func:`council.app.create_app` mounts."""
