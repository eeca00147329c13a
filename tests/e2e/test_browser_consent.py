"""Remembered consent in the browser: a member's second sign-in through the web client skips the consent page."""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from e2e.harness import Server

MEMBER = "kepala.dlhk"
"""A council member; the test withdraws any consent they gave in earlier tests of the session first."""


async def test_the_second_sign_in_of_a_member_skips_the_consent_page(
    server: Server, open_page: Any, sign_in: Any
) -> None:
    server.council("members", "revoke-consent", MEMBER, "--client", "council-web")

    first = await open_page(phone=True)
    await first.goto(server.url("/app/"))
    await first.get_by_role("button", name="Masuk").click()
    assert await sign_in(first, MEMBER) is True  # the consent page, the first time

    second = await open_page(phone=True)  # another browser: no session of the first one's
    await second.goto(server.url("/app/"))
    await second.get_by_role("button", name="Masuk").click()
    assert await sign_in(second, MEMBER) is False  # straight back after the password
    assert re.search(r"/app/tasks$", second.url), second.url  # home: "Tugas saya"
    await expect(second.get_by_role("button", name="Keluar")).to_be_visible()
