"""The harness itself: the served client's page and headers, its config, the sign-in page's language, axe."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from council.i18n import MESSAGES
from e2e.harness import Server, no_serious_violations


async def test_app_serves_index_html_with_its_security_headers(server: Server, page: Any) -> None:
    response = await page.goto(server.url("/app/"))
    assert response is not None and response.status == 200
    headers = await response.all_headers()
    assert headers["content-type"].startswith("text/html")
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert f"connect-src 'self' ws://127.0.0.1:{server.port}" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


async def test_config_json_names_the_registered_client_and_this_server(server: Server, page: Any) -> None:
    response = await page.request.get(server.url("/app/config.json"))
    assert response.ok
    assert await response.json() == {
        "clientId": "council-web",
        "issuer": server.base,
        "timezone": "Asia/Jakarta",
        "language": "id",  # Pekanbaru's locale, id-ID
    }


async def test_the_sign_in_page_is_in_english_when_ui_locales_says_so(server: Server, page: Any, axe: Any) -> None:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": "council-web",
            "redirect_uri": server.url("/app/callback"),
            "scope": "proposals:read votes:write",
            "state": "smoke",
            "code_challenge_method": "S256",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "ui_locales": "en",
        }
    )
    await page.goto(server.url(f"/oauth/authorize?{query}"))  # the page's Accept-Language is id-ID
    assert await page.get_attribute("html", "lang") == "en"
    title = MESSAGES["page.sign_in_title"]["en"]
    assert await page.get_by_role("heading", name=title).is_visible()
    assert await page.get_by_label(MESSAGES["page.password"]["en"]).is_visible()
    assert re.search("Council \\(web\\)", await page.inner_text("body"))
    await no_serious_violations(axe, page)
