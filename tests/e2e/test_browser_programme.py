"""The programme page (issue 12, item 7): phases and sessions on one timeline, public, on a phone.

Signed out at 360 px: the navigation's "Program" link opens /app/programme,
which shows the seeded Pekanbaru programme (Gerakan Menuju 100 Smart City,
2018, stage II), its three phases and four bimtek in date order with their
dates in the UI language, attendance counts and outputs, and its six pillars;
nothing scrolls sideways, axe finds nothing serious, in both languages.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import expect

from e2e.harness import Server, fits_a_phone, no_serious_violations


async def test_the_programme_page_shows_phases_and_sessions_signed_out_on_a_phone(
    server: Server, phone: Any, axe: Any
) -> None:
    await phone.goto(server.url("/app/"))
    await expect(phone.get_by_role("button", name="Masuk", exact=True)).to_be_visible()
    await phone.get_by_role("navigation").get_by_role("link", name="Program").click()
    await expect(phone.get_by_role("heading", level=1, name="Gerakan Menuju 100 Smart City")).to_be_visible()
    assert phone.url.endswith("/app/programme"), phone.url

    phases = phone.get_by_test_id("timeline-phase")
    sessions = phone.get_by_test_id("timeline-session")
    await expect(phases).to_have_count(3)
    await expect(sessions).to_have_count(4)
    timeline = await phone.locator(".timeline > li h3").all_text_contents()
    assert timeline == [
        "Tahap: Penandatanganan MoU",
        "Tahap: Bimbingan teknis dan penyusunan masterplan",
        "Bimbingan Teknis I",
        "Bimbingan Teknis II",
        "Bimbingan Teknis III",
        "Bimbingan Teknis IV",
        "Tahap: Percepatan dan quick win",
    ], timeline
    await expect(sessions.nth(0).locator(".timeline-date")).to_have_text(re.compile(r"^4\s*–\s*5 Juli 2018$"))
    await expect(sessions.nth(3).locator(".timeline-date")).to_have_text("22 Oktober 2018")
    await expect(sessions.nth(0).get_by_test_id("session-attendance")).to_have_text("14 peserta hadir")
    await expect(sessions.nth(3).get_by_test_id("session-attendance")).to_have_text("20 peserta hadir")
    await expect(sessions.nth(3).get_by_role("listitem")).to_have_text(
        ["Masterplan Pekanbaru Smart City (final)", "Komitmen bersama percepatan Pekanbaru Smart City Madani"]
    )
    await expect(phone.get_by_test_id("programme-pillars").get_by_role("listitem")).to_have_count(6)
    await fits_a_phone(phone)
    await no_serious_violations(axe, phone)

    await phone.get_by_role("button", name="English").click()
    await expect(phone.get_by_role("heading", level=2, name="Timeline")).to_be_visible()
    await expect(sessions.nth(1).locator(".timeline-date")).to_have_text(re.compile(r"^14\s*–\s*15 August 2018$"))
    await expect(sessions.nth(3).get_by_test_id("session-attendance")).to_have_text("20 attendees")
    await expect(phone.get_by_test_id("programme-pillars")).to_contain_text("Smart mobility")
    await fits_a_phone(phone)
    await no_serious_violations(axe, phone)
