"""The master plan page (issue 12): anyone reads it; the chair comments and finalises it. On a phone (360x740).

The seeded plan (one version, a section per pillar, four acceleration
programmes) is not finalised; this test is the only one that finalises it,
last, so it changes nothing another test reads.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import expect

from e2e.harness import SLOW, Server, fits_a_phone, no_serious_violations, sign_in


async def test_anyone_reads_the_plan_and_the_chair_comments_and_finalises(
    server: Server, open_page: Any, axe: Any
) -> None:
    visitor = await open_page(phone=True)
    await visitor.goto(server.url("/app/plan"))
    await expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Masterplan Pekanbaru Smart City Madani 2018-2023"
    )
    await expect(visitor.get_by_role("heading", name="Tata kelola pemerintahan yang pintar")).to_be_visible()
    await expect(visitor.get_by_text("Layanan publik daring", exact=True)).to_be_visible()  # a plan programme
    await expect(visitor.get_by_text("Masuk untuk membaca dan menulis komentar.")).to_be_visible()
    await expect(visitor.get_by_role("button", name="Finalkan masterplan")).to_have_count(0)
    await no_serious_violations(axe, visitor)
    await fits_a_phone(visitor)

    chair = await open_page(phone=True)
    await chair.goto(server.url("/app/"))
    await chair.get_by_role("button", name="Masuk", exact=True).click()
    await sign_in(chair, "walikota")
    await chair.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Program").click()
    await chair.get_by_role("navigation", name="Halaman program").get_by_role("link", name="Masterplan").click()
    await chair.get_by_label("Komentar Anda").fill("Pilar mobilitas perlu target yang terukur.")
    await chair.get_by_role("button", name="Kirim komentar").click()
    await expect(chair.get_by_text("Pilar mobilitas perlu target yang terukur.")).to_be_visible(timeout=SLOW)
    await no_serious_violations(axe, chair)
    await fits_a_phone(chair)

    chair.once("dialog", lambda dialog: dialog.accept())
    await chair.get_by_role("button", name="Finalkan masterplan").click()
    await expect(chair.get_by_test_id("plan-status")).to_contain_text("Difinalkan oleh", timeout=SLOW)
    await expect(chair.get_by_label("Komentar Anda")).to_have_count(0)  # read-only now
    await expect(chair.get_by_role("button", name="Finalkan masterplan")).to_have_count(0)
    await visitor.reload()
    await expect(visitor.get_by_test_id("plan-status")).to_contain_text("Difinalkan oleh")
