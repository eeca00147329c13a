"""The ``PillarInfo`` GraphQL type: a programme's pillar labelled in the request's language (a leaf module)."""

from __future__ import annotations

from typing import Any

import strawberry

from council.programmes import rules


@strawberry.type(description="A pillar of a programme and its label in the request's language.")
class PillarInfo:
    code: str = strawberry.field(description="The pillar's code, e.g. smart_governance; what proposals store.")
    label: str

    @classmethod
    def from_row(cls, row: dict[str, Any], lang: str) -> PillarInfo:
        return cls(code=row["code"], label=rules.pillar_label(row["labels"], lang, row["code"]))
