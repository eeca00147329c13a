"""Helpers for the plain rows (dicts) the read side returns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any


def group_rows(rows: Iterable[dict[str, Any]], key: str = "proposal_id") -> dict[Any, list[dict[str, Any]]]:
    """Rows grouped by ``row[key]``, keeping their order; absent keys read as an empty list."""
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped
