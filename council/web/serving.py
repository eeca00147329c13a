"""The routes that serve the built web client: ``/``, ``/app/config.json``, ``/app/...``.

- ``GET /`` answers 302 to ``/app/`` (and ``/app`` to ``/app/``).
- ``GET /app/config.json``: what the client needs to sign in, from the
  settings: ``{"clientId", "issuer", "timezone", "language"}``; ``timezone``
  is the seeded city's (:func:`council.organizations.service.stored_city`)
  unless ``COUNCIL_TIMEZONE`` is set, and the settings' default without
  either; ``language`` (``id`` or ``en``), the language of the city's
  ``locale``, is the client's default until the member picks one (absent
  before a seed, or for a locale in neither language).
- ``GET /app/<file>``: a file of ``settings.web_dir``, served by Starlette's
  :class:`~starlette.staticfiles.StaticFiles` (:class:`ClientFiles`): ETag and
  Last-Modified, 304 on ``If-None-Match`` or ``If-Modified-Since``, ranges,
  no symlink out of the folder. Files under ``assets/`` carry a content hash
  in their name (Vite) and are cached for a year, ``immutable``; other files
  are revalidated (``no-cache``). A missing file under ``assets/`` is 404.
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

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from council.i18n import LANGUAGES
from council.organizations.service import stored_city
from council.settings import Settings

PREFIX = "/app"
ASSETS = "assets"
INDEX = "index.html"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
PAGE = "no-cache, no-store"

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


class ClientFiles(StaticFiles):
    """Starlette's static files for the built client, with an SPA fallback and the headers above.

    ``directory`` may not exist yet: it is looked up at each request (in
    Starlette's thread pool), so a build made while the server runs is served
    without a restart, and until then pages answer 503 (:data:`NOT_BUILT`).
    Files outside ``directory``, symlinks included, are never served
    (``follow_symlink=False``: Starlette resolves the path and checks it stays
    inside). Raises :class:`~starlette.exceptions.HTTPException` 404 for a
    refused path or a missing asset, 405 for a method other than GET/HEAD.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        super().__init__(directory=directory, check_dir=False)

    async def check_config(self) -> None:
        """Nothing to check up front: a missing build is a 503 page, not an error."""

    def get_path(self, scope: Scope) -> str:
        """Starlette's path, after refusing ``..``/``.``/dot-file segments, backslashes and NULs with 404.

        Starlette would normalise ``..`` away and then miss; refusing it here
        keeps such a probe a 404 rather than the client's page.
        """
        raw: str = scope["path"]
        if "\\" in raw or "\x00" in raw or any(part.startswith(".") for part in raw.split("/")):
            raise HTTPException(status_code=404, headers=COMMON_HEADERS)
        return super().get_path(scope)

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file at ``path`` (relative to ``directory``) with its cache headers, else ``index.html``.

        A missing file under ``assets/`` stays 404: a stale hashed name must
        not load the page as a script.
        """
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
            if path.split(os.sep, 1)[0] == ASSETS:
                raise HTTPException(status_code=404, headers=COMMON_HEADERS) from None
            full_path, found = await anyio.to_thread.run_sync(self.lookup_path, INDEX)
            if found is None or not stat.S_ISREG(found.st_mode):
                headers = {**_headers(INDEX, scope), "Retry-After": "60"}
                return HTMLResponse(NOT_BUILT, status_code=503, headers=headers)
            path, response = INDEX, self.file_response(full_path, found, scope)
        response.headers.update(_headers(path, scope))
        return response


def _headers(path: str, scope: Scope) -> dict[str, str]:
    if path == INDEX:
        policy = content_security_policy(Request(scope))
        return {"Cache-Control": PAGE, "Content-Security-Policy": policy, **COMMON_HEADERS}
    return {"Cache-Control": IMMUTABLE if path.split(os.sep, 1)[0] == ASSETS else REVALIDATE, **COMMON_HEADERS}


def routes(settings: Settings) -> list[BaseRoute]:
    """The routes :func:`council.app.create_app` mounts for the web client of ``settings``.

    ``/app/config.json`` comes before the mount, so a file of that name in
    the build is never served in its place.
    """
    config = {"clientId": settings.web_client_id, "issuer": settings.token_issuer, "timezone": settings.timezone}

    async def root(_: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/", status_code=302)

    async def client_config(_: Request) -> Response:
        city = await stored_city()
        body: dict[str, str] = dict(config)
        if city is not None:
            zone, locale = city
            if "timezone" not in settings.model_fields_set:
                body["timezone"] = zone
            if (language := locale.split("-")[0].lower()) in LANGUAGES:
                body["language"] = language
        return JSONResponse(body, headers={"Cache-Control": REVALIDATE, **COMMON_HEADERS})

    return [
        Route("/", root, methods=["GET", "HEAD"]),
        Route(PREFIX, root, methods=["GET", "HEAD"]),
        Route(f"{PREFIX}/config.json", client_config, methods=["GET", "HEAD"]),
        Mount(PREFIX, app=ClientFiles(settings.web_dir)),
    ]
