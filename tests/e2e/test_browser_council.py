"""The council member's path in a real browser (issue 5, part 2 and "Done when").

On a phone (360x740) in Bahasa Indonesia unless said otherwise, with an axe
check (zero serious or critical violations) of every page visited. Each test
walks its own new Diskominfotik proposal to ``quick_win_approval`` through the
API (submitted by opd.kominfo, reviewed by tim.teknis1 and reviewer.unri,
recommended by tim.teknis2), so the tests share no ballot. On such a ballot
the eligible voters are walikota, sekda, kepala.bappeda, kepala.pupr,
kepala.dlhk and rektor.unri; kepala.kominfo (Diskominfotik) has a conflict of
interest.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import expect

from e2e.harness import (
    OUTPUT,
    SLOW,
    TRANSITION,
    Server,
    cast_vote,
    fits_a_phone,
    no_serious_violations,
    ok,
    on_the_agenda,
    open_signed_in,
    proposal_path,
    read_ballot,
)

WIB = ZoneInfo("Asia/Jakarta")
HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
CLOSE_VOTE = "Tutup pemungutan suara"  # the workflow's id label of close_vote


def _tanggal(iso: str, *, weekday: bool) -> str:
    """An instant as the client writes it in Bahasa Indonesia: "Minggu, 6 Desember 2026 pukul 22.31 WIB"."""
    t = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(WIB)
    day = f"{HARI[t.weekday()]}, " if weekday else ""
    return f"{day}{t.day} {BULAN[t.month - 1]} {t.year} pukul {t:%H.%M} WIB"


async def test_a_council_member_votes_on_a_phone_and_sees_the_tally_move_live(
    server: Server, phone: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    title = f"Perizinan usaha daring {uuid.uuid4().hex[:6]}"
    pid = await on_the_agenda(api, title, "15750000000")
    closes_at = (await read_ballot(api, "kepala.bappeda", pid))["ballot"]["closesAt"]

    # Sign in from /app/ (the server's sign-in page is checked by axe too); home is "Tugas saya", then the agenda.
    await phone.goto(server.url("/app/"))
    await phone.get_by_role("button", name="Masuk", exact=True).click()
    await phone.wait_for_url(re.compile(r"/oauth/authorize\?"))
    await no_serious_violations(axe, phone)
    await sign_in(phone, "kepala.bappeda")
    await phone.wait_for_url(re.compile(r"/app/tasks$"))
    await phone.get_by_role("link", name="Agenda dewan", exact=True).click()
    await expect(phone.get_by_role("heading", level=1, name="Agenda dewan")).to_be_visible()
    assert re.search(r"/app/agenda$", phone.url), phone.url

    card = phone.get_by_role("article").filter(has=phone.get_by_role("link", name=title, exact=True))
    await expect(card).to_have_count(1)
    facts = card.locator("dl.facts")
    await expect(facts.locator("dt:text-is('OPD') + dd")).to_have_text(re.compile(r"Diskominfotik|Komunikasi"))
    await expect(facts.locator("dt:text-is('Pilar') + dd")).to_have_text("Tata kelola pemerintahan yang pintar")
    await expect(facts.locator("dt:text-is('Anggaran') + dd")).to_have_text("Rp 15.750.000.000")
    summary = facts.locator("dt:text-is('Ringkasan kajian') + dd")
    await expect(summary).to_contain_text("2 setuju, 0 revisi, 0 tolak")
    # Means of (4, 5) (5, 4) (3, 4) (5, 4), with the Indonesian decimal comma.
    await expect(summary).to_contain_text("Kelayakan 4,5 · Dampak 4,5 · Efektivitas biaya 3,5 · Keselarasan 4,5")
    await expect(facts.locator("dt:text-is('Batas waktu') + dd")).to_have_text(_tanggal(closes_at, weekday=True))
    await expect(card.get_by_test_id("agenda-my-vote")).to_have_text("Belum memilih")
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    await phone.screenshot(path=str(OUTPUT / "test_browser_council-agenda.png"), full_page=True)

    # The proposal page: vote Ya, see it marked and counted.
    await card.get_by_role("link", name=re.compile("^Buka usulan")).click()
    await expect(phone.get_by_role("heading", level=1, name=title)).to_be_visible()
    yes = phone.get_by_role("button", name="Ya", exact=True)
    no = phone.get_by_role("button", name="Tidak", exact=True)
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("0 dari 6 anggota telah memilih")
    await no_serious_violations(axe, phone)
    await yes.click()
    await expect(yes).to_have_attribute("aria-pressed", "true")
    await expect(no).to_have_attribute("aria-pressed", "false")
    await expect(phone.get_by_test_id("my-vote")).to_have_text("Suara Anda: Ya")
    await expect(phone.get_by_test_id("tally-yes")).to_have_text("1")
    await expect(phone.get_by_test_id("tally-no")).to_have_text("0")

    # Change to Tidak: the mark and the tally move.
    await no.click()
    await expect(no).to_have_attribute("aria-pressed", "true")
    await expect(yes).to_have_attribute("aria-pressed", "false")
    await expect(phone.get_by_test_id("my-vote")).to_have_text("Suara Anda: Tidak")
    await expect(phone.get_by_test_id("tally-yes")).to_have_text("0")
    await expect(phone.get_by_test_id("tally-no")).to_have_text("1")
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("1 dari 6 anggota telah memilih")

    # Another member votes through the API: the tally changes on this page without a reload.
    await phone.evaluate("() => { window.__sameDocument = true; }")
    await cast_vote(api, "sekda", pid, "YES")
    await expect(phone.get_by_test_id("tally-yes")).to_have_text("1", timeout=SLOW)
    await expect(phone.get_by_test_id("tally-no")).to_have_text("1")
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("2 dari 6 anggota telah memilih")
    assert await phone.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    await expect(phone.get_by_test_id("my-vote")).to_have_text("Suara Anda: Tidak")
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)

    # The vote is counted.
    ballot = (await read_ballot(api, "kepala.bappeda", pid))["ballot"]
    assert ballot["tally"] == {"yes": 1, "no": 1, "abstain": 0}, ballot
    assert ballot["myVote"] == "NO" and ballot["votesCast"] == 2, ballot
    assert (await read_ballot(api, "sekda", pid))["ballot"]["myVote"] == "YES"


async def test_a_recused_member_and_the_owning_opds_member_see_why_they_cannot_vote(
    server: Server, open_page: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    title = f"Dasbor kinerja kelurahan {uuid.uuid4().hex[:6]}"
    pid = await on_the_agenda(api, title, "2300000000")
    path = proposal_path(pid)
    reason = "Adik saya direktur salah satu calon penyedia"

    # kepala.dlhk votes, then declares a conflict of interest on the proposal page.
    await cast_vote(api, "kepala.dlhk", pid, "YES")
    phone = await open_page(phone=True)
    await open_signed_in(server, phone, path, "kepala.dlhk")
    await expect(phone.get_by_role("heading", level=1, name=title)).to_be_visible()
    await expect(phone.get_by_test_id("my-vote")).to_have_text("Suara Anda: Ya")
    # A disclosure: opened by its summary.
    form = phone.locator("details").filter(has=phone.get_by_role("heading", name="Nyatakan benturan kepentingan"))
    await form.locator("summary").click()
    await form.get_by_label("Alasan").fill(reason)
    await no_serious_violations(axe, phone)
    await form.get_by_role("button", name="Nyatakan benturan kepentingan").click()
    await expect(
        phone.get_by_role("status").filter(has_text="Benturan kepentingan Anda telah dicatat.")
    ).to_be_visible()

    denial = phone.get_by_test_id("vote-denial")
    await expect(denial).to_have_attribute("data-code", "CONFLICT_OF_INTEREST")
    await expect(denial).to_contain_text("Anda tidak dapat memilih")
    await expect(denial).to_contain_text("Anda telah menyatakan benturan kepentingan atas usulan ini")
    await expect(denial).to_contain_text(f"Alasan benturan kepentingan: {reason}")
    await expect(phone.get_by_role("group", name="Pilihan Anda")).to_have_count(0)
    for choice in ("Ya", "Tidak", "Abstain"):
        await expect(phone.get_by_role("button", name=choice, exact=True)).to_have_count(0)
    # The vote already cast is withdrawn; the recusal is listed on the ballot.
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("0 dari 5 anggota telah memilih")
    await expect(phone.get_by_text(f"Yusniar Siregar: {reason}", exact=False)).to_be_visible()
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)
    seen = await read_ballot(api, "kepala.dlhk", pid)
    assert seen["voteDenial"]["code"] == "CONFLICT_OF_INTEREST", seen
    assert "castVote" not in seen["availableActions"], seen

    # The head of the owning OPD (Diskominfotik) has a conflict of interest by rule.
    head = await open_page(phone=True)
    await open_signed_in(server, head, path, "kepala.kominfo")
    denial = head.get_by_test_id("vote-denial")
    await expect(denial).to_have_attribute("data-code", "CONFLICT_OF_INTEREST")
    await expect(denial).to_contain_text("Anda tidak boleh memberikan suara untuk usulan organisasi Anda sendiri")
    await expect(denial).not_to_contain_text("Alasan benturan kepentingan")
    await expect(head.get_by_role("button", name="Ya", exact=True)).to_have_count(0)
    await no_serious_violations(axe, head)
    await fits_a_phone(head)


async def test_the_chair_closes_the_vote_and_sees_the_result(
    server: Server, phone: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    title = f"Integrasi CCTV simpang {uuid.uuid4().hex[:6]}"
    pid = await on_the_agenda(api, title, "4100000000", pillar="smart_mobility")
    ballot = (await read_ballot(api, "walikota", pid))["ballot"]
    assert ballot["quorum"] == 4 and ballot["eligibleCount"] == 6, ballot
    for member in ("sekda", "kepala.bappeda", "kepala.pupr"):  # one short of the quorum
        await cast_vote(api, member, pid, "YES")

    await open_signed_in(server, phone, proposal_path(pid), "walikota")
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("3 dari 6 anggota telah memilih")
    # Why there is no close button yet: the quorum, as numbers.
    await expect(phone.get_by_test_id("quorum")).to_have_text("Kuorum belum tercapai: 3 dari 4 suara")
    close = phone.get_by_role("button", name=CLOSE_VOTE, exact=True)
    assert "close_vote" not in (await read_ballot(api, "walikota", pid))["availableTransitions"]
    await expect(close).to_have_count(0)

    # Another member's vote, cast through the API, reaches the quorum: the page hears it live, asks the API
    # again, and offers close_vote without a reload.
    await cast_vote(api, "rektor.unri", pid, "YES")
    await expect(phone.get_by_test_id("tally-yes")).to_have_text("4", timeout=SLOW)
    assert "close_vote" in (await read_ballot(api, "walikota", pid))["availableTransitions"]
    await expect(close).to_be_visible(timeout=SLOW)
    await expect(phone.get_by_test_id("quorum")).to_have_text("Kuorum tercapai")
    await no_serious_violations(axe, phone)

    await close.click()
    confirm = phone.get_by_role("alertdialog")
    await expect(confirm).to_contain_text(CLOSE_VOTE)
    await no_serious_violations(axe, phone)
    await confirm.get_by_role("button", name="Ya, lanjutkan").click()
    await expect(phone.get_by_test_id("ballot-result")).to_have_text("Hasil: Disetujui")
    # The result is where the chair looks: focused and on screen (the button was far below it).
    await expect(phone.get_by_test_id("ballot-closed")).to_be_focused()
    await expect(phone.get_by_test_id("ballot-result")).to_be_in_viewport()
    await expect(
        phone.get_by_role("status").filter(has_text="Berhasil. Status usulan sekarang: Pelaksanaan.")
    ).to_have_count(1)
    await expect(phone.get_by_test_id("proposal-state")).to_have_text("Pelaksanaan")
    await expect(phone.get_by_text("Pemungutan suara telah ditutup.")).to_be_visible()
    await expect(phone.get_by_role("button", name="Ya", exact=True)).to_have_count(0)
    await expect(close).to_have_count(0)
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)

    done = await read_ballot(api, "walikota", pid)
    assert done["state"] == "implementation", done
    assert done["ballot"]["closed"] and done["ballot"]["result"] == "APPROVED", done
    assert done["ballot"]["tally"] == {"yes": 4, "no": 0, "abstain": 0}, done


async def test_the_proposal_page_in_bahasa_indonesia_and_in_english(
    server: Server, phone: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    title = f"Portal data terbuka {uuid.uuid4().hex[:6]}"
    pid = await on_the_agenda(api, title, "3450000000")
    closes_at = (await read_ballot(api, "rektor.unri", pid))["ballot"]["closesAt"]
    await open_signed_in(server, phone, proposal_path(pid), "rektor.unri")
    main = phone.locator("main")
    deadline = phone.locator("section.ballot dl.facts dd").first  # the ballot's deadline, in either language

    # Bahasa Indonesia, the default.
    await expect(phone.get_by_role("heading", level=1, name=title)).to_be_visible()
    assert await phone.get_attribute("html", "lang") == "id"
    for heading in ("Ringkasan", "Pemungutan suara", "Perolehan suara", "Kajian", "Riwayat"):
        await expect(main.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    await expect(phone.get_by_test_id("proposal-state")).to_have_text("Persetujuan quick win")
    await expect(main.locator("dt:text-is('Anggaran') + dd")).to_have_text("Rp 3.450.000.000")
    await expect(deadline).to_have_text(_tanggal(closes_at, weekday=True))
    for choice in ("Ya", "Tidak", "Abstain"):
        await expect(phone.get_by_role("button", name=choice, exact=True)).to_be_visible()
    await expect(phone.get_by_role("button", name="Keluar")).to_be_visible()
    await expect(main).to_contain_text("Ajukan untuk dikaji")  # the history, with the workflow's labels
    await no_serious_violations(axe, phone)

    # English, from the switch in the header.
    await phone.get_by_role("group", name="Bahasa").get_by_role("button", name="English").click()
    await expect(phone.locator("html")).to_have_attribute("lang", "en")
    for heading in ("Summary", "Vote", "Tally", "Reviews", "History"):
        await expect(main.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    await expect(phone.get_by_test_id("proposal-state")).to_have_text("Quick win approval")
    await expect(main.locator("dt:text-is('Budget') + dd")).to_have_text("Rp 3.450.000.000")
    for choice in ("Yes", "No", "Abstain"):
        await expect(phone.get_by_role("button", name=choice, exact=True)).to_be_visible()
    await expect(phone.get_by_role("button", name="Sign out")).to_be_visible()
    await expect(phone.get_by_role("navigation").get_by_role("link", name="Council agenda")).to_be_visible()
    await expect(main).to_contain_text("Submit for review")
    await expect(main).to_contain_text("0 of 6 members have voted")
    # Dates keep the Indonesian conventions: day before month, 24-hour clock, WIB, the city's time.
    t = datetime.fromisoformat(closes_at.replace("Z", "+00:00")).astimezone(WIB)
    await expect(deadline).to_have_text(
        re.compile(rf"^{t:%A},? {t.day} {MONTHS[t.month - 1]} {t.year}(,| at) {t:%H:%M} WIB$")
    )
    text = await main.inner_text()
    for indonesian in (
        "Ringkasan",
        "Anggaran",
        "Pilar",
        "Pemungutan suara",
        "Perolehan",
        "Kajian teknis",
        "Riwayat",
        "Batas waktu",
        "Kuorum",
        "anggota telah memilih",
        "Pilihan Anda",
        "Putaran",
        "Rekomendasi",
        "Setujui",
        "Kelayakan",
        "Dampak",
        "Ajukan untuk dikaji",
        "Nyatakan",
    ):
        assert indonesian not in text, f"{indonesian!r} is still on the English page"
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)

    # And back: the choice follows the switch both ways.
    await phone.get_by_role("group", name="Language").get_by_role("button", name="Indonesia").click()
    await expect(phone.locator("html")).to_have_attribute("lang", "id")
    await expect(main.get_by_role("heading", name="Riwayat", exact=True)).to_be_visible()


async def test_an_expired_session_goes_back_to_sign_in_and_the_vote_is_still_cast(
    server: Server, phone: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    title = f"Aduan warga terpadu {uuid.uuid4().hex[:6]}"
    pid = await on_the_agenda(api, title, "1275000000")
    path = proposal_path(pid)
    tokens: dict[str, Any] = {}

    async def keep_tokens(response: Any) -> None:
        if response.url.endswith("/oauth/token") and response.ok:
            tokens.update(await response.json())

    phone.on("response", keep_tokens)
    await open_signed_in(server, phone, path, "kepala.pupr")
    yes = phone.get_by_role("button", name="Ya", exact=True)
    await expect(yes).to_be_visible()
    await expect(phone.get_by_test_id("my-vote")).to_have_text("Anda belum memilih.")
    assert tokens.get("refresh_token"), tokens

    # The session ends behind the page's back: its grant is revoked on the server (RFC 7009; revoking the
    # refresh token revokes the whole grant, its live access token too). The next request gets 401 and
    # the refresh invalid_grant, as after a revocation by an administrator or a sign-out elsewhere.
    async with httpx.AsyncClient(timeout=30) as http:
        revoked = await http.post(
            server.url("/oauth/revoke"),
            data={
                "token": tokens["refresh_token"],
                "token_type_hint": "refresh_token",
                "client_id": "council-web",
            },
        )
    assert revoked.status_code == 200, revoked.text

    await yes.click()
    await phone.wait_for_url(re.compile(r"/oauth/authorize\?"), timeout=SLOW)
    assert "ui_locales=id" in phone.url, phone.url
    await no_serious_violations(axe, phone)
    await sign_in(phone, "kepala.pupr")
    await phone.wait_for_url(re.compile(re.escape(path) + "$"), timeout=SLOW)

    # Back on the proposal, the vote is cast as the same member.
    await expect(phone.get_by_test_id("my-vote")).to_have_text("Suara Anda: Ya", timeout=SLOW)
    await expect(yes).to_have_attribute("aria-pressed", "true")
    await expect(phone.get_by_role("status").filter(has_text="Suara tertunda Anda (Ya) telah dikirim")).to_be_visible()
    await expect(phone.get_by_test_id("tally-yes")).to_have_text("1")
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)
    ballot = (await read_ballot(api, "kepala.pupr", pid))["ballot"]
    assert ballot["myVote"] == "YES" and ballot["tally"] == {"yes": 1, "no": 0, "abstain": 0}, ballot
    assert not await phone.evaluate("() => sessionStorage.getItem('council.pendingVote')"), "the vote is still pending"


async def test_the_opd_reports_progress_on_a_quick_win_and_completes_it(
    server: Server, phone: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    """After the council's vote, the owning OPD reports progress (never backwards) and marks it completed."""
    title = f"Sensor kualitas udara {uuid.uuid4().hex[:6]}"
    pid = await on_the_agenda(api, title, "1250000000", pillar="smart_environment")
    for member in ("sekda", "kepala.bappeda", "kepala.pupr", "walikota"):
        await cast_vote(api, member, pid, "YES")
    closed = ok(
        (await api("walikota", TRANSITION, {"input": {"proposalId": pid, "trigger": "close_vote"}}))[
            "transitionProposal"
        ]
    )
    assert closed["proposal"]["state"] == "implementation", closed

    await open_signed_in(server, phone, proposal_path(pid), "opd.kominfo")
    await expect(phone.get_by_test_id("proposal-state")).to_have_text("Pelaksanaan")
    form = phone.get_by_role("form", name="Laporkan kemajuan")
    await form.get_by_label("Kemajuan (%)").fill("40")
    await form.get_by_label("Catatan").fill("Sepuluh sensor terpasang di Jalan Sudirman")
    await form.get_by_role("button", name="Laporkan kemajuan").click()
    await expect(form.get_by_role("status")).to_have_text("Kemajuan dilaporkan.")
    reports = phone.get_by_test_id("progress-reports")
    await expect(reports).to_contain_text("40% — Sepuluh sensor terpasang di Jalan Sudirman")
    await no_serious_violations(axe, phone)

    # Backwards is refused by the API, whose message shows at the field.
    await form.get_by_label("Kemajuan (%)").fill("30")
    await form.get_by_role("button", name="Laporkan kemajuan").click()
    await expect(form.get_by_role("alert").first).to_contain_text("Kemajuan tidak boleh turun dari 40% ke 30%")
    await expect(reports.get_by_role("listitem")).to_have_count(1)

    # At 100 % the workflow's complete transition (guard progress_complete) is offered, with its label.
    complete = phone.get_by_role("button", name="Tandai selesai", exact=True)
    await expect(complete).to_have_count(0)
    await form.get_by_label("Kemajuan (%)").fill("100")
    await form.get_by_role("button", name="Laporkan kemajuan").click()
    await expect(reports.get_by_role("listitem")).to_have_count(2)
    await expect(complete).to_be_visible(timeout=SLOW)
    await complete.click()
    confirm = phone.get_by_role("alertdialog")  # completed is a final state: the client asks first
    await expect(confirm).to_contain_text("Tandai selesai")
    await confirm.get_by_role("button", name="Ya, lanjutkan").click()
    await expect(phone.get_by_test_id("proposal-state")).to_have_text("Selesai", timeout=SLOW)
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)

    done = await read_ballot(api, "opd.kominfo", pid)
    assert done["state"] == "completed", done
