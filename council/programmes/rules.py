"""Rules of programmes: a phase's status from today's date, the current programme, a pillar's label."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from council.enums import PhaseStatus


def phase_status(starts_on: date, ends_on: date, today: date) -> PhaseStatus:
    """PLANNED before ``starts_on``, DONE after ``ends_on``, else ACTIVE (both ends inclusive, city dates)."""
    if today < starts_on:
        return PhaseStatus.PLANNED
    if today > ends_on:
        return PhaseStatus.DONE
    return PhaseStatus.ACTIVE


def current_programme(
    programmes: Sequence[dict[str, Any]], phases: Sequence[dict[str, Any]], today: date
) -> int | None:
    """The id of the current programme (issue 12), or None when there is none.

    The current programme is the one with a phase containing ``today``; else,
    or among several such, the one of the latest ``year`` (the highest id
    between programmes of one year).

    Args:
        programmes: rows with ``id`` and ``year``.
        phases: rows with ``programme_id``, ``starts_on`` and ``ends_on`` (dates).
        today: the date in the city's time zone.
    """
    running = {p["programme_id"] for p in phases if p["starts_on"] <= today <= p["ends_on"]}
    candidates = [p for p in programmes if p["id"] in running] or list(programmes)
    if not candidates:
        return None
    return int(max(candidates, key=lambda p: (p["year"], p["id"]))["id"])


def pillar_label(labels: dict[str, str], lang: str, code: str) -> str:
    """The label in ``lang``, else in English, else Bahasa Indonesia, else the code itself."""
    return labels.get(lang) or labels.get("en") or labels.get("id") or code
