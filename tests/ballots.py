"""Helpers for ballot and deadline tests: a clock the test moves, workflow variants, the scheduler.

Example::

    async def test_x(clock, p):          # fixtures defined from these helpers in the test modules
        pid = await p.at("quick_win_approval")
        clock.advance(days=7)
        assert await tick() == ["closed no_quorum: rejected"]

``workflow_variant`` writes the shipped ``quick-win.yaml`` and a copy at
version 2 whose voting state has another ``vote`` (or whose review state has
another ``sla``) into a temporary folder and points the process at it, so new
proposals start on the variant; the previous folder is restored afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from council.decisions import scheduler
from council.settings import PROJECT_ROOT, get_settings
from council.workflow.definition import WorkflowDefinition
from council.workflow.registry import get_registry

QUICK_WIN = PROJECT_ROOT / "workflows" / "quick-win.yaml"
VOTING_STATE = "quick_win_approval"
REVIEW_STATE = "technical_review"


@dataclass
class FakeClock:
    """Stands in for :func:`council.clock.now`: time moves only when the test says so (UTC)."""

    current: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        """Move on by ``timedelta(**delta)``; the new time."""
        self.current += timedelta(**delta)
        return self.current

    def to(self, when: datetime) -> datetime:
        """Jump to ``when`` (timezone-aware)."""
        self.current = when
        return self.current


async def tick(worker: str = "test-scheduler") -> list[str]:
    """One scheduler tick, as a ``council serve`` loop would run it; the outcomes of the timers it fired."""
    return await scheduler.tick(worker)


@contextmanager
def workflow_variant(
    folder: Path,
    *,
    vote: dict[str, Any] | None = None,
    sla: dict[str, Any] | None = None,
    edit: Callable[[dict[str, Any]], None] | None = None,
) -> Iterator[WorkflowDefinition]:
    """Make quick-win version 2, with ``vote`` and/or ``sla`` replaced, the default for new proposals.

    ``edit``, when given, changes the parsed file (a dict) in place after those replacements.
    """
    raw = yaml.safe_load(QUICK_WIN.read_text(encoding="utf-8"))
    raw["version"] = 2
    states = {s["name"]: s for s in raw["states"]}
    if vote is not None:
        states[VOTING_STATE]["vote"] = vote
        if "window" not in vote:  # no deadline: the way out at the deadline goes too
            raw["transitions"] = [t for t in raw["transitions"] if "deadline_passed" not in (t.get("guards") or [])]
    if sla is not None:
        states[REVIEW_STATE]["sla"] = sla
    if edit is not None:
        edit(raw)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "quick-win.yaml").write_text(QUICK_WIN.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "quick-win-v2.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    before = os.environ.get("COUNCIL_WORKFLOWS_DIR")
    os.environ["COUNCIL_WORKFLOWS_DIR"] = str(folder)
    get_settings.cache_clear()
    get_registry.cache_clear()
    try:
        definition = get_registry().default()
        assert definition.version == 2
        yield definition
    finally:
        if before is None:
            os.environ.pop("COUNCIL_WORKFLOWS_DIR", None)
        else:
            os.environ["COUNCIL_WORKFLOWS_DIR"] = before
        get_settings.cache_clear()
        get_registry.cache_clear()
