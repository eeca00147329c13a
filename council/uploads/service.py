"""Evidence files: receiving one (``POST /uploads``), who may read one, and attaching them to the write that cites them.

:func:`receive` keeps a file (the HTTP side is :mod:`council.api.uploads`);
:func:`readable_upload` is the read rule of ``GET /uploads/<id>``;
:func:`attach` is called inside the unit of work of a milestone completion or
a progress report.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import Any

import anyio

from council import clock
from council.auth.policy import OPERATIONS, authorize, can_read_proposal
from council.auth.principal import Principal
from council.errors import invalid, not_found
from council.proposals.queries import readable_row
from council.proposals.unit import proposal_work
from council.uploads.models import Upload
from council.uploads.sniff import SNIFF_BYTES, clean_filename, sniff
from council.uploads.storage import Storage, new_key
from council.workflow.permissions import authorize_operation
from council.workflow.registry import get_registry

EVIDENCE_MAX = 20
"""Most files one milestone completion or progress report may cite."""

EVIDENCE_FIELDS = ("id", "proposal_id", "filename", "content_type", "size", "sha256", "created_at")


async def attach(
    proposal_id: int,
    organization_id: int,
    upload_ids: Sequence[int],
    *,
    milestone_id: int | None = None,
    progress_report_id: int | None = None,
    field: str = "evidenceIds",
) -> list[dict[str, Any]]:
    """Attach uploads to a milestone or a progress report of ``proposal_id``; their rows (:data:`EVIDENCE_FIELDS`).

    Call it inside the unit of work of the write that cites them (the
    proposal row is locked there), after the subject row exists, with exactly
    one of ``milestone_id`` and ``progress_report_id``. Each upload must be of
    this proposal, uploaded by a member of ``organization_id`` (the owning
    OPD) and not attached yet; the rows returned carry the SHA-256 that the
    caller puts into its audit event. Two SQL statements.

    Raises:
        DomainError: INVALID_INPUT on ``field``: more than :data:`EVIDENCE_MAX`
            files, a repeated id, or an id that is not an unattached upload
            of this proposal by its owning OPD (``evidence_unknown``, which
            does not say which of those, so that ids of other proposals leak nothing).
    """
    if (milestone_id is None) == (progress_report_id is None):
        raise ValueError("attach() needs exactly one of milestone_id and progress_report_id")
    ids = list(upload_ids)
    if not ids:
        return []
    if len(ids) > EVIDENCE_MAX:
        raise invalid("too_many", field, max=EVIDENCE_MAX)
    if len(set(ids)) != len(ids):
        raise invalid("evidence_unknown", field)
    rows = await Upload.filter(
        id__in=ids,
        proposal_id=proposal_id,
        uploader__organization_id=organization_id,
        milestone_id=None,
        progress_report_id=None,
    ).values(*EVIDENCE_FIELDS)
    if len(rows) != len(ids):
        raise invalid("evidence_unknown", field)
    await Upload.filter(id__in=ids).update(
        milestone_id=milestone_id, progress_report_id=progress_report_id, attached_at=clock.now()
    )
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(rows, key=lambda r: order[r["id"]])


TOO_LARGE = "file_too_large"
"""The message key (INVALID_INPUT) of a body over the size limit: HTTP answers 413."""
WRONG_TYPE = "file_type"
"""The message key (INVALID_INPUT) of content that is not PDF, PNG or JPEG: HTTP answers 415."""

UPLOAD_FIELDS = (*EVIDENCE_FIELDS, "storage_key", "attached_at")


async def receive(
    actor: Principal,
    proposal_id: int,
    filename: str | None,
    body: AsyncIterable[bytes],
    *,
    storage: Storage,
    max_bytes: int,
    declared_size: int | None = None,
) -> dict[str, Any]:
    """Keep an evidence file for ``proposal_id``: stream ``body`` into ``storage``, then insert its row.

    The rule is ``OPERATIONS["uploadEvidence"]`` (an OPD officer or head of
    the owning organisation with ``implementation:write``) and the state
    condition of :data:`~council.workflow.permissions.STATE_CONDITIONS`
    (a state the workflow marks ``progress``). It is checked before a byte is
    read, so a refused caller sends nothing to the disk, and again on the
    locked row in the write recipe (:func:`~council.proposals.unit.proposal_work`)
    that inserts the row. The body is read chunk by chunk, its SHA-256 and
    size counted and its type sniffed from the first bytes
    (:func:`~council.uploads.sniff.sniff`); reading stops at the first byte
    past ``max_bytes`` (or at once when ``declared_size``, the
    ``Content-Length``, says so). Every refusal leaves nothing stored and no
    row. No audit event: attaching the file to a milestone or a report
    appends it (:func:`attach`). One SQL statement before the body, two after.

    Returns:
        The new row: :data:`UPLOAD_FIELDS`.

    Raises:
        DomainError: UNAUTHENTICATED; FORBIDDEN; NOT_FOUND (absent or not
            readable, field ``proposalId``); INVALID_TRANSITION (state);
            INVALID_INPUT :data:`TOO_LARGE` or :data:`WRONG_TYPE` (field ``body``).
    """
    authorize(actor, OPERATIONS["uploadEvidence"])
    row = await readable_row(actor, proposal_id)
    definition = get_registry().engine_for(row).definition
    authorize_operation("uploadEvidence", actor, row["organization_id"], definition, row["state"])
    if declared_size is not None and declared_size > max_bytes:
        raise invalid(TOO_LARGE, "body", max=max_bytes)
    meter = _Meter(max_bytes)
    key = new_key()
    await storage.put(key, meter.read(body))
    try:
        if meter.content_type is None:  # put() returned, so the meter sniffed a type: never
            raise RuntimeError("an upload was stored without a sniffed type")
        async with proposal_work(actor, proposal_id, "uploadEvidence"):
            upload = await Upload.create(
                proposal_id=proposal_id,
                uploader_id=actor.member_id,
                filename=clean_filename(filename, meter.content_type),
                content_type=meter.content_type,
                size=meter.size,
                sha256=meter.digest.hexdigest(),
                storage_key=key,
            )
    except BaseException:
        with anyio.CancelScope(shield=True):  # also when the request is cancelled: no file without its row
            await storage.delete(key)
        raise
    return {name: getattr(upload, name) for name in UPLOAD_FIELDS}


class _Meter:
    """Passes a body on while counting its size and SHA-256, sniffing its type, and refusing too much."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.digest = hashlib.sha256()
        self.content_type: str | None = None

    async def read(self, body: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        """``body`` again, the first :data:`SNIFF_BYTES` held back until the type is known.

        Raises:
            DomainError: INVALID_INPUT :data:`TOO_LARGE` or :data:`WRONG_TYPE`.
        """
        head = b""
        async for chunk in body:
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise invalid(TOO_LARGE, "body", max=self.max_bytes)
            self.digest.update(chunk)
            if self.content_type is None:
                head += chunk
                if len(head) < SNIFF_BYTES:
                    continue
                self._sniff(head)
                chunk = head
            if chunk:
                yield chunk
        if self.content_type is None:
            self._sniff(head)
            if head:
                yield head

    def _sniff(self, head: bytes) -> None:
        self.content_type = sniff(head)
        if self.content_type is None:
            raise invalid(WRONG_TYPE, "body")


async def readable_upload(actor: Principal, upload_id: int) -> dict[str, Any]:
    """The row of upload ``upload_id`` (:data:`UPLOAD_FIELDS` and ``public``) if ``actor`` may read it. One statement.

    Attached (``attached_at`` set), it is as readable as its proposal
    (:func:`council.auth.policy.can_read_proposal`), and ``public`` when
    anyone may read that (published); unattached, only members of the
    uploader's organisation may, and it is never ``public``.

    Raises:
        DomainError: NOT_FOUND (field ``id``) when absent or not readable; which of the two is not said.
    """
    row = (
        await Upload.filter(id=upload_id)
        .first()
        .values(
            *UPLOAD_FIELDS,
            organization_id="uploader__organization_id",
            owner_id="proposal__organization_id",
            review_round="proposal__review_round",
            published_at="proposal__published_at",
        )
    )
    if row is None:
        raise not_found("evidence", "id")
    attached = row["attached_at"] is not None
    if attached:
        readable = can_read_proposal(
            actor,
            organization_id=row["owner_id"],
            review_round=row["review_round"],
            published=row["published_at"] is not None,
        )
    else:
        readable = actor.is_authenticated and actor.organization_id == row["organization_id"]
    if not readable:
        raise not_found("evidence", "id")
    return {name: row[name] for name in UPLOAD_FIELDS} | {"public": attached and row["published_at"] is not None}
