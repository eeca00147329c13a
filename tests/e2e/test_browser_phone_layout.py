"""The frame and the controls on a phone (issue 5, a new user's trial at 360x740).

The header is compact (one row for the app name, the language switch and
sign-out; one line for the viewer and a navigation row that scrolls sideways)
in both languages, and every link, button, disclosure and toggle chip is at
least 44 px tall, a touch target (WCAG 2.5.5).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from e2e.harness import (
    OUTPUT,
    Server,
    fits_a_phone,
    no_serious_violations,
    open_signed_in,
    proposal_path,
    review,
    submitted,
)

HEADER_MAX = 140
"""px: the header's height on a 360 px phone (it was 218 px in Bahasa Indonesia, 260 px in English)."""

SMALL_TARGETS = """() => [...document.querySelectorAll('a[href], button, summary, label.chip')]
  .filter((el) => !el.classList.contains('skip-link'))
  .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
  .filter((el) => el.getBoundingClientRect().height < 43.5)
  .map((el) => `${el.outerHTML.slice(0, 100)} (${Math.round(el.getBoundingClientRect().height)} px)`)"""

HEADER = """() => {
  const header = document.querySelector('.site-header').getBoundingClientRect();
  const tops = [...document.querySelectorAll('.site-header .nav-link')].map((a) => a.getBoundingClientRect().top);
  return { height: header.height, navRows: new Set(tops).size };
}"""


async def _compact_header(page: Any, shot: str | None = None) -> None:
    """The header fits HEADER_MAX, its navigation one row; ``shot`` names a picture of the screen's top."""
    if shot:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(OUTPUT / f"{shot}.png"), clip={"x": 0, "y": 0, "width": 360, "height": 200})
    header = await page.evaluate(HEADER)
    assert header["height"] <= HEADER_MAX, header
    assert header["navRows"] <= 1, header
    await fits_a_phone(page)


async def _touch_targets(page: Any) -> None:
    small = await page.evaluate(SMALL_TARGETS)
    assert not small, "smaller than 44 px:\n" + "\n".join(small)


async def test_the_header_is_compact_and_every_control_a_touch_target_on_a_phone(
    server: Server, open_page: Any, axe: Any, api: Any
) -> None:
    title = f"Halte pintar {uuid.uuid4().hex[:6]}"
    pid = await submitted(
        api, title, "980000000", "smart_mobility", "Halte dengan jadwal bus waktu nyata dan tombol darurat."
    )
    await review(api, "reviewer.unri", pid, {"feasibility": 4, "impact": 4, "costEffectiveness": 4, "alignment": 4})

    # The landing page, signed out.
    phone = await open_page(phone=True)
    await phone.goto(server.url("/app/"))
    await expect(phone.get_by_role("button", name="Masuk", exact=True)).to_be_visible()
    await _compact_header(phone)
    await _touch_targets(phone)

    # The OPD's head sits on the council too: "Tugas saya" (issue 15), two navigation links, the public dashboard's and
    # the public programme's (its plan and commitment are tabs on its pages); both languages.
    await open_signed_in(server, phone, "/mine", "kepala.kominfo")
    await expect(phone.get_by_role("heading", level=1, name="Usulan OPD saya")).to_be_visible()
    nav = phone.get_by_role("navigation")
    await expect(nav.get_by_role("link")).to_have_count(5)
    await _compact_header(phone, "phone-header-id")
    await _touch_targets(phone)
    await phone.get_by_role("button", name="English").click()
    await expect(phone.get_by_role("heading", level=1, name="My OPD's proposals")).to_be_visible()
    await _compact_header(phone, "phone-header-en")
    await _touch_targets(phone)
    await no_serious_violations(axe, phone)
    await nav.get_by_role("link", name="Council agenda").click()
    await expect(phone.get_by_role("heading", level=1, name="Council agenda")).to_be_visible()
    await _compact_header(phone)
    await _touch_targets(phone)

    # The review form: the rubric's scores and the recommendation are chips the size of the vote buttons,
    # still radio buttons in a named group, chosen with the keyboard too.
    reviewer = await open_page(phone=True)
    await open_signed_in(server, reviewer, f"{proposal_path(pid)}/review", "tim.teknis1")
    await expect(reviewer.get_by_role("heading", level=1, name="Kajian usulan")).to_be_visible()
    await _compact_header(reviewer)
    await _touch_targets(reviewer)
    feasibility = reviewer.get_by_role("group", name="Kelayakan")
    await expect(feasibility.get_by_role("radio")).to_have_count(5)
    await feasibility.get_by_label("3", exact=True).focus()
    await reviewer.keyboard.press("Space")
    await expect(feasibility.get_by_label("3", exact=True)).to_be_checked()
    await reviewer.keyboard.press("ArrowRight")
    await expect(feasibility.get_by_label("4", exact=True)).to_be_checked()
    await expect(feasibility.get_by_label("4", exact=True)).to_be_focused()
    chip = feasibility.locator("label.chip").nth(3)
    box = await chip.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, box
    # The focus shows on the chip: its face has the focus ring.
    outline = await chip.locator(".chip-face").evaluate("(el) => getComputedStyle(el).outlineStyle")
    assert outline == "solid", outline
    await reviewer.get_by_role("group", name="Rekomendasi").get_by_label("Perlu revisi").click()
    await expect(reviewer.get_by_role("group", name="Rekomendasi").get_by_label("Perlu revisi")).to_be_checked()
    await no_serious_violations(axe, reviewer)
    assert re.search(r"/review$", reviewer.url), reviewer.url
