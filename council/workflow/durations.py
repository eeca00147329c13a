"""ISO 8601 durations of the workflow files (ballot windows, SLA timers).

Accepted: weeks (``P2W``) or days and a time part (``P7D``, ``PT36H``,
``P1DT12H``, ``PT90M``, ``PT45S``), whole numbers only. Years and months are
refused: their length in seconds depends on the calendar, and a deadline must
be a fixed number of seconds after the moment a state is entered.
"""

from __future__ import annotations

import re
from datetime import timedelta

_WEEKS = re.compile(r"P(?P<weeks>\d+)W")
_DAYS_TIME = re.compile(r"P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?")


class DurationError(ValueError):
    """A text that is not an accepted ISO 8601 duration (the message says why)."""


def parse_duration(text: object) -> timedelta:
    """The positive duration ``text`` means, e.g. ``"P7D"`` -> 7 days.

    Raises:
        DurationError: not a string, not ISO 8601, uses years or months,
            has fractions, or is zero or negative.
    """
    if not isinstance(text, str):
        raise DurationError(f"{text!r} is not an ISO 8601 duration such as P7D or PT36H")
    value = text.strip().upper()
    if value.startswith("-"):
        raise DurationError(f"{text!r} is negative: a duration must be positive")
    weeks = _WEEKS.fullmatch(value)
    if weeks:
        result = timedelta(weeks=int(weeks["weeks"]))
    else:
        match = _DAYS_TIME.fullmatch(value)
        if match is None or value in ("P", "PT") or value.endswith("T"):
            if re.match(r"P\d+[YM]", value):
                raise DurationError(f"{text!r} uses years or months, whose length varies: give days (P30D) instead")
            raise DurationError(f"{text!r} is not an ISO 8601 duration such as P7D, P2W, PT36H or P1DT12H")
        parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
        result = timedelta(**parts)
    if result <= timedelta(0):
        raise DurationError(f"{text!r} is zero: a duration must be positive")
    return result


def format_duration(value: timedelta) -> str:
    """``value`` as an ISO 8601 duration, days and a time part (``P7D``, ``P1DT12H``)."""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    time = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    return "P" + (f"{days}D" if days or not time else "") + (f"T{time}" if time else "")
