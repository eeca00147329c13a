"""A council member signs in from /app/ on a phone, through the server's own sign-in and consent pages."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from e2e.harness import Server, no_serious_violations


async def test_a_council_member_signs_in_on_a_phone_and_sees_their_name(
    server: Server, phone: Any, sign_in: Any, axe: Any
) -> None:
    await phone.goto(server.url("/app/"))
    await no_serious_violations(axe, phone)
    await phone.get_by_role("button", name="Masuk").click()
    await sign_in(phone, "sekda")
    await expect(phone.get_by_text("Rusli Effendi")).to_be_visible()  # the Sekretaris Daerah's display name
    assert re.search(r"/app/tasks$", phone.url), phone.url  # home goes to "Tugas saya" (issue 15)
    assert await phone.get_attribute("html", "lang") == "id"
