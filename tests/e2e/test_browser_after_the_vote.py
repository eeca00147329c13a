"""After the vote (issue 13, item 6): the public dashboard and the owning OPD's implementation pages.

A quick win is walked to ``implementation`` through the API (on the agenda,
four YES votes, the chair closes the ballot: budgetApproved is frozen then).

- The dashboard, signed out on a phone: the OPD's milestones (one done with a
  PNG as evidence), a KPI with two measurements and a spending report, all
  made through the API (GraphQL and ``POST /uploads``), show under the quick
  win's pillar with progress bars, the KPI chart with its data table, the
  spending against the approved budget and the closed ballot's tally and
  result; the evidence link serves the file anonymously; both languages.
- The OPD's page, signed in on a phone: add a milestone, edit it, upload a PNG and
  complete it with that evidence, define a KPI and record a measurement,
  report spending (over the budget without a note is refused at the note
  field), see the progress roll-up; the technical team reopens the milestone.

Names follow the issue 13 contract (I13-CONTRACT.md); axe and the 360 px
width are checked on each page.
"""

from __future__ import annotations

import re
import struct
import uuid
import zlib
from typing import Any

import httpx
from playwright.async_api import expect

from e2e.harness import (
    SLOW,
    Api,
    Server,
    cast_vote,
    fits_a_phone,
    no_serious_violations,
    ok,
    on_the_agenda,
    open_signed_in,
    operation,
    proposal_path,
    transition,
)

OFFICER = "opd.kominfo"


def tiny_png() -> bytes:
    """A valid 2x2 RGB PNG (the server reads the type from the content)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x0b\x4f\x8a" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


async def quick_win(api: Api, title: str, budget: str, pillar: str) -> str:
    """A new Diskominfotik proposal approved by the council (now in implementation); its global ID."""
    pid = await on_the_agenda(api, title, budget, pillar=pillar)
    for member in ("sekda", "kepala.bappeda", "kepala.pupr", "walikota"):
        await cast_vote(api, member, pid, "YES")
    closed = await transition(api, "walikota", pid, "close_vote")
    assert closed["proposal"]["state"] == "implementation", closed
    return pid


async def upload(server: Server, api: Api, pid: str, filename: str, body: bytes) -> dict[str, Any]:
    """``POST /uploads`` as the owning OPD's officer; the 201 answer."""
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            server.url("/uploads"),
            params={"proposalId": pid, "filename": filename},
            headers={"Authorization": f"Bearer {api.token(OFFICER)}", "Content-Type": "application/octet-stream"},
            content=body,
        )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_the_dashboard_shows_a_quick_win_s_implementation_to_a_visitor_on_a_phone(
    server: Server, phone: Any, axe: Any, api: Api
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"Sensor banjir {tag}"
    pid = await quick_win(api, title, "1200000000", "smart_environment")

    async def write(name: str, field: str, variables: dict[str, Any]) -> dict[str, Any]:
        return ok((await api(OFFICER, operation(name), {"input": variables}))[field], name)

    first = await write(
        "AddMilestone", "addMilestone", {"proposalId": pid, "title": f"Pemasangan {tag}", "dueOn": "2099-03-31"}
    )
    await write("AddMilestone", "addMilestone", {"proposalId": pid, "title": f"Uji coba {tag}", "dueOn": "2099-06-30"})
    evidence = await upload(server, api, pid, f"foto-{tag}.png", tiny_png())
    assert evidence["contentType"] == "image/png", evidence
    done = await write(
        "CompleteMilestone",
        "completeMilestone",
        {"milestoneId": first["milestone"]["id"], "note": "Sepuluh sensor terpasang", "evidenceIds": [evidence["id"]]},
    )
    assert done["milestone"]["status"] == "DONE", done
    kpi = await write(
        "DefineKpi",
        "defineKpi",
        {
            "proposalId": pid,
            "name": f"Waktu tanggap {tag}",
            "unit": "menit",
            "baseline": 60,
            "target": 20,
            "direction": "DOWN",
        },
    )
    for period, value in (("2099-Q1", 50), ("2099-Q2", 40)):
        await write(
            "RecordMeasurement", "recordMeasurement", {"kpiId": kpi["kpi"]["id"], "period": period, "value": value}
        )
    spent = await write(
        "ReportSpending", "reportSpending", {"proposalId": pid, "amount": "300000000", "period": "2099-Q1"}
    )
    assert spent["proposal"]["budgetApproved"] == "1200000000", spent
    assert spent["proposal"]["progressPercent"] == 50, spent

    await phone.goto(server.url("/app/"))
    await expect(phone.get_by_role("button", name="Masuk", exact=True)).to_be_visible()
    await phone.get_by_role("navigation").get_by_role("link", name="Dasbor").click()
    await expect(phone.get_by_role("heading", level=1, name="Dasbor pelaksanaan")).to_be_visible()
    assert phone.url.endswith("/app/dashboard"), phone.url
    await expect(phone.get_by_test_id("programme-progress")).to_be_visible()

    pillar = phone.locator("[data-testid=pillar][data-pillar=smart_environment]")
    await expect(pillar.get_by_test_id("pillar-count")).to_have_text(re.compile(r"^\d+ quick win, \d+ selesai$"))
    card = pillar.get_by_test_id("quick-win").filter(has_text=title)
    await expect(card).to_have_count(1)
    await expect(card.get_by_test_id("quick-win-progress")).to_have_text("50%")
    milestones = card.get_by_test_id("milestone")
    await expect(milestones).to_have_count(2)
    await expect(milestones.nth(0).get_by_test_id("milestone-status")).to_have_text("Selesai")
    await expect(milestones.nth(1).get_by_test_id("milestone-status")).to_have_text("Direncanakan")
    await expect(milestones.nth(0)).to_contain_text("31 Maret 2099")
    link = milestones.nth(0).get_by_role("link", name=f"foto-{tag}.png")
    await expect(link).to_be_visible()
    href = await link.get_attribute("href")
    assert href, "no evidence link"
    async with httpx.AsyncClient(timeout=30) as http:
        served = await http.get(server.url(href))  # anonymously: the proposal is public
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/png"), served.headers
    assert served.headers["x-content-type-options"] == "nosniff", served.headers

    kpi_card = card.get_by_test_id("kpi")
    await expect(kpi_card.get_by_test_id("kpi-chart").locator("svg").first).to_be_visible(timeout=SLOW)
    await expect(kpi_card.get_by_test_id("kpi-achievement")).to_have_text("50%")  # 60 → 40 of the way to 20
    await kpi_card.get_by_text(f"Tabel data: Waktu tanggap {tag}").click()
    await expect(kpi_card.get_by_test_id("kpi-table").locator("tbody tr")).to_have_count(2)
    await expect(kpi_card.get_by_test_id("kpi-table").locator("tbody tr").nth(1)).to_contain_text("2099-Q2")
    await expect(card.get_by_test_id("budget-approved")).to_have_text("Rp 1.200.000.000")
    await expect(card.get_by_test_id("budget-realised")).to_have_text("Rp 300.000.000")
    await expect(card.get_by_test_id("spending-chart").locator("svg").first).to_be_visible(timeout=SLOW)

    ballot = phone.get_by_test_id("closed-ballot").filter(has_text=title)
    await expect(ballot.get_by_test_id("ballot-result")).to_have_text("Disetujui")
    await expect(ballot.get_by_test_id("ballot-tally")).to_have_text("Ya 4, Tidak 0, Abstain 0")
    await fits_a_phone(phone)
    await no_serious_violations(axe, phone)

    await phone.get_by_role("button", name="English").click()
    await expect(phone.get_by_role("heading", level=1, name="Implementation dashboard")).to_be_visible()
    await expect(milestones.nth(1).get_by_test_id("milestone-status")).to_have_text("Planned")
    await expect(ballot.get_by_test_id("ballot-result")).to_have_text("Approved")
    await fits_a_phone(phone)
    await no_serious_violations(axe, phone)


async def test_the_owning_opd_plans_completes_measures_and_reports_spending_on_a_phone(
    server: Server, open_page: Any, axe: Any, api: Api, tmp_path: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    title = f"Lampu jalan pintar {tag}"
    pid = await quick_win(api, title, "800000000", "smart_living")
    phone = await open_page(phone=True)
    await open_signed_in(server, phone, proposal_path(pid), OFFICER)
    await expect(phone.get_by_test_id("proposal-state")).to_have_text("Pelaksanaan")

    # A milestone: added, then completed with a PNG uploaded as its evidence.
    section = phone.get_by_test_id("milestones-section")
    add = section.get_by_role("form", name="Tambah tonggak")
    milestone = f"Pemasangan 40 lampu {tag}"
    await add.get_by_label("Judul").fill(milestone)
    await add.get_by_label("Jatuh tempo").fill("2099-09-30")
    await add.get_by_role("button", name="Tambah tonggak").click()
    await expect(section.get_by_role("status")).to_have_text("Tonggak ditambahkan.")
    item = section.get_by_test_id("milestone").filter(has_text=milestone)
    await expect(item.get_by_test_id("milestone-status")).to_have_text("Direncanakan", timeout=SLOW)
    await no_serious_violations(axe, phone)

    # Edited: started (IN_PROGRESS) and weighed 2.
    await item.get_by_role("button", name=f"Ubah: {milestone}").click()
    edit = item.get_by_role("form", name=f"Ubah tonggak “{milestone}”")
    await edit.get_by_label("Bobot").fill("2")
    await edit.get_by_label("Status").select_option("IN_PROGRESS")
    await edit.get_by_role("button", name="Simpan").click()
    await expect(section.get_by_role("status").filter(has_text="Tonggak disimpan.")).to_be_visible()
    await expect(item.get_by_test_id("milestone-status")).to_have_text("Berjalan", timeout=SLOW)
    await expect(item).to_contain_text("Bobot: 2")

    await item.get_by_role("button", name=f"Selesaikan tonggak: {milestone}").click()
    complete = item.get_by_role("form", name=f"Selesaikan tonggak “{milestone}”")
    png = tmp_path / f"lampu-{tag}.png"
    png.write_bytes(tiny_png())
    await complete.get_by_label("Berkas bukti (PDF, JPEG atau PNG)").set_input_files(str(png))
    await expect(complete.get_by_text(f"lampu-{tag}.png terunggah.")).to_be_visible(timeout=SLOW)
    await expect(complete.get_by_test_id("pending-evidence")).to_contain_text(f"lampu-{tag}.png")
    await complete.get_by_label("Catatan").fill("40 lampu terpasang di Jalan Sudirman")
    await fits_a_phone(phone)
    await no_serious_violations(axe, phone)
    await complete.get_by_role("button", name="Selesaikan tonggak", exact=True).click()
    await expect(section.get_by_role("status").filter(has_text="Tonggak ditandai selesai.")).to_be_visible()
    await expect(complete).to_have_count(0)  # the form closes once the milestone is done
    await expect(item.get_by_test_id("milestone-status")).to_have_text("Selesai", timeout=SLOW)
    await expect(item.get_by_role("link", name=f"lampu-{tag}.png")).to_be_visible()
    # The progress is the milestones' roll-up; the report form goes (the API refuses reports now).
    await expect(section.get_by_test_id("milestone-progress")).to_have_text("100%")
    await expect(section.get_by_role("progressbar", name="Kemajuan: 100%")).to_be_visible()
    await expect(phone.get_by_role("form", name="Laporkan kemajuan")).to_have_count(0)

    # A KPI and a measurement.
    kpis = phone.get_by_test_id("kpis-section")
    define = kpis.get_by_role("form", name="Tetapkan KPI")
    await define.get_by_label("Nama indikator").fill(f"Konsumsi listrik {tag}")
    await define.get_by_label("Satuan").fill("MWh")
    await define.get_by_label("Nilai awal").fill("120")
    await define.get_by_label("Target", exact=True).fill("80")
    await define.get_by_label("Turun: nilai lebih rendah lebih baik").check()
    await define.get_by_role("button", name="Tetapkan KPI").click()
    await expect(kpis.get_by_role("status")).to_have_text("KPI ditetapkan.")
    measure = kpis.get_by_role("form", name="Catat pengukuran")
    await measure.get_by_label("Periode").fill("2099-Q1")
    await measure.get_by_label("Nilai").fill("100,5")
    await measure.get_by_role("button", name="Catat pengukuran").click()
    await expect(kpis.get_by_role("status")).to_have_text("Pengukuran dicatat.")
    kpi = kpis.get_by_test_id("kpi").filter(has_text=f"Konsumsi listrik {tag}")
    await kpi.get_by_text(f"Tabel data: Konsumsi listrik {tag}").click()
    await expect(kpi.get_by_test_id("kpi-table")).to_contain_text("100,5")

    # Spending: over the approved budget without a note is refused at the note; within it is taken.
    spending = phone.get_by_test_id("spending-section")
    report = spending.get_by_role("form", name="Laporkan belanja")
    await report.get_by_label("Jumlah (rupiah)").fill("900.000.000")
    await report.get_by_label("Periode").fill("2099-Q1")
    await report.get_by_role("button", name="Laporkan belanja").click()
    note = report.get_by_label("Catatan")
    await expect(note).to_have_attribute("aria-invalid", "true")
    await expect(report.get_by_role("alert").first).to_be_visible()
    await report.get_by_label("Jumlah (rupiah)").fill("250.000.000")
    await report.get_by_role("button", name="Laporkan belanja").click()
    await expect(spending.get_by_role("status")).to_have_text("Belanja dilaporkan.")
    await expect(spending.get_by_test_id("budget-approved")).to_have_text("Rp 800.000.000")
    await expect(spending.get_by_test_id("budget-realised")).to_have_text("Rp 250.000.000", timeout=SLOW)
    await fits_a_phone(phone)
    await no_serious_violations(axe, phone)

    # The technical team reopens the done milestone, with a reason.
    reviewer = await open_page(phone=True)
    await open_signed_in(server, reviewer, proposal_path(pid), "tim.teknis1")
    done = reviewer.get_by_test_id("milestone").filter(has_text=milestone)
    await done.get_by_role("button", name=f"Buka kembali: {milestone}").click()
    reopen = done.get_by_role("form", name=f"Buka kembali tonggak “{milestone}”")
    await reopen.get_by_label("Alasan").fill("Foto bukti tidak menunjukkan lampu menyala")
    await no_serious_violations(axe, reviewer)
    await reopen.get_by_role("button", name="Buka kembali", exact=True).click()
    await expect(reviewer.get_by_test_id("milestones-section").get_by_role("status")).to_have_text(
        "Tonggak dibuka kembali."
    )
    await expect(done.get_by_test_id("milestone-status")).to_have_text("Berjalan", timeout=SLOW)
    await fits_a_phone(reviewer)
