"""Settings, read from the environment (prefix ``COUNCIL_``) by pydantic-settings.

Every setting has a default that works on a fresh clone: an SQLite file under
``var/``, the signing keys' secret generated on first use under ``var/keys/``, and the
workflow definitions in the repository's ``workflows/`` folder (or, installed
from a wheel, the copy shipped in the package: see :func:`repository_or_shipped`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED = Path(__file__).resolve().parent / "_shipped"
"""What a wheel ships (``setup.py`` copies it at build time): ``workflows/`` and ``web/``."""
_ANY_ADDRESS = {"", "0.0.0.0", "::", "[::]"}


def local_origin(host: str, port: int) -> str:
    """``http://host:port``: the origin a browser on this machine reaches a server bound to ``host:port`` at.

    A wildcard bind address (``0.0.0.0``, ``::`` or empty) becomes
    ``127.0.0.1``; an IPv6 literal is bracketed (RFC 3986 §3.2.2).
    """
    name = host.strip()
    if name in _ANY_ADDRESS:
        name = "127.0.0.1"
    elif ":" in name and not name.startswith("["):
        name = f"[{name}]"
    return f"http://{name}:{port}"


def repository_or_shipped(path: str, shipped: str) -> Path:
    """``PROJECT_ROOT/path`` in a checkout (or an editable install), else ``SHIPPED/shipped``.

    A checkout is told by ``PROJECT_ROOT/pyproject.toml``: a wheel installed
    into site-packages has none (and its ``site-packages/graphql`` is
    graphql-core, not the repository's folder), and uses the copy ``setup.py``
    put in the package: ``repository_or_shipped("web/dist", "web")`` is
    ``web/dist`` in a checkout, built or not.
    """
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / path
    return SHIPPED / shipped


DATA_ROOT = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").is_file() else Path.cwd()
"""Where the default ``var/`` (SQLite file, development keys secret) lives: the checkout, or, for an installed
wheel, the working directory (never site-packages, which may not be writable)."""


class Settings(BaseSettings):
    """Process-wide configuration.

    Attributes:
        database_url: ``sqlite:///path`` (default ``var/council.sqlite3``) or
            ``postgres://user@host:port/db`` (asyncpg).
        mode: ``development`` turns on GraphiQL and introspection;
            ``production`` turns them off.
        workflows_dir: folder of workflow definitions (``*.yaml``): the
            repository's ``workflows/``, or in an installed wheel the copy
            shipped in the package (:func:`repository_or_shipped`).
        keys_dir: folder of the development keys secret (``keys-secret``, made
            when ``keys_secret`` is unset in development mode) and of the token
            signing keys of versions before 0007 (``key-NNNNNN.jwk.json``),
            imported into the database on first use (:mod:`council.auth.keys`).
        keys_secret: ``COUNCIL_KEYS_SECRET``, the secret the private signing
            keys are stored encrypted with (in the ``signing_key`` table): one
            Fernet key (``council keys secret`` prints a new one), or several
            separated by commas while changing it (the first encrypts, each
            decrypts; :mod:`council.auth.sealing`). Every node needs the same.
            Required in production mode; a node refuses to start without it, or
            with one that does not open the stored keys.
        keys_reload_interval: seconds between two re-reads of the signing keys
            from the database by each serving process, the fallback when a
            rotation's announcement through Redis is missed (or Redis is not
            configured); 0 turns the periodic re-read off.
        token_issuer / token_audience: the ``iss`` and ``aud`` of access tokens.
            The issuer is also the public origin of the OAuth endpoints and of the
            web client's redirect URI; unset (or empty), it is the address the
            server listens on, ``http://{host}:{port}`` (see :func:`local_origin`),
            so ``COUNCIL_PORT=8123`` moves it too. Set it explicitly behind a proxy.
            It is kept without a trailing ``/`` (``https://host`` or
            ``https://host/path``; ``https://host/`` is read as ``https://host``):
            the one spelling of the ``iss`` claim, the RFC 8414 metadata's
            ``issuer`` and ``/app/config.json``, to which paths are appended as
            ``f"{token_issuer}/oauth/token"``.
        token_ttl: default access-token lifetime, seconds.
        step_up_max_age: ``COUNCIL_STEP_UP_MAX_AGE``, seconds (default 600):
            how recently a member must have entered a password (the token's
            ``auth_time``) for a deliberate act such as signing the commitment
            (:func:`council.auth.stepup.require_recent_authentication`; RFC 9470).
        sqlite_busy_timeout: milliseconds SQLite waits on a locked database.
        max_page_size: the cap on ``first`` in connections.
        timezone: the city's IANA zone, for display only (storage is UTC).
        external_*: an external OpenID Connect provider to trust as well
            (see :mod:`council.auth.external`); ``external_role_map`` is JSON.
        scheduler_interval: seconds between two scans for due timers by the
            scheduler of each ``council serve`` process; 0 turns it off there
            (``council worker`` then does the firing).
        webhooks_interval: ``COUNCIL_WEBHOOKS_INTERVAL``, seconds between two
            rounds of webhook deliveries by each process running the deliverer
            (:mod:`council.webhooks.delivery`); 0 turns it off there.
        webhooks_allow_private: ``COUNCIL_WEBHOOKS_ALLOW_PRIVATE``: ``true``
            lets webhook URLs reach private, loopback, link-local and reserved
            addresses, or a comma-separated list of networks (CIDR, e.g.
            ``10.20.0.0/16,fd00::/8``) lets only those; empty (the default)
            refuses them all (:mod:`council.webhooks.urls`).
        outbox_interval: ``COUNCIL_OUTBOX_INTERVAL``, seconds (default 1.0)
            between two passes of the outbox relay over its consumers (live
            updates, e-mail, webhooks) in each ``council serve`` process and
            ``council worker``; each commit also nudges its own process's relay
            at once. 0: only when nudged (the tests; :mod:`council.outbox.relay`).
        outbox_retention: ``COUNCIL_OUTBOX_RETENTION``, seconds (default 7
            days) an outbox event is kept after every consumer handled it.
        redis_url: ``redis://host:port/db`` to carry live events between
            processes (:mod:`council.events`); None keeps them in memory.
        web_dir: the built web client (``npm run build`` in ``web/`` writes
            ``web/dist``), served under ``/app/`` (:mod:`council.web`); in an
            installed wheel, the build shipped in the package.
        web_client_id: the OAuth client id of the web client, registered by
            ``council web setup`` and told to the client in ``/app/config.json``.
        uploads_root: ``COUNCIL_UPLOADS_ROOT``, the folder the local storage
            keeps evidence files in (:mod:`council.uploads.storage`; default
            ``var/uploads``). Every node serving uploads needs the same folder.
        uploads_max_bytes: ``COUNCIL_UPLOADS_MAX_BYTES``, the largest evidence
            file ``POST /uploads`` accepts, in bytes (default 10 MiB); a larger
            body is refused with 413 and nothing is kept.
        max_body_bytes: ``COUNCIL_MAX_BODY_BYTES``, the largest request body, in
            bytes (default 1 MiB), of ``/graphql`` and every endpoint without a
            limit of its own; a larger one is answered 413 before it is read
            (:mod:`council.api.body_limit`). Also the largest websocket message
            ``council serve`` accepts (uvicorn's ``ws_max_size``; closed with 1009).
        oauth_max_body_bytes: ``COUNCIL_OAUTH_MAX_BODY_BYTES``, the same for
            ``/oauth/*`` (small forms), in bytes (default 16 KiB).
        log_level: the lowest level logged (``debug``, ``info``, ``warning``, ...).
        log_format: ``human`` (uvicorn's and Python's usual lines, the default) or
            ``json``: one JSON object per line, each request's line with its
            request id, operation, member id, status and latency (:mod:`council.logs`).
        host / port: where ``council serve`` listens (its ``--host`` and
            ``--port`` options set them for that process).
        shutdown_timeout: seconds ``council serve`` gives requests in flight to
            finish after SIGTERM (uvicorn's ``timeout_graceful_shutdown``); those
            still running then are cancelled. Websockets are closed at once with
            1012 (service restart), which clients retry.
        smtp_url: ``COUNCIL_SMTP_URL``, where e-mail is sent
            (:mod:`council.notifications.mailer`): ``smtp://user:pass@host:port``
            (plain, or ``?starttls=true`` to upgrade), ``smtps://...`` (implicit
            TLS, port 465 by default). Unset: nothing is sent and queued
            messages wait.
        mail_from: ``COUNCIL_MAIL_FROM``, the messages' ``From`` address.
        public_url: ``COUNCIL_PUBLIC_URL``, the origin the links in e-mail start
            with (``https://council.example``); unset, the token issuer.
        mail_interval: ``COUNCIL_MAIL_INTERVAL``, seconds between two runs of
            the mailer's sending loop in each process that runs it; 0 turns it off.
        mail_max_attempts: ``COUNCIL_MAIL_MAX_ATTEMPTS``, tries before a
            message is given up (``failed``).
        mail_digest_hour: ``COUNCIL_MAIL_DIGEST_HOUR``, the hour (0-23, the
            city's time zone, :attr:`timezone`) after which each day's digest goes.
    """

    model_config = SettingsConfigDict(env_prefix="COUNCIL_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite://{DATA_ROOT / 'var' / 'council.sqlite3'}"
    mode: Literal["development", "production"] = "development"
    workflows_dir: Path = repository_or_shipped("workflows", "workflows")
    keys_dir: Path = DATA_ROOT / "var" / "keys"
    keys_secret: SecretStr | None = None
    keys_reload_interval: float = 60.0
    token_issuer: str = ""
    token_audience: str = "council-api"
    token_ttl: int = 600
    step_up_max_age: int = Field(default=600, gt=0)
    sqlite_busy_timeout: int = 5000
    max_page_size: int = 100
    timezone: str = "Asia/Jakarta"
    external_issuer: str | None = None
    external_audience: str | None = None
    external_jwks_url: str | None = None
    external_username_claim: str = "preferred_username"
    external_roles_claim: str = "roles"
    external_role_map: dict[str, str] = {}
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    log_format: Literal["human", "json"] = "human"
    scheduler_interval: float = 5.0
    webhooks_interval: float = 5.0
    webhooks_allow_private: str = ""
    redis_url: str | None = None
    outbox_interval: float = Field(default=1.0, ge=0)
    outbox_retention: float = Field(default=7 * 24 * 3600.0, gt=0)
    web_dir: Path = repository_or_shipped("web/dist", "web")
    web_client_id: str = "council-web"
    shutdown_timeout: int = Field(default=20, ge=0)
    uploads_root: Path = DATA_ROOT / "var" / "uploads"
    uploads_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    oauth_max_body_bytes: int = Field(default=16 * 1024, gt=0)
    smtp_url: SecretStr | None = None
    mail_from: str = "Council <council@localhost>"
    public_url: str = ""
    mail_interval: float = 30.0
    mail_max_attempts: int = Field(default=8, gt=0)
    mail_digest_hour: int = Field(default=7, ge=0, le=23)

    @model_validator(mode="after")
    def _issuer_follows_the_address(self) -> Settings:
        # Normalised here and nowhere else: RFC 8414 §3.3 and RFC 9068 §4 compare issuers as strings.
        self.token_issuer = self.token_issuer.strip().rstrip("/") or local_origin(self.host, self.port)
        return self

    @property
    def development(self) -> bool:
        return self.mode == "development"


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
