"""Custom scalars: ``Rupiah`` (whole rupiah, exact at any size).

Registered in the schema's ``StrawberryConfig.scalar_map`` (see
:mod:`council.api.schema`); annotate fields with :data:`Rupiah`.
"""

from __future__ import annotations

from typing import NewType

import strawberry

Rupiah = NewType("Rupiah", object)

RUPIAH_SCALAR = strawberry.scalar(
    name="Rupiah",
    description=(
        "An amount in whole Indonesian rupiah (IDR). Serialized as a string of decimal digits so "
        "that amounts beyond 2^53 survive JavaScript clients; accepted as a string or an integer. "
        "Range checks happen in the mutation, which answers INVALID_INPUT."
    ),
    serialize=lambda v: str(int(v)),
    parse_value=lambda v: v,
)
