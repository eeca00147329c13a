"""The routes that serve the built web client: ``/``, ``/app/config.json``, ``/app/...``.

- ``GET /`` answers 302 to ``/app/`` (and ``/app`` to ``/app/``).
- ``GET /app/config.json``: what the client needs to sign in, from the
  settings: ``{"clientId", "issuer", "timezone"}``; ``timezone`` is the
  seeded city's (:func:`council.organizations.service.city_timezone`) unless
  ``COUNCIL_TIMEZONE`` is set, and the settings' default without either.
- ``GET /app/<file>``: a file of ``settings.web_dir``; files under
  ``assets/`` carry a content hash in their name (Vite) and are cached for a
  year, ``immutable``; other files are revalidated (``no-cache``, ETag).
  A missing file under ``assets/`` is 404.
- ``GET /app/<anything else>``: ``index.html`` (the client routes itself),
  never cached, with a strict Content-Security-Policy.
- A path with a ``..``, ``.`` or dot-file segment, a backslash or a NUL is 404.
- Without a build (no ``index.html`` in ``web_dir``), ``/app/`` answers 503
  with a page saying how to build it.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.staticfiles import NotModifiedResponse

from council.organizations.service import city_timezone
from council.settings import Settings

PREFIX = "/app"
ASSETS = "assets"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""Sent with every file and page under ``/app/``."""

_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Council: the web client is not built</title></head>
<body>
<h1>The web client is not built</h1>
<p>Build it once from the repository root with <code>make web</code>
(or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>), then reload this page.
<code>make serve</code> builds it too.</p>
<p lang="id">Aplikasi web belum dibangun: jalankan <code>make web</code> di akar repositori, lalu muat ulang halaman ini.</p>
</body></html>
"""


def content_security_policy(request: Request) -> str:
    """The CSP of the client's HTML (CSP Level 3).

    Scripts, styles and API calls go only to this origin; ``connect-src``
    also names the WebSocket origin of the request (``ws://`` for http,
    ``wss://`` for https) for GraphQL subscriptions, taken from the ``Host``
    header only when it is a plain host[:port]. No framing
    (``frame-ancestors 'none'``), no ``<base>``, forms only to this origin
    (the sign-in pages are here too).
    """
    connect = ["'self'"]
    host = request.headers.get("host", "")
    if _HOST.fullmatch(host):
        connect.append(f"{'wss' if request.url.scheme == 'https' else 'ws'}://{host}")
    return "; ".join([
        "default-src 'self'",
        f"connect-src {' '.join(connect)}",
        "img-src 'self' data:",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ])


def _safe_parts(path: str) -> list[str] | None:
    """The segments of ``path`` below ``/app/``, or None when it could step out of the folder."""
    if "\\" in path or "\x00" in path:
        return None
    parts = [p for p in path.split("/") if p]
    if any(p.startswith(".") for p in parts):  # "..", "." and dot-files
        return None
    return parts


def _regular_file(path: Path) -> os.stat_result | None:
    try:
        result = path.stat()
    except (OSError, ValueError):
        return None
    return result if stat.S_ISREG(result.st_mode) else None


def routes(settings: Settings) -> list[BaseRoute]:
    """The routes :func:`council.app.create_app` mounts for the web client of ``settings``.

    Reads ``web_dir`` at each request, so a build made while the server
    runs is served without a restart.
    """
    web_dir = Path(settings.web_dir)
    config = {"clientId": settings.web_client_id, "issuer": settings.token_issuer, "timezone": settings.timezone}

    async def root(_: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/", status_code=302)

    async def client_config(_: Request) -> Response:
        zone = None if "timezone" in settings.model_fields_set else await city_timezone()
        body = config | ({"timezone": zone} if zone else {})
        return JSONResponse(body, headers={"Cache-Control": REVALIDATE, **COMMON_HEADERS})

    async def app_file(request: Request) -> Response:
        parts = _safe_parts(request.path_params.get("path", ""))
        if parts is None:
            return PlainTextResponse("Not Found", status_code=404, headers=COMMON_HEADERS)
        base = await anyio.to_thread.run_sync(web_dir.resolve)
        if parts:
            target = base.joinpath(*parts)
            found = await anyio.to_thread.run_sync(_regular_file, target)
            if found is not None and target.resolve().is_relative_to(base):
                cache = IMMUTABLE if parts[0] == ASSETS else REVALIDATE
                response = FileResponse(target, stat_result=found, headers={"Cache-Control": cache, **COMMON_HEADERS})
                if _not_modified(request, response):
                    return NotModifiedResponse(response.headers)
                return response
            if parts[0] == ASSETS:
                return PlainTextResponse("Not Found", status_code=404, headers=COMMON_HEADERS)
        return await _index(request, base)

    return [
        Route("/", root, methods=["GET", "HEAD"]),
        Route(PREFIX, root, methods=["GET", "HEAD"]),
        Route(f"{PREFIX}/config.json", client_config, methods=["GET", "HEAD"]),
        Route(PREFIX + "/{path:path}", app_file, methods=["GET", "HEAD"]),
    ]


async def _index(request: Request, base: Path) -> Response:
    headers = {
        "Cache-Control": "no-cache, no-store",
        "Content-Security-Policy": content_security_policy(request),
        **COMMON_HEADERS,
    }
    try:
        page = await anyio.to_thread.run_sync((base / "index.html").read_bytes)
    except OSError:
        return HTMLResponse(NOT_BUILT, status_code=503, headers={**headers, "Retry-After": "60"})
    return HTMLResponse(page, headers=headers)


def _not_modified(request: Request, response: Response) -> bool:
    wanted = request.headers.get("if-none-match")
    if not wanted:
        return False
    etag = response.headers.get("etag")
    return wanted.strip() == "*" or etag in [tag.strip().removeprefix("W/") for tag in wanted.split(",")]
