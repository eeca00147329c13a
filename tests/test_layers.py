"""The house drawing stays true: the layer contracts of pyproject.toml hold, and nothing dodges them.

``lint-imports`` (import-linter) checks the layers (api → domain rooms → workflow / audit / auth → db)
and that no rooms import each other in a cycle; this module runs it as CI does (``make check`` runs it
too) and checks what import-linter cannot see: an import inside a function, the usual way to dodge a
cycle, is allowed only in ``council/cli/``, where it keeps commands fast to start.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "council"


def test_layer_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 kept, 0 broken" in result.stdout, result.stdout[-2000:]


def _function_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append(f"{path.relative_to(ROOT)}:{inner.lineno}: {ast.unparse(inner)}")
    return found


def test_imports_inside_functions_only_in_the_cli() -> None:
    offenders = [
        line
        for path in sorted(PACKAGE.rglob("*.py"))
        if "cli" not in path.relative_to(PACKAGE).parts[:1]
        for line in _function_level_imports(path)
    ]
    assert offenders == [], "\n".join(offenders)


def test_the_check_finds_a_function_level_import(tmp_path: Path) -> None:
    """The check above is not vacuous: it sees an import nested in a method of a class."""
    probe = PACKAGE / "_probe_for_test_layers.py"
    try:
        probe.write_text("class A:\n    async def f(self):\n        from council import clock\n", encoding="utf-8")
        assert _function_level_imports(probe) == ["council/_probe_for_test_layers.py:3: from council import clock"]
    finally:
        probe.unlink()


WRITE_RECIPE_ONLY = {"append_event": "council/unit_of_work.py", "publish": "council/unit_of_work.py"}
"""Calls that belong to the write recipe alone (a second way to write would call them itself)."""
CARRIERS = {"council/events.py", "council/auth/keys.py"}
"""The broadcaster itself: its backends publish to each other; and the signing keys, whose rotation is announced
to every node (no domain event: nothing audited, nothing for subscribers)."""


def test_audit_events_and_announcements_only_through_the_write_recipe() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                home = WRITE_RECIPE_ONLY.get(name or "")
                if home is not None and rel != home and rel not in CARRIERS:
                    offenders.append(f"{rel}:{node.lineno}: {ast.unparse(node.func)}(...)")
    assert offenders == [], "\n".join(offenders)
