"""What an evidence file is, by its content (magic bytes), and what it may be called.

Only three types are kept: PDF, PNG and JPEG (:data:`TYPES`). The type is
read from the first bytes of the content (:func:`sniff`), never from the
client's file name or ``Content-Type`` header, so an HTML page named
``report.pdf`` is refused, and whatever is stored is served with one of the
three types only. The file name is the client's, cleaned (:func:`clean_filename`):
no folders, no control characters, at most :data:`~council.uploads.models.FILENAME_MAX`
characters, and an extension that matches the sniffed type.
"""

from __future__ import annotations

import unicodedata

from council.uploads.models import FILENAME_MAX

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),  # ISO 32000-1 §7.5.2: the header line starts "%PDF-"
    (b"\x89PNG\r\n\x1a\n", PNG),  # PNG (RFC 2083 §3.1): the 8-byte signature
    (b"\xff\xd8\xff", JPEG),  # JPEG (ITU T.81): SOI marker FF D8, then the next marker's FF
)
"""(leading bytes, content type): the whole of what is accepted."""

TYPES: dict[str, tuple[str, ...]] = {PDF: ("pdf",), PNG: ("png",), JPEG: ("jpg", "jpeg")}
"""The accepted content types and their file name extensions (the first is the one added)."""

SNIFF_BYTES = max(len(magic) for magic, _ in MAGIC)
"""How many leading bytes :func:`sniff` needs to decide (8)."""


def sniff(head: bytes) -> str | None:
    """The content type of a file that starts with ``head`` (at least :data:`SNIFF_BYTES` bytes, or all of it).

    Returns ``application/pdf``, ``image/png`` or ``image/jpeg``, or None for
    anything else (HTML, scripts, SVG, archives, an empty file).
    """
    for magic, content_type in MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def clean_filename(name: str | None, content_type: str) -> str:
    """The name to keep for a file of ``content_type`` (one of :data:`TYPES`) the client called ``name``.

    Only the last path segment is kept (``/`` and ``\\`` both separate);
    control and format characters (Unicode categories C*) go, as do leading
    dots and surrounding spaces; the result is NFC. A name whose extension is
    not one of the type's gets the type's (``notes.html`` -> ``notes.html.pdf``),
    so a saved file never opens as something else. An empty name becomes
    ``evidence.<ext>``. At most :data:`FILENAME_MAX` characters: the stem is
    cut, the extension kept.
    """
    extensions = TYPES[content_type]
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = text.strip().lstrip(".").strip()
    stem, dot, ext = text.rpartition(".")
    if not dot or ext.lower() not in extensions:
        stem, ext = text, extensions[0]
    if not stem:
        stem = "evidence"
    return f"{stem[: FILENAME_MAX - len(ext) - 1].rstrip()}.{ext}"
