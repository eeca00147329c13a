"""Input rules for members, shared by ``council members create`` and the seed loader."""

from __future__ import annotations

import re

USERNAME_MAX = 64
"""Longest username: the length of the ``member.username`` column."""
SERVICE_PREFIX = "client."
"""Usernames of OAuth machine clients' service members (see :mod:`council.oauth2.service`); no person's."""
USERNAME_RULE = (
    f"2 to {USERNAME_MAX} of a-z 0-9 . _ -, starting with a letter or digit, not with {SERVICE_PREFIX!r}"
)
"""The rule of :func:`clean_username` in words (error messages, the CLI's help)."""

_USERNAME = re.compile(rf"[a-z0-9][a-z0-9._-]{{1,{USERNAME_MAX - 1}}}")


class UsernameError(ValueError):
    """A username breaks :data:`USERNAME_RULE`; ``str(exc)`` names it and says the rule."""


def clean_username(value: object) -> str:
    """``value`` when it is a username a person may have, else :class:`UsernameError`.

    The rule (:data:`USERNAME_RULE`): 2 to 64 characters of lower-case
    ``a-z``, digits, ``.``, ``_`` and ``-``, the first a letter or digit, not
    starting with ``client.`` (reserved for machine clients). Nothing is
    stripped or lower-cased: the name is stored exactly as given.

    Raises:
        UsernameError: ``value`` is not a string or breaks the rule.
    """
    if not isinstance(value, str) or not _USERNAME.fullmatch(value) or value.startswith(SERVICE_PREFIX):
        raise UsernameError(f"username {value!r} must be {USERNAME_RULE}")
    return value
