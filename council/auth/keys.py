"""The token signing keys: ES256 (P-256), stored in the database, the same on every node.

Storage: one row per key in ``signing_key`` (:class:`council.auth.models.SigningKey`),
the public half as a JWK and the private JWK encrypted with
``COUNCIL_KEYS_SECRET`` (:mod:`council.auth.sealing`). The highest ``seq``
is the current signing key; the one before it stays for verification, so
tokens signed before a rotation stay valid until they expire (:data:`KEEP`).
The table is the one source: a node keeps nothing on its disk.

In memory: each process holds a *ring*, the kept keys decrypted, newest
first, which the hot paths read without waiting: :func:`signing_key`,
:func:`verification_keys`, :func:`public_jwks`. :func:`load` fills it (the
app's lifespan through :func:`kept_in_sync`, and the CLI) and refuses to go
on when the keys cannot be read or decrypted. :func:`reload` renews it:

- at once when a rotation is announced on :data:`KEYS_CHANNEL` of the
  broadcaster (:mod:`council.events`; Redis carries it between nodes, and
  :func:`rotate` announces);
- every ``COUNCIL_KEYS_RELOAD_INTERVAL`` seconds, the fallback for a missed
  announcement or a deployment without Redis;
- when a token names a key id the ring lacks (:func:`refresh_for`, at most
  once per :data:`UNKNOWN_KID_INTERVAL` seconds, so forged ids cannot make a
  node hammer the database);
- on each request for the JWK Set (the app's ``/.well-known/jwks.json``),
  so that every node publishes what the table holds.

A failed reload is logged and the ring kept: a request never fails on it.

The first key: a node that finds the table empty makes key 1, or imports the
key files of the versions before migration 0007 (``key-NNNNNN.jwk.json`` in
``COUNCIL_KEYS_DIR``, the newest :data:`KEEP`, with their numbers as ``seq``)
so that tokens in flight keep verifying. ``seq`` is UNIQUE: of two nodes
starting at once on an empty table one insert wins and both read its key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from council import clock
from council.auth.models import SigningKey
from council.auth.sealing import KeyStoreError, Sealer, sealer
from council.events import broadcaster
from council.settings import get_settings

__all__ = [
    "ALGORITHM",
    "KEEP",
    "KEYS_CHANNEL",
    "KeyInfo",
    "KeyStoreError",
    "kept_in_sync",
    "load",
    "public_jwks",
    "refresh_for",
    "reload",
    "rewrap",
    "rotate",
    "signing_key",
    "stored_keys",
    "verification_keys",
]

ALGORITHM = "ES256"
CURVE = "P-256"
KEEP = 2
"""How many keys are kept: the current one and the previous one."""
KEYS_CHANNEL = "keys"
"""The broadcaster channel on which a rotation is announced (``{"kid", "seq"}``)."""
UNKNOWN_KID_INTERVAL = 5.0
"""Seconds between two re-reads caused by tokens naming an unknown key id."""

_FILE_NAME = re.compile(r"^key-(\d{6,})\.jwk\.json$")
log = logging.getLogger("council.keys")


@dataclass(frozen=True)
class KeyInfo:
    """A stored key as ``council keys list`` shows it; ``created_at`` is UTC."""

    seq: int
    kid: str
    created_at: datetime
    current: bool


@dataclass(frozen=True)
class _Ring:
    keys: tuple[ECKey, ...]  # newest first
    listing: tuple[tuple[int, str], ...]  # (seq, kid), newest first


_ring: _Ring | None = None
_last_unknown_reload = -math.inf
_lock_of: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None


# --- the hot paths: the ring, without waiting -------------------------------------------------


def signing_key() -> ECKey:
    """The current (newest) private signing key.

    Returns:
        An ``ECKey`` on P-256 with ``kid`` (its RFC 7638 thumbprint),
        ``alg: ES256`` and ``use: sig``.

    Raises:
        KeyStoreError: the keys are not loaded in this process (:func:`load`).
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


def _keys() -> tuple[ECKey, ...]:
    ring = _ring
    if ring is None:
        raise KeyStoreError(
            "the signing keys are not loaded in this process: "
            "`await council.auth.keys.load()` first (the app's lifespan and the CLI do)"
        )
    return ring.keys


# --- reading the table ------------------------------------------------------------------------


async def load() -> None:
    """Read the kept keys into this process's ring; make the first key when there is none.

    With an empty table the key files of ``COUNCIL_KEYS_DIR`` (versions before
    migration 0007) are imported, or else a new key 1 is made.

    Raises:
        KeyStoreError: ``COUNCIL_KEYS_SECRET`` is missing (production mode) or
            malformed, or does not decrypt the stored keys; a stored key or a key
            file is not an ES256 private key.
    """
    global _ring
    async with _lock():
        ring = await _read(fresh=True)
        if ring is None:
            await _make_first_keys()
            ring = await _read(fresh=True)
        if ring is None:
            raise KeyStoreError("no signing key in the database, although one was just made")
        _ring = ring


async def reload() -> bool:
    """Re-read the kept keys from the table into the ring, decrypting only keys new to it.

    Never raises: a failure (database unreachable, a key that does not
    decrypt, an emptied table) is logged and the ring kept as it was.

    Returns:
        True when the ring changed.
    """
    global _ring
    async with _lock():
        before = _ring
        try:
            ring = await _read(fresh=before is None)
        except Exception:
            log.exception("could not re-read the signing keys; keeping those in memory")
            return False
        if ring is None:
            log.error("the signing_key table is empty; keeping the signing keys in memory")
            return False
        _ring = ring
    changed = before is None or before.listing != ring.listing
    if changed:
        log.info("signing keys now %s (current first)", ", ".join(kid for _, kid in ring.listing))
    return changed


async def refresh_for(kid: str) -> bool:
    """Whether ``kid`` is a kept key, re-reading the table first when the ring lacks it.

    The re-read happens at most once per :data:`UNKNOWN_KID_INTERVAL` seconds
    for unknown key ids (a token signed on another node just after a rotation
    it announced, when the announcement has not arrived yet).

    Raises:
        KeyStoreError: the ring was not loaded and loading it failed.
    """
    global _last_unknown_reload
    if _ring is None:
        await load()
    if _knows(kid):
        return True
    now = time.monotonic()
    if now - _last_unknown_reload >= UNKNOWN_KID_INTERVAL:
        _last_unknown_reload = now
        await reload()
    else:
        async with _lock():  # a re-read may be under way (another request's): its result counts
            pass
    return _knows(kid)


def _knows(kid: str) -> bool:
    ring = _ring
    return ring is not None and any(k == kid for _, k in ring.listing)


async def _read(*, fresh: bool) -> _Ring | None:
    """The newest :data:`KEEP` stored keys; keys already in the ring are reused unless ``fresh``."""
    rows = await SigningKey.all().order_by("-seq").limit(KEEP).values("seq", "kid", "public_jwk", "private_jwk")
    if not rows:
        return None
    known = {} if fresh or _ring is None else {k.kid: k for k in _ring.keys}
    seal: Sealer | None = None
    keys = []
    for row in rows:
        key = known.get(row["kid"])
        if key is None:
            seal = seal or sealer()
            key = _unseal(row, seal)
        keys.append(key)
    return _Ring(tuple(keys), tuple((int(r["seq"]), str(r["kid"])) for r in rows))


def _unseal(row: dict[str, Any], seal: Sealer) -> ECKey:
    what = f"signing key {row['kid']} (seq {row['seq']})"
    plaintext = seal.open(str(row["private_jwk"]), what)
    try:
        key = ECKey.import_key(json.loads(plaintext))
    except (ValueError, TypeError, JoseError) as exc:
        raise KeyStoreError(f"{what} is not a JWK: {exc}") from exc
    if not key.is_private or key.curve_name != CURVE or key.kid != row["kid"]:
        raise KeyStoreError(f"{what} is not a {CURVE} private key with its kid")
    if dict(key.as_dict(private=False)) != row["public_jwk"]:
        raise KeyStoreError(f"{what}: the private key does not match the public one stored beside it")
    return key


# --- writing the table --------------------------------------------------------------------------


async def rotate() -> str:
    """Make a new current signing key; keep only it and the previous one; announce it.

    Tokens signed with the key that is now previous still verify; tokens
    signed with any older key stop verifying (its row is deleted). The
    announcement on :data:`KEYS_CHANNEL` makes every node connected to the
    same broadcaster (Redis) re-read the keys at once; the others do within
    ``COUNCIL_KEYS_RELOAD_INTERVAL`` seconds.

    Returns:
        The new key's ``kid``.

    Raises:
        KeyStoreError: as :func:`load`.
    """
    await load()  # the secret opens the stored keys, and there is a first key to follow
    seal = sealer()
    while True:
        top = await SigningKey.all().order_by("-seq").first()
        seq = top.seq + 1 if top is not None else 1
        key = _new_key()
        try:
            await _insert(seq, key, seal, clock.now())
        except IntegrityError:  # another rotation took this number meanwhile
            continue
        break
    await SigningKey.filter(seq__lte=seq - KEEP).delete()
    await load()
    await broadcaster.publish(KEYS_CHANNEL, {"kid": key.kid, "seq": seq})
    return str(key.kid)


async def rewrap() -> int:
    """Re-encrypt every stored private key with the first secret of ``COUNCIL_KEYS_SECRET``.

    Run it after putting a new secret first on every node; the old one can
    then be dropped from the list.

    Returns:
        How many keys were re-encrypted (those sealed with another secret).

    Raises:
        KeyStoreError: as :func:`load`.
    """
    seal = sealer()
    count = 0
    for row in await SigningKey.all().values("id", "seq", "kid", "private_jwk"):
        token = str(row["private_jwk"])
        if seal.sealed_with_primary(token):
            continue
        plaintext = seal.open(token, f"signing key {row['kid']} (seq {row['seq']})")
        count += await SigningKey.filter(id=row["id"], private_jwk=token).update(private_jwk=seal.seal(plaintext))
    return count


async def stored_keys() -> list[KeyInfo]:
    """The stored keys, current first (after :func:`load` made the first, when there was none).

    Raises:
        KeyStoreError: as :func:`load`.
    """
    await load()
    rows = await SigningKey.all().order_by("-seq").values("seq", "kid", "created_at")
    return [
        KeyInfo(int(r["seq"]), str(r["kid"]), r["created_at"].astimezone(UTC), current=n == 0)
        for n, r in enumerate(rows)
    ]


async def _make_first_keys() -> None:
    """Import the key files of ``COUNCIL_KEYS_DIR``, or make key 1; a node that loses the race reads the winner's."""
    seal = sealer()
    folder = Path(get_settings().keys_dir).resolve()
    found = _key_files(folder)
    first = found or [(1, _new_key(), clock.now())]
    try:
        async with in_transaction() as connection:
            for seq, key, created_at in reversed(first):
                await _insert(seq, key, seal, created_at, connection)
    except IntegrityError:
        return
    if found:
        log.warning(
            "imported the signing key(s) %s from %s into the database; the files are no longer read",
            ", ".join(str(key.kid) for _, key, _ in found),
            folder,
        )


async def _insert(seq: int, key: ECKey, seal: Sealer, created_at: datetime, connection: Any = None) -> None:
    private = json.dumps(key.as_dict(private=True), sort_keys=True).encode("utf-8")
    await SigningKey.create(
        seq=seq,
        kid=str(key.kid),
        public_jwk=dict(key.as_dict(private=False)),
        private_jwk=seal.seal(private),
        created_at=created_at,
        using_db=connection,
    )


def _new_key() -> ECKey:
    return ECKey.generate_key(CURVE, parameters={"alg": ALGORITHM, "use": "sig"}, auto_kid=True)


def _key_files(folder: Path) -> list[tuple[int, ECKey, datetime]]:
    """The newest :data:`KEEP` key files of ``folder`` (number, key, modified), newest first.

    Raises:
        KeyStoreError: a key file is unreadable or not an ES256 private key with a kid.
    """
    try:
        with os.scandir(folder) as listing:
            numbered = sorted(
                ((int(m.group(1)), Path(e.path)) for e in listing if (m := _FILE_NAME.match(e.name))), reverse=True
            )
    except FileNotFoundError:
        return []
    found = []
    for number, path in numbered[:KEEP]:
        try:
            text = path.read_text(encoding="utf-8")
            modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            key = ECKey.import_key(json.loads(text))
        except OSError as exc:
            raise KeyStoreError(f"cannot read the signing key file {path}: {exc}") from exc
        except (ValueError, TypeError, JoseError) as exc:
            raise KeyStoreError(f"{path} is not a JWK: {exc}") from exc
        if not key.is_private or key.curve_name != CURVE or key.kid is None:
            raise KeyStoreError(f"{path} is not a {CURVE} private key with a kid")
        found.append((number, key, modified))
    return found


# --- keeping a serving process in step -----------------------------------------------------------


@asynccontextmanager
async def kept_in_sync(interval: float) -> AsyncIterator[None]:
    """Load the keys, then keep the ring in step with the table while open.

    Enter it inside :meth:`council.events.Broadcaster.connected`, so that the
    rotations announced through Redis reach this process.

    Args:
        interval: seconds between two periodic re-reads; 0 turns them off
            (announcements, unknown key ids and JWKS requests still re-read).

    Raises:
        KeyStoreError: as :func:`load`, on entering.
    """
    async with broadcaster.subscribe(KEYS_CHANNEL) as announcements:  # before loading: no rotation slips between
        await load()
        task = asyncio.create_task(_follow(announcements, interval), name="council-keys")
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


async def _follow(announcements: asyncio.Queue[dict[str, Any]], interval: float) -> None:
    while True:
        with suppress(TimeoutError):
            await asyncio.wait_for(announcements.get(), interval if interval > 0 else None)
        while not announcements.empty():  # several announcements, one re-read
            announcements.get_nowait()
        await reload()


def _lock() -> asyncio.Lock:
    """One lock per event loop (the CLI may run several loops one after the other)."""
    global _lock_of
    loop = asyncio.get_running_loop()
    if _lock_of is None or _lock_of[0] is not loop:
        _lock_of = (loop, asyncio.Lock())
    return _lock_of[1]
