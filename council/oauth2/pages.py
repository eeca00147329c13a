"""The sign-in, consent and error pages of ``/oauth/authorize``, in Bahasa Indonesia or English.

Templates are ``string.Template`` files in ``templates/``; every value put
into them is HTML-escaped here. Pages are never cached, never framed
(``frame-ancestors 'none'``, RFC 9700 §4.16) and load nothing from elsewhere.
"""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from string import Template

from starlette.responses import HTMLResponse

from council.i18n import render

TEMPLATES = Path(__file__).parent / "templates"

HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def text(key: str, lang: str, **params: str) -> str:
    """The page message ``page.<key>`` of :data:`council.i18n.MESSAGES` in ``lang`` (not escaped)."""
    return render(f"page.{key}", lang, **params)


def scope_text(scope: str, lang: str) -> str:
    """What granting ``scope`` lets a client do, from ``scope.<scope>`` in :data:`council.i18n.MESSAGES`."""
    return render(f"scope.{scope}", lang)


@lru_cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _page(lang: str, title: str, body: str, status: int, headers: dict[str, str] | None = None) -> HTMLResponse:
    content = _template("page.html").substitute(lang=lang, title=html.escape(title), body=body)
    return HTMLResponse(content, status_code=status, headers={**HEADERS, **(headers or {})})


def sign_in_page(
    lang: str,
    *,
    client: str,
    action: str,
    csrf: str,
    username: str = "",
    alert: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The sign-in form: fields ``username`` and ``password``, the CSRF token, an optional alert."""
    body = _template("sign_in.html").substitute(
        intro=html.escape(text("sign_in_intro", lang, client=client)),
        alert=f'<p class="alert" role="alert">{html.escape(alert)}</p>' if alert else "",
        action=html.escape(action),
        csrf=html.escape(csrf),
        username=html.escape(username),
        username_label=html.escape(text("username", lang)),
        password_label=html.escape(text("password", lang)),
        submit=html.escape(text("sign_in", lang)),
    )
    return _page(lang, text("sign_in_title", lang), body, status, headers)


def consent_page(
    lang: str,
    *,
    client: str,
    username: str,
    scopes: list[str],
    dropped: list[str],
    action: str,
    csrf: str,
    ticket: str,
) -> HTMLResponse:
    """The consent form listing the scopes to be granted, in ``lang``, with Allow and Deny.

    ``dropped`` (asked for but not allowed by the member's roles) are listed
    by what they would let the client do, like the granted ones.
    """
    items = "\n".join(f"<li>{html.escape(scope_text(s, lang))} (<code>{html.escape(s)}</code>)</li>" for s in scopes)
    note = ""
    if dropped:
        lines = "".join(f"<li>{html.escape(scope_text(s, lang))}</li>" for s in dropped)
        note = f'<div class="note"><p>{html.escape(text("dropped", lang))}</p><ul>{lines}</ul></div>'
    body = _template("consent.html").substitute(
        intro=html.escape(text("consent_intro", lang, client=client, username=username)),
        scopes=items,
        dropped=note,
        action=html.escape(action),
        csrf=html.escape(csrf),
        ticket=html.escape(ticket),
        allow=html.escape(text("allow", lang)),
        deny=html.escape(text("deny", lang)),
    )
    return _page(lang, text("consent_title", lang), body, 200)


def error_page(lang: str, *, code: str, message: str, status: int = 400) -> HTMLResponse:
    """An error shown to the person, not redirected (RFC 6749 §4.1.2.1: bad client or redirect URI)."""
    body = _template("error.html").substitute(message=html.escape(message), code=html.escape(code))
    return _page(lang, text("error_title", lang), body, status)
