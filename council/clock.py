"""The one clock of the services: ``clock.now()``, timezone-aware UTC.

Services call ``clock.now()`` (the module attribute, never a copy bound by
``from council.clock import now``), so tests move time by replacing it
(``monkeypatch.setattr(clock, "now", fake)``) instead of sleeping: ballot
windows, deadlines, SLA timers and the times of tokens (issued, expiring, the
OAuth codes, refresh tokens and sign-in throttle) all read this clock.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def epoch_seconds() -> int:
    """:func:`now` in whole seconds since the Unix epoch: the ``NumericDate`` of JWT claims (RFC 7519 §2).

    Reads ``now`` at call time, so a test's replacement of ``clock.now`` moves it too.
    """
    return int(now().timestamp())
