"""The technical team assigns a proposal on a phone, the university's reviewer declines it, and sets their
notification preferences (issue 15): the forms' own errors, the API's answer, axe and a 360 px screen.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from e2e.harness import (
    OUTPUT,
    SLOW,
    Server,
    fits_a_phone,
    no_serious_violations,
    open_signed_in,
    proposal_path,
    submitted,
)


async def test_the_team_assigns_a_reviewer_declines_and_sets_notifications(
    server: Server, open_page: Any, axe: Any, api: Any
) -> None:
    title = f"Uji penugasan {uuid.uuid4().hex[:6]}"
    pid = await submitted(api, title, "1000000000")
    tt = await open_page(phone=True)
    await open_signed_in(server, tt, proposal_path(pid), "tim.teknis1")
    section = tt.get_by_test_id("assignments")
    await expect(section.get_by_role("heading", name="Penugasan pengkaji")).to_be_visible(timeout=SLOW)
    form = tt.get_by_test_id("assign-form")
    await form.get_by_role("button", name="Tugaskan").click()
    await expect(form).to_contain_text("Pilih setidaknya satu anggota atau universitas.")
    await expect(form).to_contain_text("Isi batas waktu kajian.")
    await form.get_by_role("group", name="Universitas").get_by_label("Universitas Riau", exact=True).check()
    await form.get_by_label("Batas waktu kajian").fill("2020-01-15")
    await form.get_by_role("button", name="Tugaskan").click()
    await tt.screenshot(path=str(OUTPUT / "assignment-date-past.png"), full_page=True)
    await form.get_by_label("Batas waktu kajian").fill("2030-01-15")
    await form.get_by_role("button", name="Tugaskan").click()
    await expect(form).to_contain_text("1 penugasan dibuat.")
    await expect(section.get_by_test_id("assignment")).to_have_count(1)
    await no_serious_violations(axe, tt)
    await fits_a_phone(tt)
    await tt.screenshot(path=str(OUTPUT / "assignment-made.png"), full_page=True)

    rv = await open_page(phone=True)
    await open_signed_in(server, rv, proposal_path(pid), "reviewer.unri")
    decline = rv.get_by_test_id("decline-assignment")
    await expect(decline).to_be_visible(timeout=SLOW)
    await decline.locator("summary").click()
    await decline.get_by_label("Alasan").fill("Sedang cuti")
    await decline.get_by_role("button", name="Tolak penugasan").click()
    await expect(rv.get_by_test_id("assignment")).to_have_attribute("data-status", "DECLINED", timeout=SLOW)
    await expect(rv.get_by_test_id("assignments")).to_contain_text("Sedang cuti")
    await no_serious_violations(axe, rv)
    await rv.screenshot(path=str(OUTPUT / "assignment-declined.png"), full_page=True)

    await rv.get_by_test_id("nav-tasks").click()
    await rv.get_by_role("link", name="Pengaturan notifikasi").click()
    await expect(rv.get_by_role("heading", level=1, name="Pengaturan notifikasi")).to_be_visible()
    await rv.get_by_label("Alamat surel").fill("bukan-surel")
    await rv.get_by_role("button", name="Simpan pengaturan").click()
    await expect(rv.get_by_text("Isi alamat surel yang benar")).to_be_visible()
    await rv.get_by_label("Alamat surel").fill("reviewer@unri.ac.id")
    await rv.get_by_label("Pemungutan suara dibuka").uncheck()
    await rv.get_by_label("Ringkasan harian").check()
    await rv.get_by_role("button", name="Simpan pengaturan").click()
    await expect(rv.get_by_text("Pengaturan notifikasi tersimpan.")).to_be_visible()
    data = await api(
        "reviewer.unri", "query { viewer { notificationPreferences { email dailyDigest settings { kind email } } } }"
    )
    prefs = data["viewer"]["notificationPreferences"]
    assert prefs["email"] == "reviewer@unri.ac.id" and prefs["dailyDigest"], prefs
    assert {"kind": "BALLOT_OPENED", "email": False} in prefs["settings"], prefs
    await no_serious_violations(axe, rv)
    await fits_a_phone(rv)
    await rv.screenshot(path=str(OUTPUT / "notification-settings.png"), full_page=True)
    assert re.search("/settings/notifications$", rv.url)
