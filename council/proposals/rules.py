"""Input rules for proposals, shared by the API, the CLI and the seed loader.

A pillar is checked against the proposal's programme: :func:`council.programmes.service.clean_pillar`.
"""

from __future__ import annotations

from council.errors import invalid
from council.proposals.models import SUMMARY_MAX, TITLE_MAX

BUDGET_MAX = 2**63 - 1
"""Largest budget in rupiah: the range of the BIGINT column."""
_BUDGET_DIGITS = len(str(BUDGET_MAX))
"""Digits of :data:`BUDGET_MAX` (19): a longer string is out of range without being converted."""


def clean_title(value: str | None, field: str = "title") -> str:
    """A title stripped of surrounding space, 1 to 200 characters.

    Raises:
        DomainError: INVALID_INPUT when blank or longer than the limit.
    """
    title = (value or "").strip()
    if not title:
        raise invalid("blank", field)
    if len(title) > TITLE_MAX:
        raise invalid("too_long", field, max=TITLE_MAX)
    return title


def clean_summary(value: str | None, field: str = "summary") -> str:
    """A summary stripped of surrounding space, at most 10,000 characters (may not be blank)."""
    summary = (value or "").strip()
    if not summary:
        raise invalid("blank", field)
    if len(summary) > SUMMARY_MAX:
        raise invalid("too_long", field, max=SUMMARY_MAX)
    return summary


def clean_budget(value: object, field: str = "budget") -> int:
    """A budget in whole rupiah, 0 to 2**63 - 1.

    Accepts an ``int`` or a string of ASCII decimal digits (the API's ``Rupiah``
    scalar is a string so that large amounts survive JSON clients). Other
    Unicode digits ("²", "①", "٣") are refused: ``str.isdigit`` accepts them
    and ``int`` does not (or reads them as another number). A string longer
    than 19 digits is refused before conversion (Python refuses to convert
    more than 4,300 digits at all).

    Raises:
        DomainError: INVALID_INPUT for negatives, fractions, non-numbers and overflow.
    """
    if isinstance(value, bool):
        raise invalid("budget_range", field, max=BUDGET_MAX)
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text.startswith("-") else text
        if not (digits.isascii() and digits.isdigit()) or len(digits) > _BUDGET_DIGITS:
            raise invalid("budget_range", field, max=BUDGET_MAX)
        value = int(text)
    if not isinstance(value, int) or value < 0 or value > BUDGET_MAX:
        raise invalid("budget_range", field, max=BUDGET_MAX)
    return value
