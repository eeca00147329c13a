"""Member passwords: argon2id hashes (RFC 9106) with argon2-cffi's default parameters.

Hashing and checking cost about a tenth of a second of CPU on purpose; call
them from a worker thread (``anyio.to_thread.run_sync``), never on the event
loop.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
"""The shortest password accepted, in characters (NIST SP 800-63B §5.1.1.2 asks for 8 at least)."""
MAX_LENGTH = 256

_hasher = PasswordHasher()  # argon2id, RFC 9106 "low memory" profile: t=3, m=64 MiB, p=4


class WeakPassword(ValueError):
    """The password is shorter than :data:`MIN_LENGTH` or longer than :data:`MAX_LENGTH` characters."""


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string ``$argon2id$v=19$...``) of ``password``.

    Raises:
        WeakPassword: too short, too long, or blank.
    """
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH or not password.strip():
        raise WeakPassword(f"a password has {MIN_LENGTH} to {MAX_LENGTH} characters")
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """Check ``password`` against ``stored_hash``.

    An empty ``stored_hash`` (no password set) is checked against a dummy hash
    so that it takes as long as a real check: timing does not tell which
    accounts exist or have a password.

    Returns:
        ``(ok, new_hash)``: ``new_hash`` is a fresh hash when ``ok`` and the
        stored one used older parameters (to be saved), else None.
    """
    target = stored_hash or _dummy_hash()
    try:
        _hasher.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if not stored_hash:
        return False, None
    return True, _hasher.hash(password) if _hasher.check_needs_rehash(stored_hash) else None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))
