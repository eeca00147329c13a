"""Evidence files in GraphQL: ``EvidenceFile``, the id ``POST /uploads`` answers, and ``evidenceIds`` inputs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from council.api.ids import from_global_id
from council.api.uploads import EVIDENCE_TYPE, evidence_id, evidence_url


@strawberry.type(
    description="An evidence file (PDF, JPEG, PNG). id is a global id of type EvidenceFile, the same id "
    "POST /uploads answers."
)
class EvidenceFile:
    id: strawberry.ID
    filename: str
    content_type: str = strawberry.field(
        description="Sniffed from the content: application/pdf, image/jpeg, image/png."
    )
    size: int = strawberry.field(description="Bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the content, hex; also in the audit event that attached it.")
    url: str = strawberry.field(description="Where GET serves it: /uploads/<id>.")
    uploaded_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> EvidenceFile:
        return cls(
            id=strawberry.ID(evidence_id(row["id"])),
            filename=row["filename"],
            content_type=row["content_type"],
            size=row["size"],
            sha256=row["sha256"],
            url=evidence_url(row["id"]),
            uploaded_at=row["created_at"],
        )


def evidence_pks(ids: list[strawberry.ID] | None) -> list[int]:
    """The primary keys of EvidenceFile global ids (INVALID_INPUT on field ``evidenceIds`` otherwise)."""
    return [from_global_id(i, EVIDENCE_TYPE, "evidenceIds")[1] for i in ids or []]
