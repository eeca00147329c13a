"""Rules that live in one place: a second copy appearing makes one of these fail.

- each guard's message (``guard.<name>`` of :mod:`council.i18n`, used by both
  the GUARD_FAILED refusal and ``Proposal.blockedTransitions``);
- no two messages with the same English text;
- the clock (:mod:`council.clock`): no other reading of the wall clock in ``council/``.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from council.i18n import LANGUAGES, MESSAGES
from council.workflow.guards import GUARDS, ProposalFacts, evaluate

COUNCIL = Path(__file__).resolve().parent.parent / "council"
LABELS = ("field.", "kind.")
"""Keys of single words a sentence inserts (an input field, an object kind): two may be the same word."""


@pytest.mark.parametrize("name", sorted(GUARDS))
def test_every_guard_has_exactly_one_message(name: str) -> None:
    mentions = sorted(k for k in MESSAGES if re.search(rf"(^|[._]){re.escape(name)}$", k))
    assert mentions == [f"guard.{name}"], f"guard {name!r} has messages {mentions}; keep guard.{name} only"
    assert set(MESSAGES[f"guard.{name}"]) == set(LANGUAGES)
    params = {k: default for k, (_, default, _) in GUARDS[name].params.items()}
    failure = evaluate(name, params, ProposalFacts(proposal_id=1, state="x", organization_id=1))
    assert failure is not None and failure.key == f"guard.{name}"


def test_guard_messages_are_only_those_of_registered_guards() -> None:
    keys = {k for k in MESSAGES if k.startswith("guard")}
    assert keys == {f"guard.{name}" for name in GUARDS} | {"guard_failed"}


def test_no_two_messages_say_the_same_in_english() -> None:
    seen: dict[str, list[str]] = defaultdict(list)
    for key, templates in MESSAGES.items():
        seen[templates["en"].strip().lower()].append(key)
    twice = {text: keys for text, keys in seen.items() if len(keys) > 1 and not all(k.startswith(LABELS) for k in keys)}
    assert not twice, f"one text, several keys (keep one): {twice}"


# Reading the wall clock anywhere but council/clock.py escapes the tests' FakeClock.
# Monotonic timers (durations) are fine.
WALL_CLOCK = re.compile(
    r"\bdatetime\.(now|utcnow|today)\(|\btime\.time\(|\bdate\.today\(|^from time import .*\btime\b"
    r"|^from council\.clock import"
)  # a bound copy of clock.now escapes a test's replacement


def test_council_reads_the_wall_clock_only_in_clock_py() -> None:
    found = [
        f"{path.relative_to(COUNCIL.parent)}:{number}: {line.strip()}"
        for path in sorted(COUNCIL.rglob("*.py"))
        if path != COUNCIL / "clock.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WALL_CLOCK.search(line)
    ]
    assert not found, "use council.clock.now() (as clock.now(), so tests can move time):\n" + "\n".join(found)


def _assignments(name: str) -> list[str]:
    found = []
    for path in sorted(COUNCIL.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found.append(f"{path.relative_to(COUNCIL.parent)}:{node.lineno}")
    return found


@pytest.mark.parametrize("name", ["DECIDING_GUARDS", "PROPOSAL_FIELDS", "OPERATIONS", "STATE_CONDITIONS"])
def test_rule_tables_are_defined_once(name: str) -> None:
    """The guards that decide a ballot (the loader's deadline check and the stored result), the proposal row,
    the operations' rules and the states they need: one definition each."""
    assert len(_assignments(name)) == 1, _assignments(name)
