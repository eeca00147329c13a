"""Encrypting the private signing keys at rest, with the secret ``COUNCIL_KEYS_SECRET``.

The library is ``cryptography``'s Fernet (AES-128-CBC with HMAC-SHA256,
encrypt-then-MAC, in a versioned token; the Fernet specification) through
``MultiFernet``: the secret is a comma-separated list of Fernet keys, the
first encrypts and every one decrypts, so the secret itself can be changed
without a flag day (put the new one first on every node, run
``council keys rewrap``, then drop the old one). It was chosen over joserfc's
JWE because it has no algorithm choices to get wrong, a secret is one
printable string (``council keys secret`` makes one) and the list rotation
is built in; the JWE format would buy nothing here, as only Council reads
these tokens.

Without ``COUNCIL_KEYS_SECRET``: in development mode a secret is generated
once into ``{keys_dir}/keys-secret`` (mode 0600), so a fresh clone runs with
no configuration; in production mode (``COUNCIL_MODE=production``) there is
no default and :func:`sealer` refuses, naming the setting.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from council.settings import get_settings

SETTING = "COUNCIL_KEYS_SECRET"
SECRET_FILE = "keys-secret"
"""The development secret's file name in ``settings.keys_dir``."""


class KeyStoreError(RuntimeError):
    """The signing keys cannot be read, stored or decrypted: a configuration or server fault.

    The message names the setting or file to fix; a node refuses to start on it.
    """


@dataclass(frozen=True)
class Sealer:
    """Encrypts and decrypts private keys; ``source`` names where the secret came from, for messages."""

    fernet: MultiFernet
    primary: Fernet
    source: str

    def seal(self, plaintext: bytes) -> str:
        """Encrypt ``plaintext`` with the first secret; a Fernet token (ASCII)."""
        return self.fernet.encrypt(plaintext).decode("ascii")

    def open(self, token: str, what: str) -> bytes:
        """Decrypt ``token`` with any of the secrets.

        Raises:
            KeyStoreError: no secret opens it (``what`` names the key in the message).
        """
        try:
            return self.fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeError):
            raise KeyStoreError(
                f"{what} cannot be decrypted with {self.source}: the keys were stored with another secret. "
                f"Give every node the same {SETTING} (the one the keys were stored with, first in the list "
                "if it is being changed)"
            ) from None

    def sealed_with_primary(self, token: str) -> bool:
        """True when ``token`` opens with the first secret (nothing to rewrap)."""
        try:
            self.primary.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True


def new_secret() -> str:
    """A new random secret for ``COUNCIL_KEYS_SECRET``: a Fernet key (32 bytes, url-safe base64, 44 characters)."""
    return Fernet.generate_key().decode("ascii")


def sealer() -> Sealer:
    """The sealer for the configured secret.

    Raises:
        KeyStoreError: ``COUNCIL_KEYS_SECRET`` is unset in production mode, or
            one of its entries is not a Fernet key; the development secret
            file cannot be read or written.
    """
    settings = get_settings()
    configured = settings.keys_secret.get_secret_value() if settings.keys_secret is not None else ""
    entries = [part.strip() for part in configured.split(",") if part.strip()]
    if entries:
        source = SETTING
    elif settings.development:
        path = Path(settings.keys_dir).resolve() / SECRET_FILE
        entries, source = [_development_secret(path)], f"the development secret in {path} ({SETTING} unset)"
    else:
        raise KeyStoreError(
            f"{SETTING} is not set: in production mode (COUNCIL_MODE=production) the token signing keys are "
            f"stored encrypted with it, and every node needs the same one. Make one with `council keys secret`"
        )
    fernets = []
    for n, entry in enumerate(entries, 1):
        try:
            fernets.append(Fernet(entry))
        except (ValueError, TypeError):
            raise KeyStoreError(
                f"{source}: entry {n} is not a Fernet key (32 bytes in url-safe base64, 44 characters; "
                f"several are separated by commas). Make one with `council keys secret`"
            ) from None
    return Sealer(MultiFernet(fernets), fernets[0], source)


def _development_secret(path: Path) -> str:
    """The secret in ``path``, written first (mode 0600) when absent; two processes agree on one."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(f".tmp-{secrets.token_hex(8)}")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(new_secret() + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)  # fails when the name exists: the first writer wins
            except FileExistsError:
                pass
        except OSError as exc:
            raise KeyStoreError(f"cannot write the development secret {path}: {exc}; or set {SETTING}") from exc
        finally:
            temporary.unlink(missing_ok=True)
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeError) as exc:
        raise KeyStoreError(f"cannot read the development secret {path}: {exc}; or set {SETTING}") from exc
