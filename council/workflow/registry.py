"""The loaded workflow definitions of this process, one engine per (name, version)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from council.settings import get_settings
from council.workflow.definition import WorkflowDefinition
from council.workflow.engine import WorkflowEngine
from council.workflow.errors import WorkflowError
from council.workflow.loader import load_file

DEFAULT_WORKFLOW = "quick-win"


class WorkflowRegistry:
    """Every definition in a folder, keyed by (name, version), with its engine.

    Raises (on construction):
        WorkflowError: a file is invalid, or two files declare the same name and version.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._engines: dict[tuple[str, int], WorkflowEngine] = {}
        files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
        if not files:
            raise WorkflowError(folder, "folder", "holds no workflow definitions (*.yaml)")
        for path in files:
            definition = load_file(path)
            key = (definition.name, definition.version)
            if key in self._engines:
                other = self._engines[key].definition.source_file
                raise WorkflowError(
                    path, "version", f"{definition.name} version {definition.version} is also defined in {other}"
                )
            self._engines[key] = WorkflowEngine(definition)

    def engine(self, name: str, version: int) -> WorkflowEngine:
        """The engine of ``name`` at ``version``. Raises KeyError when absent."""
        return self._engines[(name, version)]

    def engine_for(self, proposal: Mapping[str, Any]) -> WorkflowEngine:
        """The engine a proposal row runs on (its ``workflow_name`` and ``workflow_version``). Raises KeyError."""
        return self.engine(proposal["workflow_name"], proposal["workflow_version"])

    def latest(self, name: str) -> WorkflowDefinition | None:
        """The highest version of ``name``, or None."""
        versions = [v for (n, v) in self._engines if n == name]
        return self._engines[(name, max(versions))].definition if versions else None

    def default(self) -> WorkflowDefinition:
        """The latest version of the default workflow (``quick-win``), for new proposals."""
        definition = self.latest(DEFAULT_WORKFLOW)
        if definition is None:
            raise WorkflowError(self.folder, "folder", f"has no {DEFAULT_WORKFLOW!r} workflow")
        return definition

    def definitions(self) -> list[WorkflowDefinition]:
        """All definitions, by name then version."""
        return [self._engines[k].definition for k in sorted(self._engines)]


@lru_cache
def get_registry() -> WorkflowRegistry:
    """The registry of ``settings.workflows_dir``, loaded once per process."""
    return WorkflowRegistry(get_settings().workflows_dir)
