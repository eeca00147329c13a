"""An OPD officer creates and submits a draft; the technical team reviews and recommends (issue 5, part 3).

Both on a phone (360x740), in Bahasa Indonesia, with an axe check of each
page; what the pages offer comes from availableActions and availableTransitions.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from e2e.harness import (
    OUTPUT,
    Server,
    assign,
    fits_a_phone,
    no_serious_violations,
    proposal_path,
    review,
    submitted,
)

STATE = "query($id: ID!) { proposal(id: $id) { state budget pillar { code } title } }"


async def _shot(page: Any, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


async def test_an_opd_officer_creates_and_submits_a_draft_on_a_phone(
    server: Server, phone: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    title = f"Sensor genangan daring {uuid.uuid4().hex[:6]}"
    await phone.goto(server.url("/app/"))
    await phone.get_by_role("button", name="Masuk").click()
    await sign_in(phone, "opd.kominfo")
    await phone.wait_for_url(re.compile(r"/app/tasks$"))  # home: "Tugas saya"; the OPD's proposals in the header
    await phone.get_by_role("link", name="Usulan OPD saya", exact=True).click()
    await expect(phone.get_by_role("heading", level=1, name="Usulan OPD saya")).to_be_visible()
    assert re.search(r"/app/mine$", phone.url), phone.url
    await expect(phone.get_by_role("link", name="Aplikasi layanan publik daring", exact=True)).to_be_visible()
    await expect(phone.get_by_text("Rp 15.750.000.000").first).to_be_visible()
    await no_serious_violations(axe, phone)

    await phone.get_by_role("link", name="Usulan baru").click()
    await expect(phone.get_by_role("heading", level=1, name="Usulan baru")).to_be_visible()
    # The pillar select is filled from the `pillars` query.
    await phone.get_by_label("Pilar").select_option("smart_environment")
    # A title the OPD already has: the API's error is shown at the title, as sent.
    await phone.get_by_label("Judul").fill("Aplikasi layanan publik daring")
    await phone.get_by_label("Ringkasan").fill("Sensor genangan di titik rawan banjir, dipantau daring oleh warga.")
    await phone.get_by_label("Anggaran (rupiah)").fill("15,7 miliar")
    await phone.get_by_role("button", name="Simpan draf").click()
    budget_error = phone.get_by_role("alert").filter(has_text="Anggaran harus berupa bilangan bulat rupiah")
    await expect(budget_error).to_be_visible()
    await expect(phone.get_by_label("Anggaran (rupiah)")).to_be_focused()

    await phone.get_by_label("Anggaran (rupiah)").fill("2.750.000.000")
    await phone.get_by_role("button", name="Simpan draf").click()
    title_error = phone.locator("[role=alert]").filter(has_text="Aplikasi layanan publik daring")
    await expect(title_error).to_be_visible()
    await expect(phone.get_by_label("Judul")).to_have_attribute("aria-invalid", "true")
    await _shot(phone, "opd-draft-form-errors")
    await no_serious_violations(axe, phone)

    await phone.get_by_label("Judul").fill(title)
    await phone.get_by_role("button", name="Simpan draf").click()
    await expect(phone.get_by_role("heading", level=1, name="Ubah draf usulan")).to_be_visible()
    await expect(phone.get_by_role("status").filter(has_text="Draf dibuat")).to_be_visible()
    await expect(phone.get_by_label("Anggaran (rupiah)")).to_have_value("2.750.000.000")
    proposal_id = await api.global_id(title, as_user="opd.kominfo")
    saved = (await api("opd.kominfo", STATE, {"id": proposal_id}))["proposal"]
    assert saved == {"state": "draft", "budget": "2750000000", "pillar": {"code": "smart_environment"}, "title": title}

    # Edit the draft, then submit it with the workflow's own button (its label from the workflow file).
    await phone.get_by_label("Anggaran (rupiah)").fill("2800000000")
    await phone.get_by_role("button", name="Simpan draf").click()
    await expect(phone.get_by_role("status").filter(has_text="Draf tersimpan")).to_be_visible()
    await expect(phone.get_by_role("button", name="Tarik usulan")).to_be_visible()
    await no_serious_violations(axe, phone)
    await phone.get_by_role("button", name="Ajukan untuk dikaji").click()
    # Submitted, the draft is no longer the form's: the proposal page opens, saying what happened.
    await phone.wait_for_url(re.compile(re.escape(proposal_path(proposal_id)) + "$"))
    await expect(phone.get_by_role("heading", level=1, name=title)).to_be_visible()
    await expect(
        phone.get_by_role("status").filter(has_text="Berhasil. Status usulan sekarang: Kajian teknis.")
    ).to_be_visible()
    await expect(phone.get_by_text("tidak dapat diubah")).to_have_count(0)
    await expect(phone.get_by_test_id("proposal-state")).to_have_text("Kajian teknis")
    await expect(phone.get_by_role("button", name="Simpan draf")).to_have_count(0)  # no longer editable
    await expect(phone.get_by_role("link", name="Ubah draf")).to_have_count(0)
    state = (await api("opd.kominfo", STATE, {"id": proposal_id}))["proposal"]
    assert state["state"] == "technical_review" and state["budget"] == "2800000000"
    await no_serious_violations(axe, phone)

    await phone.get_by_role("navigation").get_by_role("link", name="Usulan OPD saya").click()
    card = phone.get_by_role("article").filter(has=phone.get_by_role("link", name=title, exact=True))
    await expect(card.get_by_test_id("proposal-state")).to_have_text("Kajian teknis")
    await expect(card.get_by_text("Rp 2.800.000.000")).to_be_visible()
    await expect(card.get_by_role("link", name=re.compile("^Ubah draf"))).to_have_count(0)
    # Progress shows only once reported: not on drafts, nor on a proposal in review.
    await expect(card.get_by_text("Kemajuan pelaksanaan")).to_have_count(0)
    # The page fits a phone: nothing scrolls sideways.
    await fits_a_phone(phone)

    # In English. (Only the client's own words: the harness's contexts pin Accept-Language to the
    # page's locale, which overrides the client's header, so the API still answers in Indonesian.)
    await phone.get_by_role("button", name="English").click()
    await expect(phone.get_by_role("heading", level=1, name="My OPD's proposals")).to_be_visible()
    await expect(card.get_by_text("Budget", exact=True)).to_be_visible()
    await expect(phone.get_by_role("link", name="New proposal")).to_be_visible()
    await no_serious_violations(axe, phone)


async def test_the_technical_team_reviews_and_recommends_on_a_phone(
    server: Server, phone: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    title = f"Lampu jalan pintar {uuid.uuid4().hex[:6]}"
    proposal_id = await submitted(
        api,
        title,
        "4250000000",
        "smart_mobility",
        "Lampu jalan hemat energi yang menyala menurut kepadatan lalu lintas.",
    )
    # The university's review (the recommend guard asks for one), through the API.
    await review(
        api, "reviewer.unri", proposal_id, {"feasibility": 4, "impact": 4, "costEffectiveness": 3, "alignment": 5}
    )
    await assign(api, "tim.teknis1", proposal_id)  # version 2 counts the reviews of assignees only

    await phone.goto(server.url("/app/"))
    await phone.get_by_role("button", name="Masuk").click()
    await sign_in(phone, "tim.teknis1")
    await phone.wait_for_url(re.compile(r"/app/tasks$"))  # home: "Tugas saya"; the review queue in the header
    await phone.get_by_role("link", name="Antrean kajian", exact=True).click()
    await expect(phone.get_by_role("heading", level=1, name="Antrean kajian")).to_be_visible()
    assert re.search(r"/app/reviews$", phone.url), phone.url
    item = phone.get_by_test_id("review-queue-item").filter(has=phone.get_by_role("link", name=title, exact=True))
    await expect(item.get_by_test_id("round-reviews")).to_have_text("1 kajian (putaran 1)")
    await expect(item.get_by_test_id("my-review")).to_have_text("Belum Anda kaji")
    await expect(item.get_by_text("Rp 4.250.000.000")).to_be_visible()
    await no_serious_violations(axe, phone)

    await item.get_by_role("link", name=f"Isi kajian: {title}").click()
    await expect(phone.get_by_role("heading", level=1, name="Kajian usulan")).to_be_visible()
    # One review so far: recommending is not a button yet, and the page says why (blockedTransitions).
    blocked = phone.get_by_test_id("blocked-transitions").locator("li[data-trigger=recommend]")
    await expect(blocked).to_have_text(
        re.compile(
            r"^Rekomendasikan sebagai quick win — belum bisa: Perlu sekurang-kurangnya 2 kajian dalam putaran ini, "
            r"termasuk 1 dari universitas \(baru 1, 1 dari universitas\)"
        )
    )
    await expect(phone.get_by_role("button", name="Rekomendasikan sebagai quick win")).to_have_count(0)
    # Sending without scores: every missing score is named at its group.
    await phone.get_by_role("button", name="Kirim kajian").click()
    await expect(phone.get_by_role("group", name="Kelayakan").get_by_role("alert")).to_have_text(
        "Pilih skor Kelayakan."
    )
    for criterion, score in (("Kelayakan", "4"), ("Dampak", "5"), ("Efektivitas biaya", "3"), ("Keselarasan", "4")):
        await phone.get_by_role("group", name=criterion).get_by_label(score, exact=True).check()
    await phone.get_by_role("group", name="Rekomendasi").get_by_label("Setujui").check()
    await phone.get_by_label("Catatan kajian").fill("Layak dan selaras dengan pilar mobilitas.")
    await _shot(phone, "review-form-filled")
    await no_serious_violations(axe, phone)
    await phone.get_by_role("button", name="Kirim kajian").click()
    await expect(phone.get_by_role("status").filter(has_text="Kajian terkirim")).to_be_visible()
    await expect(phone.get_by_text("2 kajian (putaran 1)")).to_be_visible()
    await expect(blocked).to_have_count(0)  # now a button

    # The workflow's moves for the technical team, from availableTransitions.
    await expect(phone.get_by_role("button", name="Minta revisi")).to_be_visible()
    await expect(phone.get_by_role("button", name="Tolak")).to_be_visible()
    await phone.get_by_role("button", name="Rekomendasikan sebagai quick win").click()
    done = phone.get_by_role("status").filter(has_text="Berhasil. Status usulan sekarang: Persetujuan quick win.")
    await expect(done).to_be_visible()
    await expect(phone.get_by_test_id("proposal-state")).to_have_text("Persetujuan quick win")
    await expect(phone.get_by_role("button", name="Kirim kajian")).to_have_count(0)
    state = (await api("tim.teknis1", STATE, {"id": proposal_id}))["proposal"]
    assert state["state"] == "quick_win_approval"
    await fits_a_phone(phone)
    await no_serious_violations(axe, phone)
