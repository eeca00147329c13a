"""The one clock of the services: ``clock.now()``, timezone-aware UTC.

Services call ``clock.now()`` (the module attribute, never a copy bound by
``from council.clock import now``), so tests move time by replacing it
(``monkeypatch.setattr(clock, "now", fake)``) instead of sleeping: ballot
windows, deadlines and SLA timers all read this clock.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)
