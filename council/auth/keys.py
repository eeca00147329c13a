"""The token signing keys: ES256 (P-256) private JWKs in ``settings.keys_dir``.

Each key is one file ``key-NNNNNN.jwk.json`` (mode 0600); the highest number
is the current signing key, the one before it stays for verification so that
tokens signed before a rotation remain valid until they expire. A file is
written once, to a temporary name, and then hard-linked into place, which
fails when the name exists: two processes starting at once agree on the same
first key, and a reader never sees half a key. Files are never changed in
place, so the listing of the folder is the cache key.

The public halves are published as a JWK Set (RFC 7517 §5) by
:func:`public_jwks`, for the authorization server's ``jwks_uri`` later.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from council.settings import get_settings

ALGORITHM = "ES256"
CURVE = "P-256"
KEEP = 2
"""How many keys are kept: the current one and the previous one."""

_NAME = re.compile(r"^key-(\d{6,})\.jwk\.json$")


class KeyStoreError(RuntimeError):
    """A key file cannot be read or is not an ES256 private key (a server fault)."""


@dataclass(frozen=True)
class _Loaded:
    folder: Path
    listing: tuple[tuple[str, int], ...]
    keys: tuple[ECKey, ...]  # newest first


_lock = threading.Lock()
_cache: _Loaded | None = None


def signing_key() -> ECKey:
    """The current (newest) private signing key; created on first use.

    Returns:
        An ``ECKey`` on P-256 with ``kid`` (its RFC 7638 thumbprint),
        ``alg: ES256`` and ``use: sig``.

    Raises:
        KeyStoreError: a key file is unreadable or not an ES256 private key.
    """
    return _keys()[0]


def verification_keys() -> KeySet:
    """Every key kept (current first, then the previous one), for verifying.

    Raises:
        KeyStoreError: as :func:`signing_key`.
    """
    return KeySet(list(_keys()))


def public_jwks() -> dict[str, Any]:
    """The public halves of the kept keys as a JWK Set (RFC 7517 §5).

    Returns:
        ``{"keys": [{"kty": "EC", "crv": "P-256", "x", "y", "kid", "alg", "use"}, ...]}``,
        current key first; never a private member (``d``).

    Raises:
        KeyStoreError: as :func:`signing_key`.
    """
    return {"keys": [dict(key.as_dict(private=False)) for key in _keys()]}


def rotate() -> str:
    """Make a new current signing key; keep only it and the previous one.

    Tokens signed with the key that is now previous still verify; tokens
    signed with any older key stop verifying.

    Returns:
        The new key's ``kid``.

    Raises:
        KeyStoreError: as :func:`signing_key`.
    """
    folder = _folder()
    while True:
        numbers = [n for n, _ in _numbered(folder)]
        key = _new_key()
        if _publish(folder, (max(numbers) if numbers else 0) + 1, key):
            break
    _prune(folder)
    return str(key.kid)


def _keys() -> tuple[ECKey, ...]:
    global _cache
    folder = _folder()
    with _lock:
        listing = _listing(folder)
        if not listing:
            _publish(folder, 1, _new_key())  # losing the race is fine: the winner's key is read
            listing = _listing(folder)
        if _cache is None or _cache.folder != folder or _cache.listing != listing:
            # listed before reading: a change meanwhile shows as a new listing next time
            _cache = _Loaded(folder, listing, _load(folder))
        return _cache.keys


def _folder() -> Path:
    return Path(get_settings().keys_dir).resolve()


def _numbered(folder: Path) -> list[tuple[int, Path]]:
    found = []
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except FileNotFoundError:
        return []
    for entry in entries:
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), Path(entry.path)))
    return sorted(found, reverse=True)


def _listing(folder: Path) -> tuple[tuple[str, int], ...]:
    result = []
    for _, path in _numbered(folder):
        try:
            result.append((path.name, path.stat().st_mtime_ns))
        except FileNotFoundError:
            continue
    return tuple(result)


def _load(folder: Path) -> tuple[ECKey, ...]:
    keys: list[ECKey] = []
    for _, path in _numbered(folder):
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:  # pruned by another process meanwhile
            continue
        except OSError as exc:
            raise KeyStoreError(f"cannot read signing key {path}: {exc}") from exc
        keys.append(_parse(path, text))
        if len(keys) == KEEP:
            break
    if not keys:
        raise KeyStoreError(f"no signing key in {folder}")
    return tuple(keys)


def _parse(path: Path, text: str) -> ECKey:
    try:
        key = ECKey.import_key(json.loads(text))
    except (ValueError, TypeError, JoseError) as exc:
        raise KeyStoreError(f"{path} is not a JWK: {exc}") from exc
    if not key.is_private or key.curve_name != CURVE or key.kid is None:
        raise KeyStoreError(f"{path} is not a {CURVE} private key with a kid")
    return key


def _new_key() -> ECKey:
    return ECKey.generate_key(CURVE, parameters={"alg": ALGORITHM, "use": "sig"}, auto_kid=True)


def _publish(folder: Path, number: int, key: ECKey) -> bool:
    """Write ``key`` as number ``number``; False when that number is taken."""
    data = json.dumps(key.as_dict(private=True), indent=2, sort_keys=True).encode("utf-8")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = folder / f".tmp-{secrets.token_hex(8)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, folder / f"key-{number:06d}.jwk.json")
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    for _, path in _numbered(folder)[KEEP:]:
        path.unlink(missing_ok=True)
