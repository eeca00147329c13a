"""Input rules for organisations and members, shared by ``council members create`` and the seed loader."""

from __future__ import annotations

import re

USERNAME_MAX = 64
"""Longest username: the length of the ``member.username`` column."""
SERVICE_PREFIX = "client."
"""Usernames of OAuth machine clients' service members (see :mod:`council.oauth2.service`); no person's."""
USERNAME_RULE = f"2 to {USERNAME_MAX} of a-z 0-9 . _ -, starting with a letter or digit, not with {SERVICE_PREFIX!r}"
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


CODE_MAX = 64
"""Longest organisation code: the length of the ``organization.code`` column."""
NAME_MAX = 255
"""Longest display name of an organisation or a member: the ``name`` / ``display_name`` columns."""
CODE_RULE = f"1 to {CODE_MAX} characters of a-z, 0-9, '.', '_', '-'"
"""The rule of :func:`clean_code` in words."""

_CODE = re.compile(r"[a-z0-9][a-z0-9._-]*")


class CodeError(ValueError):
    """An organisation code breaks :data:`CODE_RULE`; ``str(exc)`` names it and says the rule."""


def clean_code(value: object) -> str:
    """``value`` when it is an organisation code (:data:`CODE_RULE`, first a letter or digit), else :class:`CodeError`.

    Raises:
        CodeError: ``value`` is not a string or breaks the rule; the message
            ends with ``(got 'value')``.
    """
    if not isinstance(value, str) or len(value) > CODE_MAX or not _CODE.fullmatch(value):
        raise CodeError(f"code must be {CODE_RULE} (got {value!r})")
    return value


def clean_display_name(value: object) -> str:
    """A display name stripped of surrounding space, 1 to 255 characters.

    Raises:
        ValueError: ``value`` is not a string, blank or too long.
    """
    if not isinstance(value, str):
        raise ValueError(f"must be text (got {value!r})")
    name = value.strip()
    if not name or len(name) > NAME_MAX:
        raise ValueError(f"must be 1 to {NAME_MAX} characters")
    return name
