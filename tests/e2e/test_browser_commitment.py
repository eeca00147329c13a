"""The commitment page (issue 12, item 7): public, and an OPD head signs it with one button.

Signed out, on a phone (360x740, Bahasa Indonesia), the page shows the text,
its SHA-256 and who has not signed yet, with no signing button. An OPD head
signs in from it and signs. A second server whose step-up window is short
(``COUNCIL_STEP_UP_MAX_AGE=20``) shows the step-up: once the password is older
than that, pressing the button sends the member through the sign-in form
again and back to the page, which says so; pressing again signs.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.async_api import expect

from e2e.harness import SLOW, Server, fits_a_phone, no_serious_violations, running_server, sign_in

STEP_UP_SECONDS = 20
TITLE = "Komitmen Bersama Percepatan Pekanbaru Smart City Madani"


@pytest.fixture(scope="module")
def step_up_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``council serve`` as the session's ``server``, but asking a password within the last 20 s to sign."""
    home = tmp_path_factory.mktemp("e2e-step-up")
    env = {"COUNCIL_STEP_UP_MAX_AGE": str(STEP_UP_SECONDS)}
    with running_server(home, extra_env=env, name="server-step-up") as srv:
        yield srv


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


async def test_a_stale_password_is_asked_again_then_the_member_signs(step_up_server: Server, phone: Any) -> None:
    server = step_up_server
    await phone.goto(server.url("/app/commitment"))
    await phone.locator("main").get_by_role("button", name="Masuk", exact=True).click()
    await sign_in(phone, "sekda")
    await phone.wait_for_url(re.compile(r"/app/commitment$"), timeout=SLOW)
    await expect(phone.get_by_role("button", name="Tandatangani")).to_be_visible()
    await asyncio.sleep(STEP_UP_SECONDS + 1)  # the password is now older than the server's step-up window

    await phone.get_by_role("button", name="Tandatangani").click()
    await sign_in(phone, "sekda")  # the sign-in form again (prompt=login), then back to the page
    await phone.wait_for_url(re.compile(r"/app/commitment$"), timeout=SLOW)
    await expect(phone.get_by_role("status")).to_have_text(re.compile("Anda telah masuk kembali"))
    await phone.get_by_role("button", name="Tandatangani").click()
    await expect(signatory(phone, "Sudah menandatangani", "Rusli Effendi")).to_have_count(1)
    await expect(phone.get_by_role("button", name="Tandatangani")).to_have_count(0)
