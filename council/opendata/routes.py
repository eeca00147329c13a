"""``/open-data/``: the data package over HTTP, for anyone (no token read: the files hold only public rows).

- ``GET /open-data/`` and ``GET /open-data/datapackage.json``: the descriptor (resource paths relative to it);
- ``GET /open-data/<table>.csv`` and ``.json``: a table (:data:`council.opendata.tables.TABLES`);
- ``GET /open-data/audit.jsonl``: the public audit chains.

Every answer carries the package's ETag (:func:`council.opendata.package.fingerprint`) and
``Cache-Control: public, max-age=60``; a request whose ``If-None-Match`` names it is answered 304 without
generating anything. Tables and the chains are streamed, a batch at a time. An unknown file is a 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from council.opendata.package import (
    AUDIT_FILE,
    DESCRIPTOR,
    audit_lines,
    csv_chunks,
    descriptor_bytes,
    fingerprint,
    json_chunks,
)
from council.opendata.tables import BY_NAME

CACHE_CONTROL = "public, max-age=60"
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "jsonl": "application/jsonl"}


def stream_for(filename: str) -> tuple[Callable[[], AsyncIterator[bytes]], str] | None:
    """The generator and media type of one file of the package (not the descriptor), or None when there is none."""
    if filename == AUDIT_FILE:
        return audit_lines, MEDIA["jsonl"]
    name, _, ext = filename.rpartition(".")
    table = BY_NAME.get(name)
    if table is None or ext not in ("csv", "json"):
        return None
    chunks = csv_chunks if ext == "csv" else json_chunks
    return (lambda: chunks(table)), MEDIA[ext]


async def _open_data(request: Request) -> Response:
    filename = request.path_params.get("filename") or DESCRIPTOR
    source = None if filename == DESCRIPTOR else stream_for(filename)
    if filename != DESCRIPTOR and source is None:
        return JSONResponse({"error": "not_found", "file": filename}, status_code=404)
    etag = await fingerprint()
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    if source is None:
        return Response(descriptor_bytes(), media_type=MEDIA["json"], headers=headers)
    generate, media = source
    headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return StreamingResponse(generate(), media_type=media, headers=headers)


routes = [  # Starlette answers HEAD for GET routes too
    Route("/open-data/", _open_data, methods=["GET"]),
    Route("/open-data/{filename:str}", _open_data, methods=["GET"]),
]
"""The routes the app mounts (:mod:`council.app`)."""
