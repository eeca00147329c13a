"""Log output: the human format of uvicorn and Python by default, or one JSON object per line.

``COUNCIL_LOG_FORMAT=json`` (:attr:`council.settings.Settings.log_format`)
puts structlog's :class:`~structlog.stdlib.ProcessorFormatter` on the root
logger of the standard library, so every ``logging`` call (Council's,
uvicorn's, tortoise's) comes out as one JSON object per line on stderr::

    {"event": "request", "level": "info", "logger": "council.request", "timestamp": "2026-12-01T14:00:00.123Z",
     "request_id": "3f2a...", "operation": "CastVote", "member_id": 7, "status": 200, "latency_ms": 12.3, ...}

Fields bound with :func:`structlog.contextvars.bind_contextvars` (the request
id, by :mod:`council.api.observe`) join every line logged while they are
bound; ``extra={...}`` of a ``logging`` call joins its own line. Code keeps
logging through the standard library: this module only formats.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal

import structlog
from structlog.typing import EventDict, Processor

LogFormat = Literal["human", "json"]

_DROPPED = ("color_message",)
"""``extra`` fields that only repeat the message (uvicorn's coloured copy)."""


def _drop_noise(_: Any, __: str, event: EventDict) -> EventDict:
    for key in _DROPPED:
        event.pop(key, None)
    return event


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _drop_noise,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure(log_format: LogFormat, level: str = "info") -> None:
    """Set up the process's log output for ``log_format``; calling it again replaces the set-up.

    ``human`` leaves the standard library's and uvicorn's own configuration
    alone. ``json`` replaces the root logger's handlers with one writing JSON
    lines to stderr at ``level`` (a logging level name, e.g. ``info``), makes
    uvicorn's loggers hand their records to it and silences uvicorn's access
    lines (uvicorn writes none when its access logger has no handler).
    """
    if log_format != "json":
        return
    shared = _shared_processors()
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.dict_tracebacks,
            structlog.processors.JSONRenderer(default=str),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        named = logging.getLogger(name)
        named.handlers = []
        named.propagate = True
    access = logging.getLogger("uvicorn.access")  # each request's line comes from council.api.observe instead
    access.handlers = []
    access.propagate = False
