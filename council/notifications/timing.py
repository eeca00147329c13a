"""When mail goes: the city's time zone, the daily digest's hour, the retry backoff."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from council.organizations.models import City
from council.settings import Settings

BACKOFF_FIRST = timedelta(minutes=1)
"""The wait after a first failed try; each further failure doubles it, up to :data:`BACKOFF_MAX`."""
BACKOFF_MAX = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """The wait before try ``attempts + 1`` after ``attempts`` failed ones (1 min, 2, 4 ... at most 6 h)."""
    return min(BACKOFF_FIRST * (1 << max(0, min(attempts, 30) - 1)), BACKOFF_MAX)


async def city_zone(settings: Settings) -> ZoneInfo:
    """The city's time zone: ``COUNCIL_TIMEZONE`` when set, else the seeded city's, else the default setting."""
    name = settings.timezone
    if "timezone" not in settings.model_fields_set:
        stored = await City.filter(id=1).first().values_list("timezone", flat=True)
        name = str(stored) if stored else name
    return ZoneInfo(name)


def next_digest_at(now: datetime, zone: ZoneInfo, hour: int) -> datetime:
    """The first ``hour``:00 in ``zone`` after ``now`` (UTC in, UTC out): when a digest row queued now goes.

    A row queued at 06:59 local with the hour 7 goes at 07:00 the same day;
    one queued at 07:00 or later, at 07:00 the next day.
    """
    local = now.astimezone(zone)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at <= local:
        at = (local + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return at.astimezone(now.tzinfo)
