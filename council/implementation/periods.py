"""Reporting periods of KPI measurements and spending reports: ``YYYY``, ``YYYY-MM`` or ``YYYY-Qn``.

A period is a span of calendar days. Periods are ordered by their last day,
then by their first day, so that of ``2018``, ``2018-Q4`` and ``2018-12`` (all
ending on 31 December) the shortest, most recent span comes last:
``2018 < 2018-Q4 < 2018-12``, and ``2018-Q3 < 2018`` (30 September before 31
December).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from council.errors import invalid

YEAR_MIN, YEAR_MAX = 1900, 2100
"""Years a period may name (a quick win's reports fall well inside)."""

_PERIOD = re.compile(r"(\d{4})(?:-(\d{2})|-Q(\d))?")


def period_bounds(period: str) -> tuple[date, date]:
    """The first and last day of a period (both inclusive).

    Raises:
        ValueError: ``period`` is not ``YYYY``, ``YYYY-MM`` (01-12) or ``YYYY-Qn`` (1-4),
            or its year is outside 1900-2100.
    """
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise ValueError(period)
    year = int(match[1])
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(period)
    if match[2] is not None:
        first_month = last_month = int(match[2])
    elif match[3] is not None:
        quarter = int(match[3])
        if not 1 <= quarter <= 4:
            raise ValueError(period)
        first_month, last_month = 3 * quarter - 2, 3 * quarter
    else:
        first_month, last_month = 1, 12
    if not 1 <= first_month <= 12:
        raise ValueError(period)
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def period_key(period: str) -> tuple[date, date]:
    """The sort key of a stored period: (last day, first day); see the module docstring."""
    first, last = period_bounds(period)
    return last, first


def clean_period(value: object, field: str = "period") -> str:
    """A period label with surrounding space removed (``2018``, ``2018-07``, ``2018-Q3``).

    Raises:
        DomainError: INVALID_INPUT ``bad_period`` on ``field`` for anything else.
    """
    text = value.strip() if isinstance(value, str) else ""
    try:
        period_bounds(text)
    except ValueError:
        raise invalid("bad_period", field, value=str(value)[:40], min=YEAR_MIN, max=YEAR_MAX) from None
    return text
