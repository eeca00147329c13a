"""Uploaded evidence files: the row that names a stored file and what it is evidence of."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from council.organizations.models import Member
    from council.proposals.models import Proposal

FILENAME_MAX = 255
"""Longest kept file name (the client's name, cleaned)."""


class Upload(Model):
    """A file an owning OPD uploaded (``POST /uploads``) as evidence for one proposal.

    ``content_type`` is the type sniffed from the content (``application/pdf``,
    ``image/jpeg``, ``image/png``), never the client's claim; ``size`` is
    bytes; ``sha256`` the hex digest of the content, which also goes into the
    audit event that attaches it; ``storage_key`` where the storage keeps it
    (:mod:`council.uploads.storage`). An upload is attached at most once: to a
    milestone (``completeMilestone``) or to a progress report
    (``reportProgress``); until then only its uploader's organisation sees it.
    """

    id = fields.IntField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        "council.Proposal", related_name="uploads", on_delete=fields.CASCADE
    )
    uploader: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="uploads", on_delete=fields.RESTRICT
    )
    filename = fields.CharField(max_length=FILENAME_MAX)
    content_type = fields.CharField(max_length=64)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    storage_key = fields.CharField(max_length=255)
    # Typed as Model, not Milestone / ProgressReport: the implementation room attaches uploads (it imports this
    # room), so naming its models here, even for the type checker only, would make the two rooms a cycle.
    milestone: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "council.Milestone", related_name="evidence", null=True, on_delete=fields.SET_NULL
    )
    progress_report: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "council.ProgressReport", related_name="evidence", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    attached_at = fields.DatetimeField(null=True)

    class Meta:
        table = "upload"
