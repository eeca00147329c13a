"""What a second new user's trial found (issue 5): the draft form and pages that are not there.

- The draft form checks every field it can before sending, all at once: an
  empty "Simpan draf" names Pilar, Judul, Ringkasan and Anggaran together.
- While the draft form has unsaved edits the workflow's buttons wait (with a
  note saying to save first): "Ajukan untuk dikaji" would move the saved
  version, not what the inputs show.
- A path the client has no page for says "Halaman tidak ditemukan" with a
  link home, signed in or not.
- A move the viewer's role allows but whose conditions do not hold yet is
  named under the buttons with why (Proposal.blockedTransitions): the chair
  sees why the vote cannot be closed before the quorum.

On a phone (360x740), in Bahasa Indonesia, with an axe check of each page.
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
    on_the_agenda,
    open_signed_in,
    proposal_path,
)

STATE = "query($id: ID!) { proposal(id: $id) { state title summary } }"
HELD = "Simpan perubahan Anda dulu sebelum mengajukan atau menarik usulan."


async def _shot(page: Any, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


async def _client_side_goto(page: Any, path: str) -> None:
    """Go to ``/app{path}`` inside the client (the session lives in memory: a page load would end it)."""
    await page.evaluate(
        "(path) => { history.pushState(null, '', path); dispatchEvent(new PopStateEvent('popstate')); }",
        f"/app{path}",
    )


async def test_an_empty_draft_names_every_field_and_unsaved_edits_hold_the_submit_back(
    server: Server, phone: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    title = f"Trotoar ramah difabel {uuid.uuid4().hex[:6]}"
    changed = f"{title} (revisi)"
    await phone.goto(server.url("/app/"))
    await phone.get_by_role("button", name="Masuk").click()
    await sign_in(phone, "opd.pupr")
    await phone.wait_for_url(re.compile(r"/app/tasks$"))  # home: "Tugas saya"; the OPD's proposals in the header
    await phone.get_by_role("link", name="Usulan OPD saya", exact=True).click()
    await expect(phone.get_by_role("heading", level=1, name="Usulan OPD saya")).to_be_visible()
    await phone.get_by_role("link", name="Usulan baru").click()
    await expect(phone.get_by_role("heading", level=1, name="Usulan baru")).to_be_visible()

    # Sending the empty form: the client's own checks name all four fields at once, the first one focused.
    await phone.get_by_role("button", name="Simpan draf").click()
    for label, message in (
        ("Pilar", "Pilih pilar terlebih dahulu."),
        ("Judul", "Isi judul terlebih dahulu."),
        ("Ringkasan", "Isi ringkasan terlebih dahulu."),
        ("Anggaran (rupiah)", "Anggaran harus berupa bilangan bulat rupiah, misalnya 15.750.000.000."),
    ):
        field = phone.get_by_label(label, exact=True)
        await expect(field).to_have_attribute("aria-invalid", "true")
        await expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    await expect(phone.get_by_label("Pilar", exact=True)).to_be_focused()
    await _shot(phone, "opd-draft-empty-errors")
    await no_serious_violations(axe, phone)
    # Spaces are not a title.
    await phone.get_by_label("Judul").fill("   ")
    await phone.get_by_label("Pilar").select_option("smart_mobility")
    await phone.get_by_label("Ringkasan").fill("Trotoar dengan jalur pemandu dan ram di koridor Jalan Sudirman.")
    await phone.get_by_label("Anggaran (rupiah)").fill("1.200.000.000")
    await phone.get_by_role("button", name="Simpan draf").click()
    await expect(phone.get_by_role("alert").filter(has_text="Isi judul terlebih dahulu.")).to_be_visible()
    await expect(phone.get_by_label("Judul")).to_be_focused()
    await expect(phone.get_by_text("Pilih pilar terlebih dahulu.")).to_have_count(0)
    await phone.get_by_label("Judul").fill(title)
    await phone.get_by_role("button", name="Simpan draf").click()
    await expect(phone.get_by_role("heading", level=1, name="Ubah draf usulan")).to_be_visible()
    proposal_id = await api.global_id(title, as_user="opd.pupr")

    # Saved: the workflow's buttons fire, no note.
    submit = phone.get_by_role("button", name="Ajukan untuk dikaji")
    withdraw = phone.get_by_role("button", name="Tarik usulan")
    await expect(submit).to_be_enabled()
    await expect(phone.get_by_test_id("transitions-held")).to_have_count(0)

    # An edit not saved yet: the buttons wait, and say why.
    await phone.get_by_label("Judul").fill(changed)
    held = phone.get_by_test_id("transitions-held")
    await expect(held).to_have_text(HELD)
    await expect(submit).to_be_disabled()
    await expect(withdraw).to_be_disabled()
    await expect(submit).to_have_accessible_description(HELD)
    await _shot(phone, "opd-draft-unsaved-held")
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)
    # Typing it back as it was saved: nothing pending any more.
    await phone.get_by_label("Judul").fill(title)
    await expect(held).to_have_count(0)
    await expect(submit).to_be_enabled()

    # Change, save, then submit: the proposal goes with the saved change.
    await phone.get_by_label("Judul").fill(changed)
    await expect(submit).to_be_disabled()
    await phone.get_by_role("button", name="Simpan draf").click()
    await expect(phone.get_by_role("status").filter(has_text="Draf tersimpan")).to_be_visible()
    await expect(held).to_have_count(0)
    await expect(submit).to_be_enabled()
    await submit.click()
    await phone.wait_for_url(re.compile(re.escape(proposal_path(proposal_id)) + "$"))
    await expect(phone.get_by_role("heading", level=1, name=changed)).to_be_visible()
    saved = (await api("opd.pupr", STATE, {"id": proposal_id}))["proposal"]
    assert saved["state"] == "technical_review" and saved["title"] == changed, saved

    # In English, the note too.
    await phone.get_by_role("button", name="English").click()
    await phone.get_by_role("navigation").get_by_role("link", name="My OPD's proposals").click()
    await expect(phone.get_by_role("heading", level=1, name="My OPD's proposals")).to_be_visible()
    await phone.get_by_role("link", name="New proposal").click()
    await phone.get_by_role("button", name="Save draft").click()
    await expect(phone.get_by_role("alert").filter(has_text="Please enter a title first.")).to_be_visible()
    await expect(phone.get_by_role("alert").filter(has_text="Please enter a summary first.")).to_be_visible()


async def test_a_path_the_client_does_not_have_is_not_found_signed_in_or_not(
    server: Server, phone: Any, sign_in: Any, axe: Any
) -> None:
    # Without a session: not the landing page, but "not found" with the way home.
    await phone.goto(server.url("/app/nonexistent"))
    await expect(phone.get_by_role("heading", level=1, name="Halaman tidak ditemukan")).to_be_visible()
    await expect(phone.get_by_role("heading", name="Usulan yang dipublikasikan")).to_have_count(0)
    await no_serious_violations(axe, phone)
    await phone.get_by_role("link", name="Ke beranda").click()
    await expect(phone).to_have_url(re.compile(r"/app/?$"))
    await expect(phone.get_by_role("heading", name="Usulan yang dipublikasikan")).to_be_visible()
    # The app's own pages still ask to sign in (and come back there).
    await phone.goto(server.url("/app/agenda"))
    await expect(phone.get_by_role("button", name="Masuk", exact=True)).to_be_visible()
    await expect(phone.get_by_role("heading", level=1, name="Halaman tidak ditemukan")).to_have_count(0)

    # Signed in: the same page, in the frame with the viewer's name.
    await phone.get_by_role("button", name="Masuk", exact=True).click()
    await sign_in(phone, "sekda")
    await expect(phone.get_by_role("heading", level=1, name="Agenda dewan")).to_be_visible()
    await _client_side_goto(phone, "/nonexistent/deeper")
    await expect(phone.get_by_role("heading", level=1, name="Halaman tidak ditemukan")).to_be_visible()
    await expect(phone.get_by_text("Masuk sebagai")).to_be_visible()
    await _shot(phone, "not-found-signed-in")
    await no_serious_violations(axe, phone)
    await phone.get_by_role("button", name="English").click()
    await expect(phone.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    await phone.get_by_role("link", name="Go to the home page").click()
    await expect(phone.get_by_role("heading", level=1, name="My tasks")).to_be_visible()  # home: "Tugas saya"


async def test_the_chair_sees_why_the_vote_cannot_be_closed_yet(server: Server, phone: Any, axe: Any, api: Any) -> None:
    title = f"Halte pintar {uuid.uuid4().hex[:6]}"
    pid = await on_the_agenda(api, title, "950000000")
    await open_signed_in(server, phone, proposal_path(pid), "walikota")
    await expect(phone.get_by_role("heading", level=1, name=title)).to_be_visible()
    blocked = phone.get_by_test_id("blocked-transitions").locator("li[data-trigger=close_vote]")
    # Two ways to close, either enough: the quorum, or the deadline ("atau", not "; ").
    await expect(blocked).to_have_text(
        re.compile(
            r"^Tutup pemungutan suara — belum bisa: Kuorum belum tercapai: 0 dari \d+ suara atau "
            r"batas waktu pemungutan suara belum lewat$"
        )
    )
    await expect(phone.get_by_role("button", name="Tutup pemungutan suara")).to_have_count(0)
    # The ballot's own line stays: it is for everyone, not only the chair.
    await expect(phone.get_by_test_id("quorum")).to_have_text(re.compile(r"^Kuorum belum tercapai: 0 dari \d+ suara$"))
    await _shot(phone, "chair-close-vote-blocked")
    await (
        phone.locator("section")
        .filter(has=blocked)
        .screenshot(path=str(OUTPUT / "chair-close-vote-blocked-actions.png"))
    )
    await no_serious_violations(axe, phone)
