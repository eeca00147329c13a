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

TEMPLATES = Path(__file__).parent / "templates"

HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

TEXT: dict[str, dict[str, str]] = {
    "sign_in_title": {"en": "Sign in to Council", "id": "Masuk ke Council"},
    "sign_in_intro": {
        "en": "{client} asks to use Council on your behalf. Sign in to continue.",
        "id": "{client} meminta izin menggunakan Council atas nama Anda. Masuk untuk melanjutkan.",
    },
    "username": {"en": "Username", "id": "Nama pengguna"},
    "password": {"en": "Password", "id": "Kata sandi"},
    "sign_in": {"en": "Sign in", "id": "Masuk"},
    "bad_credentials": {
        "en": "The username or password is not correct.",
        "id": "Nama pengguna atau kata sandi salah.",
    },
    "throttled": {
        "en": "Too many failed sign-in attempts. Try again in {minutes} minute(s).",
        "id": "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.",
    },
    "consent_title": {"en": "Allow access?", "id": "Izinkan akses?"},
    "consent_intro": {
        "en": "{client} will be able to do the following as {username}:",
        "id": "{client} akan dapat melakukan hal berikut sebagai {username}:",
    },
    "dropped": {
        "en": "Not granted, since your roles do not allow it: {scopes}",
        "id": "Tidak diberikan karena peran Anda tidak mengizinkannya: {scopes}",
    },
    "allow": {"en": "Allow", "id": "Izinkan"},
    "deny": {"en": "Deny", "id": "Tolak"},
    "error_title": {
        "en": "This sign-in request cannot be processed",
        "id": "Permintaan masuk ini tidak dapat diproses",
    },
    "form_expired": {
        "en": "The form has expired or was sent from another site. Go back to the application and start again.",
        "id": "Formulir sudah kedaluwarsa atau dikirim dari situs lain. Kembali ke aplikasi dan mulai lagi.",
    },
}

SCOPE_TEXT: dict[str, dict[str, str]] = {
    "proposals:read": {
        "en": "read proposals, including those not yet published",
        "id": "membaca usulan, termasuk yang belum dipublikasikan",
    },
    "proposals:write": {
        "en": "create, edit and move forward your organisation's proposals",
        "id": "membuat, mengubah, dan memproses usulan organisasi Anda",
    },
    "reviews:write": {"en": "submit technical reviews", "id": "mengirim kajian teknis"},
    "votes:write": {"en": "vote on quick wins", "id": "memberikan suara untuk quick win"},
    "implementation:write": {"en": "report implementation progress", "id": "melaporkan kemajuan pelaksanaan"},
    "admin": {"en": "administer Council", "id": "mengelola Council"},
}


def text(key: str, lang: str, **params: str) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in (not escaped)."""
    return TEXT[key][lang].format(**params)


@lru_cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _page(lang: str, title: str, body: str, status: int, headers: dict[str, str] | None = None) -> HTMLResponse:
    content = _template("page.html").substitute(lang=lang, title=html.escape(title), body=body)
    return HTMLResponse(content, status_code=status, headers={**HEADERS, **(headers or {})})


def sign_in_page(
    lang: str, *, client: str, action: str, csrf: str, username: str = "", alert: str = "",
    status: int = 200, headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The sign-in form: fields ``username`` and ``password``, the CSRF token, an optional alert."""
    body = _template("sign_in.html").substitute(
        intro=html.escape(text("sign_in_intro", lang, client=client)),
        alert=f'<p class="alert" role="alert">{html.escape(alert)}</p>' if alert else "",
        action=html.escape(action), csrf=html.escape(csrf), username=html.escape(username),
        username_label=html.escape(text("username", lang)), password_label=html.escape(text("password", lang)),
        submit=html.escape(text("sign_in", lang)),
    )
    return _page(lang, text("sign_in_title", lang), body, status, headers)


def consent_page(
    lang: str, *, client: str, username: str, scopes: list[str], dropped: list[str], action: str, csrf: str,
    ticket: str,
) -> HTMLResponse:
    """The consent form listing the scopes to be granted, in ``lang``, with Allow and Deny."""
    items = "\n".join(
        f'<li>{html.escape(SCOPE_TEXT[s][lang])} (<code>{html.escape(s)}</code>)</li>' for s in scopes
    )
    note = ""
    if dropped:
        note = f'<p class="note">{html.escape(text("dropped", lang, scopes=", ".join(dropped)))}</p>'
    body = _template("consent.html").substitute(
        intro=html.escape(text("consent_intro", lang, client=client, username=username)), scopes=items,
        dropped=note, action=html.escape(action), csrf=html.escape(csrf), ticket=html.escape(ticket),
        allow=html.escape(text("allow", lang)), deny=html.escape(text("deny", lang)),
    )
    return _page(lang, text("consent_title", lang), body, 200)


def error_page(lang: str, *, code: str, message: str, status: int = 400) -> HTMLResponse:
    """An error shown to the person, not redirected (RFC 6749 §4.1.2.1: bad client or redirect URI)."""
    body = _template("error.html").substitute(message=html.escape(message), code=html.escape(code))
    return _page(lang, text("error_title", lang), body, status)
