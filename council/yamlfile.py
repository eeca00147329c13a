"""One YAML reader for the files people write by hand: seeds and workflow definitions.

:func:`read_yaml` parses a file with PyYAML's safe loader and keeps where
things are, so that a loader can name the line of a faulty entry:

- every mapping is a :class:`YamlMap` (a ``dict``) with ``line``, the 1-based
  line where it starts, and ``value_lines``, the line of each key's value;
- every sequence is a :class:`YamlList` (a ``list``) with ``line`` and
  ``item_lines``, the line of each item;
- a key given twice in one mapping (YAML keeps the last silently) is listed in
  :attr:`YamlDocument.duplicates`; each loader decides whether that is an error.

Scalars are plain Python values. A file that cannot be read or is not YAML
raises :class:`YamlFileError` with the line and column of the problem (0 when
unknown); the loaders word it for their own errors.

Example::

    doc = read_yaml(Path("council/seeds/pekanbaru-2018.yaml"))
    doc.data["members"].item_lines[0]  # line of the first member
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class YamlMap(dict[Any, Any]):
    """A YAML mapping: ``line`` (1-based, 0 when unknown) and ``value_lines`` (key -> line of its value)."""

    line: int = 0
    value_lines: dict[Any, int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.value_lines = {}


class YamlList(list[Any]):
    """A YAML sequence: ``line`` (1-based, 0 when unknown) and ``item_lines`` (line of each item)."""

    line: int = 0
    item_lines: list[int]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines = []


@dataclass(frozen=True)
class DuplicateKey:
    """A key given twice in one mapping: ``line`` of the repeated key, ``mapping_line`` of its mapping."""

    key: Any
    line: int
    mapping_line: int


@dataclass
class YamlDocument:
    """A parsed file: ``data`` (None for an empty file) and the ``duplicates`` found, in document order."""

    data: Any
    duplicates: list[DuplicateKey] = field(default_factory=list)


class YamlFileError(Exception):
    """A file that cannot be read (``line`` 0) or is not valid YAML.

    Attributes:
        reason: e.g. ``not valid YAML: expected ',' or ']'`` or ``cannot be read: No such file``.
        problem: the bare YAML problem or OS error text, without the prefix.
        line / column: 1-based position of the problem, 0 when unknown.
    """

    def __init__(self, reason: str, problem: str, line: int = 0, column: int = 0) -> None:
        self.reason, self.problem, self.line, self.column = reason, problem, line, column
        super().__init__(reason)


class _Loader(yaml.SafeLoader):
    """The safe loader, building :class:`YamlMap` / :class:`YamlList` and noting duplicate keys."""

    duplicates: list[DuplicateKey]


def _mapping(loader: _Loader, node: yaml.MappingNode) -> YamlMap:
    result = YamlMap()
    result.line = node.start_mark.line + 1
    loader.flatten_mapping(node)  # merge keys (<<), as SafeLoader does
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
            ) from None
        if key in result:
            loader.duplicates.append(DuplicateKey(key, key_node.start_mark.line + 1, result.line))
        result[key] = loader.construct_object(value_node, deep=True)
        result.value_lines[key] = value_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> YamlList:
    result = YamlList(loader.construct_object(item, deep=True) for item in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [item.start_mark.line + 1 for item in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read_yaml(path: Path) -> YamlDocument:
    """Read one YAML document from ``path`` (UTF-8) with the lines of its mappings and sequences.

    Raises:
        YamlFileError: the file cannot be read or decoded (``cannot be read: ...``,
            line 0), or is not one valid YAML document (``not valid YAML: ...``
            with the line and column of the problem when PyYAML knows them).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlFileError(f"cannot be read: {exc.strerror or exc}", str(exc.strerror or exc)) from None
    except UnicodeDecodeError as exc:
        raise YamlFileError(f"cannot be read: {exc}", str(exc)) from None
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = str(getattr(exc, "problem", None) or exc)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        raise YamlFileError(f"not valid YAML: {problem}", problem, line, column) from None
    finally:
        loader.dispose()
    return YamlDocument(data, loader.duplicates)
