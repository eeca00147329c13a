"""What a visitor sees without signing in (issue 5, a new user's trial): the
published proposals on the landing page and the read-only proposal page.

The API decides what is public (``proposals`` and ``proposal`` without a token
answer only published proposals, with no actions); the client shows it, with
"Masuk" to come back signed in. On a phone (360x740), in Bahasa Indonesia.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.async_api import expect

from e2e.harness import (
    CREATE,
    OUTPUT,
    SLOW,
    Server,
    cast_vote,
    fits_a_phone,
    no_serious_violations,
    ok,
    on_the_agenda,
    proposal_path,
    transition,
)


async def test_a_visitor_sees_the_published_proposals_and_a_read_only_proposal_page(
    server: Server, phone: Any, sign_in: Any, axe: Any, api: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    voting = f"Peta jalan rusak {tag}"
    decided = f"Kanal aduan banjir {tag}"
    draft = f"Draf rahasia {tag}"
    open_pid = await on_the_agenda(api, voting, "1850000000")
    closed_pid = await on_the_agenda(api, decided, "2650000000", pillar="smart_environment")
    for member in ("sekda", "kepala.bappeda", "kepala.pupr", "walikota"):
        await cast_vote(api, member, closed_pid, "YES")
    await transition(api, "walikota", closed_pid, "close_vote")
    draft_pid = ok(
        (
            await api(
                "opd.kominfo",
                CREATE,
                {
                    "input": {
                        "title": draft,
                        "pillar": "smart_people",
                        "budget": "900000000",
                        "summary": "Belum siap dibagikan.",
                    }
                },
            )
        )["createProposal"]
    )["proposal"]["id"]

    # The landing page: "Masuk", then the published proposals with state, pillar, OPD and budget.
    await phone.goto(server.url("/app/"))
    await expect(phone.get_by_role("button", name="Masuk", exact=True)).to_be_visible()
    await expect(phone.get_by_role("heading", level=2, name="Usulan yang dipublikasikan")).to_be_visible()
    card = phone.get_by_test_id("public-proposal").filter(has=phone.get_by_role("link", name=voting, exact=True))
    await expect(card).to_have_count(1)
    await expect(card.get_by_test_id("proposal-state")).to_have_text("Persetujuan quick win")
    facts = card.locator("dl.facts")
    await expect(facts.locator("dt:text-is('Pilar') + dd")).to_have_text("Tata kelola pemerintahan yang pintar")
    await expect(facts.locator("dt:text-is('OPD') + dd")).to_have_text(re.compile(r"Diskominfotik|Komunikasi"))
    await expect(facts.locator("dt:text-is('Anggaran') + dd")).to_have_text("Rp 1.850.000.000")
    decided_card = phone.get_by_test_id("public-proposal").filter(
        has=phone.get_by_role("link", name=decided, exact=True)
    )
    await expect(decided_card.get_by_test_id("proposal-state")).to_have_text("Pelaksanaan")
    await expect(phone.get_by_text(draft)).to_have_count(0)  # a draft is not published
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)

    # A decided proposal's page, read only: the ballot's result, the reviews and the history; no actions.
    await decided_card.get_by_role("link", name=f"Buka usulan: {decided}").click()
    await expect(phone.get_by_role("heading", level=1, name=decided)).to_be_visible()
    await expect(phone.get_by_test_id("ballot-result")).to_have_text("Hasil: Disetujui")
    main = phone.locator("main")
    for heading in ("Ringkasan", "Pemungutan suara", "Kajian", "Riwayat"):
        await expect(main.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    await expect(main).to_contain_text("Ajukan untuk dikaji")  # the history
    await expect(main.get_by_role("heading", name="Tindakan")).to_have_count(0)
    await expect(phone.get_by_role("button", name="Keluar")).to_have_count(0)
    await expect(phone.get_by_test_id("public-notice")).to_be_visible()
    await no_serious_violations(axe, phone)
    await fits_a_phone(phone)
    # And back to the list it came from.
    await phone.get_by_role("link", name="Kembali ke usulan yang dipublikasikan").click()
    await expect(phone.get_by_role("heading", level=2, name="Usulan yang dipublikasikan")).to_be_visible()
    await expect(decided_card).to_have_count(1)

    # A proposal still being voted on: the ballot reads, nobody votes without signing in.
    await phone.goto(server.url(f"/app{proposal_path(open_pid)}"))
    await expect(phone.get_by_role("heading", level=1, name=voting)).to_be_visible()
    await expect(phone.get_by_test_id("votes-cast")).to_have_text("0 dari 6 anggota telah memilih")
    await expect(phone.get_by_test_id("sign-in-to-vote")).to_be_visible()
    await expect(phone.get_by_role("button", name="Ya", exact=True)).to_have_count(0)
    await expect(phone.get_by_test_id("vote-denial")).to_have_count(0)
    await no_serious_violations(axe, phone)

    # A draft is nobody's business but its OPD's: not found, and "Masuk" for those who may see it.
    await phone.goto(server.url(f"/app{proposal_path(draft_pid)}"))
    await expect(phone.get_by_role("heading", level=1, name="Halaman tidak ditemukan")).to_be_visible()
    await expect(phone.get_by_text(draft)).to_have_count(0)
    await expect(phone.get_by_role("button", name="Masuk", exact=True)).to_be_visible()
    # Only that: not the public page's notice, which speaks of a proposal shown.
    await expect(phone.get_by_test_id("public-notice")).to_have_count(0)
    await expect(phone.get_by_text("Anda melihat halaman publik")).to_have_count(0)
    await expect(phone.get_by_role("link", name="Kembali ke usulan yang dipublikasikan")).to_be_visible()
    await phone.screenshot(path=str(OUTPUT / "public-draft-not-found.png"), full_page=True)
    await no_serious_violations(axe, phone)

    # Signing in from the public page comes back to it, now with the vote.
    await phone.goto(server.url(f"/app{proposal_path(open_pid)}"))
    await phone.get_by_role("button", name="Masuk", exact=True).click()
    await sign_in(phone, "sekda")
    await phone.wait_for_url(re.compile(re.escape(proposal_path(open_pid)) + "$"), timeout=SLOW)
    await expect(phone.get_by_role("button", name="Ya", exact=True)).to_be_visible()
    await expect(phone.get_by_test_id("public-notice")).to_have_count(0)

    # Signing out says so in plain words, and the public list is there again.
    await phone.get_by_role("button", name="Keluar").click()
    await expect(phone.get_by_role("heading", level=1, name="Anda telah keluar")).to_be_visible()
    await expect(phone.get_by_role("status").filter(has_text="Sesi Anda sudah diakhiri di server.")).to_be_visible()
    await expect(phone.locator("main")).not_to_contain_text("token")
    await expect(phone.get_by_role("heading", level=2, name="Usulan yang dipublikasikan")).to_be_visible()
    await no_serious_violations(axe, phone)
