"""Serving the council web client (the TypeScript single-page app built from ``web/``).

The bundle is built by ``make web`` (``npm ci && npm run build`` in ``web/``)
into ``settings.web_dir`` and served under ``/app/`` by :func:`routes`; the
Python side never builds it. See :mod:`council.web.serving`.
"""

from __future__ import annotations

from council.web.serving import routes

__all__ = ["routes"]
