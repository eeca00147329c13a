"""Where evidence files are kept: one small interface, :class:`Storage`, and a local folder behind it.

A stored file is named by a key the server makes (:func:`new_key`: random,
never the client's file name) and kept in :attr:`Upload.storage_key
<council.uploads.models.Upload.storage_key>`. :class:`LocalStorage` keeps it
under a root folder (``COUNCIL_UPLOADS_ROOT``, :func:`storage_for`); an object
store can be added later by implementing the same three methods.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import Protocol

import anyio
import anyio.to_thread

from council.settings import Settings

CHUNK = 64 * 1024
"""Bytes per read when a stored file is served."""

_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}")
_TMP = ".tmp"


def new_key() -> str:
    """A fresh storage key: ``ab/ab12...`` (32 random hex digits, the first two also naming a subfolder)."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}"


class Storage(Protocol):
    """What the uploads room needs of a store of files.

    ``put`` is all or nothing: when ``chunks`` raises (the body was too large,
    of the wrong type, the client went away) or the write fails, nothing is
    left under ``key`` and the exception goes on.
    """

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        """Store the bytes of ``chunks`` under ``key`` (a key of :func:`new_key`)."""

    def open(self, key: str) -> AsyncIterator[bytes]:
        """The bytes stored under ``key``, in chunks. Raises FileNotFoundError (at the first chunk) when absent."""

    async def delete(self, key: str) -> None:
        """Remove what is stored under ``key``; nothing when absent."""


class LocalStorage:
    """:class:`Storage` in a folder: ``<root>/<key>``, written to ``<root>/.tmp/`` first and renamed into place.

    The rename (``os.replace``, atomic on one file system) comes after the
    data is flushed to disk, so a reader never sees half a file and a failed
    upload leaves nothing. Raises ValueError for a key not made by :func:`new_key`.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        target = self._path(key)
        tmp_dir = self.root / _TMP
        await anyio.to_thread.run_sync(lambda: tmp_dir.mkdir(parents=True, exist_ok=True))
        temp = tmp_dir / f"{key.replace('/', '-')}.part"
        try:
            async with await anyio.open_file(temp, "xb") as out:
                async for chunk in chunks:
                    await out.write(chunk)
                await out.flush()
                await anyio.to_thread.run_sync(os.fsync, out.wrapped.fileno())

            def place() -> None:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, target)

            await anyio.to_thread.run_sync(place)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(lambda: temp.unlink(missing_ok=True))
            raise

    async def open(self, key: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self._path(key), "rb") as source:
            while chunk := await source.read(CHUNK):
                yield chunk

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))


def storage_for(settings: Settings) -> Storage:
    """The storage of these settings: today always :class:`LocalStorage` at ``settings.uploads_root``."""
    return LocalStorage(settings.uploads_root)
