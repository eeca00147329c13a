"""The commitment page (issue 12, item 7): public, and an OPD head signs it with one button.

Signed out, on a phone (360x740, Bahasa Indonesia), the page shows the text,
its SHA-256 and who has not signed yet, with no signing button. An OPD head
signs in from it and signs. The step-up: when the password is older than
``COUNCIL_STEP_UP_MAX_AGE`` (600 s), pressing the button sends the member
through the sign-in form again (``max_age=0``, ``prompt=login``) and back to
the page, which says so; pressing again signs.

No test waits for a password to age: the web client keeps its tokens in
memory only, so the stale sign-in is made by answering the client's first
code exchange with an access token from ``council token sekda --auth-age
3600`` (its ``auth_time`` an hour ago) in place of the fresh one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.async_api import expect

from e2e.harness import SLOW, Api, Server, fits_a_phone, no_serious_violations, sign_in

STALE_AUTH_AGE = 3600
"""Seconds before now that the stale token says the password was typed: beyond the 600 s step-up window."""
TITLE = "Komitmen Bersama Percepatan Pekanbaru Smart City Madani"


def signatory(page: Any, section: str, name: str) -> Any:
    """The list item of ``name`` under the heading that starts with ``section``."""
    heading = page.get_by_role("heading", level=2, name=re.compile("^" + re.escape(section)))
    return page.locator("section").filter(has=heading).get_by_role("listitem").filter(has_text=name)


async def test_anyone_reads_the_commitment_and_an_opd_head_signs_it(server: Server, phone: Any, axe: Any) -> None:
    await phone.goto(server.url("/app/"))
    # The header's "Program" link, then the programme pages' tab.
    await phone.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Program").click()
    await phone.get_by_role("navigation", name="Halaman program").get_by_role("link", name="Komitmen").click()
    await expect(phone.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    main = phone.locator("main")
    await expect(main).to_contain_text("SHA-256 teks")
    await expect(main.locator("code.hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    await expect(main).to_contain_text("0 dari 9 telah menandatangani")
    await expect(signatory(phone, "Belum menandatangani", "Bambang Sutrisno")).to_have_count(1)
    await expect(phone.get_by_role("button", name="Tandatangani")).to_have_count(0)
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)

    # An OPD head signs in from the page, comes back to it and signs (the password is fresh).
    await main.get_by_role("button", name="Masuk", exact=True).click()
    await sign_in(phone, "kepala.pupr")
    await phone.wait_for_url(re.compile(r"/app/commitment$"), timeout=SLOW)
    await phone.get_by_role("button", name="Tandatangani").click()
    await expect(signatory(phone, "Sudah menandatangani", "Bambang Sutrisno")).to_have_count(1)
    await expect(main).to_contain_text("1 dari 9 telah menandatangani")
    await expect(phone.get_by_role("button", name="Tandatangani")).to_have_count(0)
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)


async def test_a_stale_password_is_asked_again_then_the_member_signs(server: Server, phone: Any, api: Api) -> None:
    stale = server.council("token", "sekda", "--auth-age", str(STALE_AUTH_AGE)).strip()

    async def stale_exchange(route: Any) -> None:
        """The token endpoint's real answer, its access token swapped for the stale one."""
        response = await route.fetch()
        body = await response.json()
        assert "access_token" in body, body
        await route.fulfill(response=response, json={**body, "access_token": stale})

    await phone.route("**/oauth/token", stale_exchange)
    await phone.goto(server.url("/app/commitment"))
    await phone.locator("main").get_by_role("button", name="Masuk", exact=True).click()
    await sign_in(phone, "sekda")
    await phone.wait_for_url(re.compile(r"/app/commitment$"), timeout=SLOW)
    await phone.unroute("**/oauth/token", stale_exchange)  # the sign-in after the challenge gets real tokens
    await expect(phone.get_by_role("button", name="Tandatangani")).to_be_visible()

    answers: list[dict[str, Any]] = []  # each signCommitment payload, read before the page acts on it

    async def record_signing(route: Any) -> None:
        if "signCommitment" not in (route.request.post_data or ""):
            await route.fallback()
            return
        response = await route.fetch()
        answers.append((await response.json())["data"]["signCommitment"])
        await route.fulfill(response=response)

    await phone.route("**/graphql", record_signing)
    await phone.get_by_role("button", name="Tandatangani").click()
    # The client asks for a password typed now; the sign-in form comes again, then the page.
    await phone.wait_for_url(re.compile(r"/oauth/authorize\?.*max_age=0"))
    assert "prompt=login" in phone.url, phone.url
    await expect(phone.get_by_label(re.compile("^(Nama pengguna|Username)$"))).to_be_visible()
    await sign_in(phone, "sekda")
    await phone.wait_for_url(re.compile(r"/app/commitment$"), timeout=SLOW)
    await expect(phone.get_by_role("status")).to_have_text(re.compile("Anda telah masuk kembali"))

    await phone.get_by_role("button", name="Tandatangani").click()
    await expect(signatory(phone, "Sudah menandatangani", "Rusli Effendi")).to_have_count(1)
    assert len(answers) == 2 and answers[1]["errors"] == [], json.dumps(answers)
    await expect(phone.get_by_role("button", name="Tandatangani")).to_have_count(0)

    data = await api(None, "{ commitment { signatories { signedAt member { username } } } }")
    signed_at = {s["member"]["username"]: s["signedAt"] for s in data["commitment"]["signatories"]}
    assert signed_at["sekda"], signed_at
