"""The error of a workflow file that cannot be used, and the small readers every part of the loader shares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from council.yamlfile import YamlMap


class WorkflowError(ValueError):
    """A workflow file that cannot be used.

    Attributes:
        file: the file's path.
        entry: which entry, e.g. ``transitions[2] (trigger recommend)``.
        reason: what is wrong.
        line: 1-based line of the entry, 0 when unknown.
    """

    def __init__(self, file: Path | str, entry: str, reason: str, line: int = 0) -> None:
        self.file, self.entry, self.reason, self.line = str(file), entry, reason, line
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {entry}: {reason}")


def line_of(entry: Any) -> int:
    """The 1-based line of a mapping read by :func:`council.yamlfile.read_yaml`; 0 for anything else."""
    return entry.line if isinstance(entry, YamlMap) else 0


def keys_of(entry: dict[str, Any]) -> set[str]:
    """The keys of a mapping entry, as a set."""
    return set(entry)
