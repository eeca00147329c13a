"""Evidence files over HTTP (issue 13): ``POST /uploads`` and ``GET /uploads/<id>``, with real tokens.

What is kept is counted twice after every refusal: the files under the
storage root (``COUNCIL_UPLOADS_ROOT``, a temporary folder in the suite) and
the ``upload`` rows. Types are read from the content; the name and the
``Content-Type`` header count for nothing.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from paths import OTHER_OPD_OFFICER, OWNER_HEAD, OWNER_OFFICER, OWNER_ORG, PEOPLE, TECH_REVIEWER, Paths, representative
from tortoise.transactions import in_transaction

from council.app import create_app
from council.auth.policy import OPD_ROLES
from council.auth.scopes import IMPLEMENTATION_WRITE, PROPOSALS_READ, PROPOSALS_WRITE
from council.enums import Role
from council.implementation.models import ProgressReport
from council.settings import get_settings
from council.uploads.models import FILENAME_MAX, Upload
from council.uploads.service import attach

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64)) + b"\xff\xd9"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SAMPLES = {"application/pdf": (PDF, "pdf"), "image/png": (PNG, "png"), "image/jpeg": (JPEG, "jpg")}


def stored() -> list[Path]:
    """Every file under the storage root, the temporary folder of unfinished writes included."""
    root = get_settings().uploads_root
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def kept() -> tuple[list[Path], int]:
    """What uploads have kept: the files under the storage root and the number of ``upload`` rows."""
    return stored(), await Upload.all().count()


class Uploads:
    """``POST /uploads`` and ``GET /uploads/<id>`` as a seeded member (or anonymously)."""

    def __init__(self, client: httpx.AsyncClient, token: Callable[..., Any]) -> None:
        self.client = client
        self.token = token

    async def headers(self, as_: str | None, scopes: list[str] | None = None, **more: str) -> dict[str, str]:
        h = dict(more)
        if as_ is not None:
            h["Authorization"] = f"Bearer {await self.token(as_, scopes)}"
        return h

    async def post(
        self,
        pid: str | None,
        body: Any,
        as_: str | None = OWNER_OFFICER,
        *,
        filename: str | None = None,
        scopes: list[str] | None = None,
        **headers: str,
    ) -> httpx.Response:
        params = {k: v for k, v in {"proposalId": pid, "filename": filename}.items() if v is not None}
        return await self.client.post(
            "/uploads", params=params, content=body, headers=await self.headers(as_, scopes, **headers)
        )

    async def get(self, url: str, as_: str | None = OWNER_OFFICER, **headers: str) -> httpx.Response:
        return await self.client.get(url, headers=await self.headers(as_, **headers))


@pytest.fixture
def up(client: httpx.AsyncClient, token: Callable[..., Any]) -> Uploads:
    return Uploads(client, token)


@pytest.fixture
async def running(p: Paths) -> str:
    """A quick win of the owner OPD in ``implementation`` (a ``progress`` state, published)."""
    return await p.at("implementation")


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert [e["code"] for e in body["errors"]] == [code], body
    first: dict[str, Any] = body["errors"][0]
    return first


def pk_of(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


# --- accepted --------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", sorted(SAMPLES))
async def test_pdf_png_and_jpeg_are_kept_with_the_sniffed_type_and_sha256(
    up: Uploads, running: str, content_type: str
) -> None:
    body, ext = SAMPLES[content_type]
    before = await kept()
    # the header lies, the type comes from the content
    response = await up.post(running, body, **{"Content-Type": "text/html"})
    assert response.status_code == 201, response.text
    files, rows = await kept()
    assert (len(files), rows) == (len(before[0]) + 1, before[1] + 1)
    answer = response.json()
    assert answer["contentType"] == content_type
    assert answer["sha256"] == hashlib.sha256(body).hexdigest()
    assert answer["size"] == len(body)
    assert answer["filename"] == f"evidence.{ext}"
    assert base64.b64decode(answer["id"]).decode().startswith("EvidenceFile:")
    assert answer["url"] == f"/uploads/{answer['id']}" == response.headers["location"]
    row = await Upload.get(id=pk_of(answer["id"]))
    assert (row.content_type, row.sha256, row.size, row.attached_at) == (
        content_type,
        answer["sha256"],
        len(body),
        None,
    )
    assert row.storage_key != row.filename and "evidence" not in row.storage_key
    assert (get_settings().uploads_root / row.storage_key).read_bytes() == body


async def test_a_streamed_body_without_content_length_is_kept_and_logged(
    up: Uploads, running: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(PDF), 3):  # the first chunk is shorter than the PNG signature
            yield PDF[i : i + 3]

    with caplog.at_level(logging.INFO, logger="council.uploads"):
        response = await up.post(running, chunks(), filename="progres.pdf")
    assert response.status_code == 201, response.text
    assert response.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert response.json()["filename"] == "progres.pdf"
    (record,) = [r for r in caplog.records if r.name == "council.uploads"]
    assert (
        record.getMessage()
        == f"upload {pk_of(response.json()['id'])} of proposal {pk_of(running)}: application/pdf, {len(PDF)} bytes"
    )
    assert record.sha256 == response.json()["sha256"]
    assert record.member_id is not None


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\budi\\Laporan Akhir.PDF", "Laporan Akhir.PDF"),
        ("a\x00b\r\nc\u202e.pdf", "abc.pdf"),
        ("halaman.html", "halaman.html.pdf"),
        ("   ...   ", "evidence.pdf"),
        ("x" * 400 + ".pdf", "x" * (FILENAME_MAX - 4) + ".pdf"),
    ],
)
async def test_the_file_name_is_cleaned(up: Uploads, running: str, name: str, cleaned: str) -> None:
    response = await up.post(running, PDF, filename=name)
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == cleaned


# --- refused, nothing kept --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["laporan.pdf", "foto.png", None])
async def test_html_is_refused_whatever_its_name_and_content_type(up: Uploads, running: str, name: str | None) -> None:
    before = await kept()
    response = await up.post(running, HTML, filename=name, **{"Content-Type": "application/pdf"})
    error(response, 415, "INVALID_INPUT")
    assert await kept() == before


@pytest.mark.parametrize("body", [b"", b"%PD", b"GIF89a" + bytes(32), b"PK\x03\x04" + bytes(32), b"<svg/>"])
async def test_other_content_is_refused(up: Uploads, running: str, body: bytes) -> None:
    before = await kept()
    error(await up.post(running, body, filename="x.pdf"), 415, "INVALID_INPUT")
    assert await kept() == before


@pytest.mark.parametrize("declared", [True, False])
async def test_over_the_limit_is_refused(up: Uploads, running: str, declared: bool) -> None:
    # An application of its own with a 1,000-byte limit (the suite's is built once, from the settings of its start;
    # get_settings() may be a newer object by now). No lifespan needed: the database is the suite's.
    small = create_app(get_settings().model_copy(update={"uploads_max_bytes": 1000}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://council.test") as client:
        await _over_the_limit(Uploads(client, up.token), running, declared)


async def _over_the_limit(up: Uploads, running: str, declared: bool) -> None:
    body = PDF + bytes(1001 - len(PDF))

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit is found while reading
        for i in range(0, len(body), 100):
            yield body[i : i + 100]

    before = await kept()
    response = await up.post(running, body if declared else chunks())
    first = error(response, 413, "INVALID_INPUT")
    assert "1,000" in first["message"]
    assert await kept() == before
    # exactly the limit is fine
    assert (await up.post(running, body[:1000])).status_code == 201


async def test_another_opds_proposal_is_forbidden(up: Uploads, running: str) -> None:
    before = await kept()
    first = error(await up.post(running, PDF, as_=OTHER_OPD_OFFICER), 403, "FORBIDDEN")
    assert "owning organisation" in first["message"]
    assert await kept() == before


async def test_anonymous_and_bad_tokens_are_unauthenticated(up: Uploads, running: str) -> None:
    before = await kept()
    response = await up.post(running, PDF, as_=None)
    error(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"] == "Bearer"
    response = await up.post(running, PDF, as_=None, Authorization="Bearer not-a-token")
    error(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert await kept() == before


async def test_a_token_without_the_scope_is_forbidden(up: Uploads, running: str) -> None:
    before = await kept()
    response = await up.post(running, PDF, scopes=[PROPOSALS_READ, PROPOSALS_WRITE])
    assert IMPLEMENTATION_WRITE in error(response, 403, "FORBIDDEN")["message"]
    assert await kept() == before


async def test_a_proposal_not_in_implementation_is_refused(up: Uploads, p: Paths) -> None:
    draft = await p.new_proposal()
    before = await kept()
    first = error(await up.post(draft, PDF), 403, "INVALID_TRANSITION")
    assert "draft" in first["message"]
    assert await kept() == before


async def test_bad_unknown_and_unreadable_proposals(up: Uploads, p: Paths) -> None:
    draft = await p.new_proposal()  # never submitted: only its own organisation reads it
    before = await kept()
    assert error(await up.post(None, PDF), 400, "INVALID_INPUT")["field"] == "proposalId"
    assert error(await up.post("bm9wZQ==", PDF), 400, "INVALID_INPUT")["field"] == "proposalId"
    organization = base64.b64encode(b"Organization:1").decode()
    assert error(await up.post(organization, PDF), 400, "INVALID_INPUT")["field"] == "proposalId"
    unknown = base64.b64encode(b"Proposal:999999").decode()
    assert error(await up.post(unknown, PDF), 404, "NOT_FOUND")["field"] == "proposalId"
    assert error(await up.post(draft, PDF, as_=OTHER_OPD_OFFICER), 404, "NOT_FOUND")["field"] == "proposalId"
    assert await kept() == before


async def test_messages_follow_accept_language(up: Uploads, running: str) -> None:
    response = await up.post(running, HTML, **{"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"})
    assert "Hanya berkas PDF, PNG, dan JPEG" in error(response, 415, "INVALID_INPUT")["message"]
    response = await up.post(running, HTML, **{"Accept-Language": "en"})
    assert "Only PDF, PNG and JPEG" in error(response, 415, "INVALID_INPUT")["message"]


def _uploaders() -> list[tuple[str, str]]:
    """(role, a seeded member holding it, of the owner OPD when it has one), and another OPD's officer."""
    found = []
    for role in Role:
        org = OWNER_ORG if any(role.value in p.roles and p.organization == OWNER_ORG for p in PEOPLE) else None
        found.append((role.value, representative(role.value, org=org)))
    return [*found, ("other_opd_officer", OTHER_OPD_OFFICER)]


@pytest.mark.parametrize(("role", "username"), _uploaders())
async def test_only_the_owning_opd_uploads(up: Uploads, running: str, role: str, username: str) -> None:
    """The rule ``OPERATIONS["uploadEvidence"]``, role by role: the owning OPD's officer and head, nobody else."""
    owner = role in {r.value for r in OPD_ROLES}
    response = await up.post(running, PDF, as_=username)
    assert response.status_code == (201 if owner else 403), response.text


# --- serving ----------------------------------------------------------------------------------


async def test_a_file_is_served_as_an_attachment_that_never_runs(up: Uploads, running: str) -> None:
    name = 'Laporan akhir — tahap 1 "final".pdf'
    answer = (await up.post(running, PDF, filename=name)).json()
    response = await up.get(answer["url"])
    assert response.status_code == 200, response.text
    assert response.content == PDF
    h = response.headers
    assert h["content-type"] == "application/pdf"
    assert h["content-disposition"] == (
        f"attachment; filename=\"Laporan akhir _ tahap 1 _final_.pdf\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    assert h["x-content-type-options"] == "nosniff"
    assert h["content-security-policy"] == "default-src 'none'"
    assert h["etag"] == f'"{answer["sha256"]}"'
    assert h["cache-control"].startswith("private")
    assert h["content-length"] == str(len(PDF))
    again = await up.get(answer["url"], **{"If-None-Match": h["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_html_inside_a_file_is_never_served_as_html(up: Uploads, running: str) -> None:
    """A PDF that carries a page is a PDF download; a row whose type was tampered with serves as bytes."""
    polyglot = b"%PDF-1.4\n" + HTML
    answer = (await up.post(running, polyglot, filename="index.html", **{"Content-Type": "text/html"})).json()
    assert (answer["contentType"], answer["filename"]) == ("application/pdf", "index.html.pdf")
    response = await up.get(answer["url"])
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    await Upload.filter(id=pk_of(answer["id"])).update(content_type="text/html")
    response = await up.get(answer["url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment;")


async def test_an_unattached_file_is_only_for_the_uploaders_organisation(up: Uploads, running: str) -> None:
    url = (await up.post(running, PNG)).json()["url"]
    assert (await up.get(url, as_=OWNER_HEAD)).status_code == 200
    for stranger in (None, OTHER_OPD_OFFICER, TECH_REVIEWER, "walikota"):
        error(await up.get(url, as_=stranger), 404, "NOT_FOUND")


async def test_an_attached_file_is_as_readable_as_its_proposal(up: Uploads, p: Paths, running: str) -> None:
    answer = (await up.post(running, JPEG)).json()
    await p.report(running, 40)
    report = await ProgressReport.filter(proposal__id=pk_of(running)).order_by("-id").first()
    assert report is not None
    async with in_transaction():
        owner = (await Upload.get(id=pk_of(answer["id"])).values("uploader__organization_id"))[
            "uploader__organization_id"
        ]
        rows = await attach(pk_of(running), owner, [pk_of(answer["id"])], progress_report_id=report.id)
    assert [r["sha256"] for r in rows] == [answer["sha256"]]
    for reader in (None, OTHER_OPD_OFFICER, TECH_REVIEWER):  # implementation is public
        response = await up.get(answer["url"], as_=reader)
        assert response.status_code == 200, (reader, response.text)
        assert response.content == JPEG and response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"].startswith("public")


async def test_unknown_and_malformed_ids_are_not_found(up: Uploads, running: str) -> None:
    proposal_as_evidence = f"/uploads/{running}"
    for url in ("/uploads/nope", proposal_as_evidence, "/uploads/" + base64.b64encode(b"EvidenceFile:99999").decode()):
        error(await up.get(url), 404, "NOT_FOUND")
    response = await up.get("/uploads/nope", as_=None, Authorization="Bearer bad")
    error(response, 401, "UNAUTHENTICATED")


async def test_a_proposal_that_leaves_implementation_while_the_body_arrives_keeps_nothing(
    up: Uploads, p: Paths, running: str
) -> None:
    """The rule is checked again on the locked row after the body: the stored file is removed when it fails."""
    before = await kept()

    async def chunks() -> AsyncIterator[bytes]:
        yield PDF[:10]
        await p.drive(running, "completed")  # between two chunks of the upload
        yield PDF[10:]

    first = error(await up.post(running, chunks()), 403, "INVALID_TRANSITION")
    assert "completed" in first["message"]
    assert await kept() == before
