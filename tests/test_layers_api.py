"""The GraphQL room reads through the domain rooms' queries and loaders only (issue 9).

``council/api/*.py`` imports no ``tortoise`` and no ``council.<room>.models``:
an ORM query there would bypass the rooms' read side (``queries.py``), where
the statement counts and the readable rule are kept.
"""

from __future__ import annotations

import ast
from pathlib import Path

import council.api

API = Path(council.api.__file__).parent


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every import in ``tree``, functions' bodies included; ``from a import b`` gives a and a.b."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _forbidden(module: str) -> bool:
    parts = module.split(".")
    if parts[0] == "tortoise":
        return True
    return len(parts) >= 3 and parts[0] == "council" and parts[2] == "models"


def test_api_imports_no_orm() -> None:
    files = sorted(API.glob("*.py"))
    assert len(files) > 10, API
    offences = [
        f"{path.name}:{line}: {module}"
        for path in files
        for line, module in _imported_modules(ast.parse(path.read_text(), str(path)))
        if _forbidden(module)
    ]
    assert offences == []


def test_the_check_catches_what_it_should() -> None:
    tree = ast.parse(
        "import tortoise\nfrom tortoise.expressions import Q\nfrom council.proposals import models\n"
        "def f():\n    from council.voting.models import Ballot\n"
        "from council.proposals.queries import proposal_page\nfrom council import enums\n"
    )
    flagged = sorted({line for line, module in _imported_modules(tree) if _forbidden(module)})
    assert flagged == [1, 2, 3, 5]
