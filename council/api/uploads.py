"""Evidence files over plain HTTP: ``POST /uploads`` keeps one, ``GET /uploads/<id>`` serves it.

Not GraphQL: ``/graphql`` takes no multipart body, so that its CSRF
protection (simple content types are refused) stays. The file's id is a
global id of type ``EvidenceFile`` (:func:`evidence_id`), the id the
mutations take in ``evidenceIds`` and ``EvidenceFile.id`` shows; its address
is :func:`evidence_url`.

- ``POST /uploads?proposalId=<Proposal id>&filename=<name>``: the body is the
  file's bytes (any ``Content-Type``: the type is read from the content),
  ``Authorization: Bearer`` with ``implementation:write``, an OPD officer or
  head of the owning organisation, the proposal in a ``progress`` state
  (:func:`council.uploads.service.receive`). 201 with
  ``{"id", "filename", "contentType", "size", "sha256", "url"}`` and ``Location``.
- ``GET /uploads/<id>``: the file, to whoever may read it
  (:func:`council.uploads.service.readable_upload`), as an attachment with
  its sniffed type, ``nosniff`` and ``Content-Security-Policy: default-src 'none'``,
  so it never runs as a page; ``ETag`` is its SHA-256 (304 on ``If-None-Match``).
  404 for anything the caller may not read, or a malformed id.

Errors: ``{"errors": [{"code", "field", "message"}]}``, the message in the
language of ``Accept-Language`` (:func:`council.i18n.negotiate`), with the
status of :func:`status_of`; 401 carries ``WWW-Authenticate`` (RFC 6750 §3).
Each upload kept is logged (``council.uploads``); attaching it, not uploading
it, appends the audit event.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from council.api.ids import from_global_id, to_global_id
from council.auth.principal import Principal
from council.errors import DomainError, ErrorCode, invalid, not_found
from council.i18n import negotiate
from council.oauth2.backend import AuthenticationFailed, principal_from_authorization, www_authenticate
from council.settings import Settings
from council.uploads import service
from council.uploads.sniff import TYPES
from council.uploads.storage import storage_for

log = logging.getLogger("council.uploads")

PREFIX = "/uploads"
EVIDENCE_TYPE = "EvidenceFile"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
    "Referrer-Policy": "no-referrer",
}
"""Sent with every file served: never sniffed into another type, never a page that runs anything."""
PUBLIC_CACHE = "public, max-age=3600"
PRIVATE_CACHE = "private, no-cache"

STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_INPUT: 400,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.INVALID_TRANSITION: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
}
KEY_STATUS = {service.TOO_LARGE: 413, service.WRONG_TYPE: 415}


def evidence_id(pk: int) -> str:
    """The global id (type ``EvidenceFile``) of upload ``pk``."""
    return to_global_id(EVIDENCE_TYPE, pk)


def evidence_url(pk: int) -> str:
    """Where upload ``pk`` is served: ``/uploads/<global id>`` (relative to the server's origin)."""
    return f"{PREFIX}/{evidence_id(pk)}"


def evidence_json(row: dict[str, Any]) -> dict[str, Any]:
    """The 201 body of ``POST /uploads`` for an upload row."""
    return {
        "id": evidence_id(row["id"]),
        "filename": row["filename"],
        "contentType": row["content_type"],
        "size": row["size"],
        "sha256": row["sha256"],
        "url": evidence_url(row["id"]),
    }


def status_of(exc: DomainError) -> int:
    """The HTTP status of a refusal: 413 too large, 415 not PDF/PNG/JPEG, else by code (400 by default)."""
    return KEY_STATUS.get(exc.key) or STATUS.get(exc.code, 400)


def error_response(exc: DomainError, lang: str, failure: AuthenticationFailed | None = None) -> JSONResponse:
    """``{"errors": [{"code", "field", "message"}]}`` with :func:`status_of` (or ``failure``'s status).

    A 401 carries ``WWW-Authenticate``: ``Bearer`` when a token is needed and
    none came, the error of ``failure`` when a token was refused (RFC 6750 §3).
    """
    status = failure.status_code if failure is not None else status_of(exc)
    body = {"errors": [{"code": exc.code.value, "field": exc.field, "message": exc.message(lang)}]}
    challenge = failure is not None or status == 401
    return JSONResponse(
        body, status_code=status, headers={"WWW-Authenticate": www_authenticate(failure)} if challenge else None
    )


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` fallback and the exact name in ``filename*`` (RFC 6266, RFC 8187)."""
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\%' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def _caller(request: Request, lang: str) -> Principal | JSONResponse:
    """The request's principal (also put on ``request.state`` for the request log), or the 400/401 answer."""
    try:
        principal = await principal_from_authorization(request.headers.get("authorization"))
    except AuthenticationFailed as exc:
        return error_response(DomainError(ErrorCode.UNAUTHENTICATED, "invalid_token"), lang, exc)
    request.state.principal = principal
    return principal


def _declared_size(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() else None


def routes(settings: Settings) -> list[BaseRoute]:
    """The routes :func:`council.app.create_app` mounts: ``POST /uploads`` and ``GET /uploads/<id>``.

    The storage and the size limit are read from ``settings`` at each request.
    """

    async def upload(request: Request) -> Response:
        lang = negotiate(request.headers.get("accept-language"))
        caller = await _caller(request, lang)
        if isinstance(caller, Response):
            return caller
        try:
            raw = request.query_params.get("proposalId")
            if not raw:
                raise invalid("required", "proposalId")
            _, proposal_id = from_global_id(raw, "Proposal", field="proposalId")
            row = await service.receive(
                caller,
                proposal_id,
                request.query_params.get("filename"),
                request.stream(),
                storage=storage_for(settings),
                max_bytes=settings.uploads_max_bytes,
                declared_size=_declared_size(request),
            )
        except DomainError as exc:
            return error_response(exc, lang)
        log.info(
            "upload %s of proposal %s: %s, %s bytes",
            row["id"],
            proposal_id,
            row["content_type"],
            row["size"],
            extra={"member_id": caller.member_id, "sha256": row["sha256"]},
        )
        body = evidence_json(row)
        return JSONResponse(body, status_code=201, headers={"Location": body["url"]})

    async def serve(request: Request) -> Response:
        lang = negotiate(request.headers.get("accept-language"))
        caller = await _caller(request, lang)
        if isinstance(caller, Response):
            return caller
        try:
            try:
                _, pk = from_global_id(request.path_params["id"], EVIDENCE_TYPE)
            except DomainError:
                raise not_found("evidence", "id") from None
            row = await service.readable_upload(caller, pk)
        except DomainError as exc:
            return error_response(exc, lang)
        headers = {
            "ETag": f'"{row["sha256"]}"',
            "Cache-Control": PUBLIC_CACHE if row["public"] else PRIVATE_CACHE,
            **SECURITY_HEADERS,
        }
        if _matches(request.headers.get("if-none-match"), row["sha256"]):
            return Response(status_code=304, headers=headers)
        chunks = storage_for(settings).open(row["storage_key"])
        try:
            first = await anext(chunks)
        except (FileNotFoundError, StopAsyncIteration):
            log.warning("upload %s: its file %s is missing from the storage", pk, row["storage_key"])
            return error_response(not_found("evidence", "id"), lang)
        media_type = row["content_type"] if row["content_type"] in TYPES else "application/octet-stream"
        headers |= {"Content-Disposition": content_disposition(row["filename"]), "Content-Length": str(row["size"])}
        return StreamingResponse(_prepend(first, chunks), media_type=media_type, headers=headers)

    return [
        Route(PREFIX, upload, methods=["POST"]),
        Route(PREFIX + "/{id}", serve, methods=["GET", "HEAD"]),
    ]


def _matches(if_none_match: str | None, sha256: str) -> bool:
    """Whether an ``If-None-Match`` header names this ETag (weakly compared, RFC 9110 §13.1.2) or is ``*``."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or f'"{sha256}"' in tags


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """``first``, then ``rest``; ``rest`` closed (its file too) however the response ends."""
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        close = getattr(rest, "aclose", None)
        if close is not None:
            await close()
