"""Ships the default workflow definitions and the built web client inside the ``council`` package.

The repository keeps one copy of each, at the top level: ``workflows/*.yaml``
and ``web/dist`` (``make web`` builds it; it is never committed). A wheel
copies them into ``council/_shipped/workflows`` and ``council/_shipped/web``
(and ``graphql/operations``, whose names label the metrics, into ``council/_shipped/operations``),
where :mod:`council.settings` looks for them when no repository folder is
around (a plain ``pip install``). Everything else is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {
    "workflows": ROOT / "workflows",
    "web": ROOT / "web" / "dist",
    "operations": ROOT / "graphql" / "operations",  # their names label the metrics (council.api.observe)
}
"""Folder under ``council/_shipped`` -> the repository folder copied there (skipped when absent)."""


class BuildWithShippedFiles(build_py):
    """setuptools' ``build_py``, then the folders of :data:`SHIPPED` copied into ``council/_shipped``.

    An editable install (``pip install -e``) copies nothing: it runs from
    the checkout, where the settings use the repository folders.
    """

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "council" / "_shipped"
        shutil.rmtree(target, ignore_errors=True)
        for name, source in SHIPPED.items():
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns(".*", "*.tsbuildinfo"))
            else:
                self.announce(f"council: {source} is missing; the wheel ships no {name}", level=3)


setup(cmdclass={"build_py": BuildWithShippedFiles})
