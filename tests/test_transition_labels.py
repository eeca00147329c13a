"""Transition labels: ``label: {en, id}`` per transition in the workflow file, in the request's language.

``WorkflowTransition.label`` and ``Proposal.transitionOptions`` answer the
label of the trigger in the language of ``Accept-Language`` (the trigger
itself when the file gives none); ``council workflows check`` refuses a
label that is not a mapping of ``en`` / ``id`` to text with
``file:line: entry: reason``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from ballots import QUICK_WIN, workflow_variant
from paths import Paths

RAW = yaml.safe_load(QUICK_WIN.read_text(encoding="utf-8"))
COUNCIL = str(Path(sys.executable).with_name("council"))
INDONESIAN = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}

WORKFLOW = """
query($name: String!, $version: Int) {
  workflow(name: $name, version: $version) { version transitions { trigger label sources dest } }
}"""
OPTIONS = "query($id: ID!) { proposal(id: $id) { state availableTransitions transitionOptions { trigger label commentRequired } } }"


def expected_labels(lang: str) -> list[tuple[str, str]]:
    """(trigger, label) of every transition of the shipped file, read from the file itself."""
    return [(t["trigger"], t["label"][lang]) for t in RAW["transitions"]]


def test_every_shipped_transition_has_both_labels() -> None:
    for t in RAW["transitions"]:
        assert set(t.get("label", {})) == {"en", "id"}, t["trigger"]
    assert dict(expected_labels("id"))["close_vote"] == "Tutup pemungutan suara"
    assert dict(expected_labels("en"))["request_revision"] == "Request revision"


@pytest.mark.parametrize(
    ("headers", "lang"),
    [(INDONESIAN, "id"), (ENGLISH, "en"), (None, "en"), ({"Accept-Language": "fr, id;q=0.4"}, "id")],
)
async def test_workflow_transition_labels_follow_accept_language(
    gql: Any, headers: dict[str, str] | None, lang: str
) -> None:
    body = await gql(WORKFLOW, {"name": "quick-win"}, headers=headers)
    transitions = body["data"]["workflow"]["transitions"]
    assert [(t["trigger"], t["label"]) for t in transitions] == expected_labels(lang)


async def test_transition_options_carry_labels_and_the_comment_rule(p: Paths) -> None:
    pid = await p.new_proposal()
    officer = (await p.call(OPTIONS, {"id": pid}, p.officer, headers=INDONESIAN))["proposal"]
    assert officer["transitionOptions"] == [
        {"trigger": "submit", "label": "Ajukan untuk dikaji", "commentRequired": False},
        {"trigger": "withdraw", "label": "Tarik usulan", "commentRequired": False},
    ]
    assert [o["trigger"] for o in officer["transitionOptions"]] == officer["availableTransitions"]

    await p.drive(pid, "technical_review")
    await p.reviews_for_min(pid, 2, 1)
    team = (await p.call(OPTIONS, {"id": pid}, "tim.teknis1", headers=ENGLISH))["proposal"]
    assert team["transitionOptions"] == [
        {"trigger": "request_revision", "label": "Request revision", "commentRequired": True},
        {"trigger": "recommend", "label": "Recommend as quick win", "commentRequired": False},
        {"trigger": "reject", "label": "Reject", "commentRequired": True},
    ]
    assert [o["trigger"] for o in team["transitionOptions"]] == team["availableTransitions"]


@pytest.fixture
def unlabelled_v2(tmp_path: Path) -> Iterator[None]:
    """quick-win version 2 without any transition label, beside the shipped version 1."""

    def unlabel(raw: dict[str, Any]) -> None:
        for t in raw["transitions"]:
            t.pop("label", None)

    with workflow_variant(tmp_path / "workflows", edit=unlabel):
        yield


async def test_a_transition_without_a_label_is_labelled_by_its_trigger(gql: Any, unlabelled_v2: None) -> None:
    v2 = (await gql(WORKFLOW, {"name": "quick-win"}, headers=INDONESIAN))["data"]["workflow"]
    assert v2["version"] == 2
    assert [t["label"] for t in v2["transitions"]] == [t["trigger"] for t in v2["transitions"]]
    v1 = (await gql(WORKFLOW, {"name": "quick-win", "version": 1}, headers=INDONESIAN))["data"]["workflow"]
    assert [(t["trigger"], t["label"]) for t in v1["transitions"]] == expected_labels("id")


# --- the loader refuses a bad label: council workflows check ---------------------------------------

HEAD = """\
name: demo
version: 1
initial: draft
states:
  - {name: draft, label: {en: Draft, id: Draf}}
  - {name: done, final: true}
transitions:
  - trigger: finish
    source: draft
    dest: done
    roles: [opd_officer]
    scope: proposals:write
"""
ENTRY_LINE = HEAD.splitlines().index("  - trigger: finish") + 1
LABEL_LINE = HEAD.count("\n") + 1
"""The lines of the transition and of the ``label`` appended to it: a label that is a mapping is
reported at its own line, one that is not (a YAML scalar or list carries no line) at the transition's."""

BAD_LABELS = {
    "text": ("    label: Selesaikan\n", ENTRY_LINE, "got 'Selesaikan'"),
    "list": ("    label: [en, id]\n", ENTRY_LINE, "got ['en', 'id']"),
    "unknown_language": ("    label: {en: Finish, fr: Terminer}\n", LABEL_LINE, "unknown language(s) ['fr']"),
    "number": ("    label: {en: Finish, id: 3}\n", LABEL_LINE, "id is 3"),
    "blank": ("    label: {en: '', id: Selesaikan}\n", LABEL_LINE, "en is ''"),
    "nested": ("    label: {en: {text: Finish}}\n", LABEL_LINE, "en is {"),
}


def check(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "COUNCIL_DATABASE_URL": f"sqlite://{tmp_path / 'x.sqlite3'}",
        "COUNCIL_KEYS_DIR": str(tmp_path / "keys"),
        "COLUMNS": "300",
    }
    return subprocess.run(
        [COUNCIL, "workflows", "check", str(path)], capture_output=True, text=True, env=env, timeout=120
    )


def test_a_good_label_passes_the_check(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(HEAD + "    label: {en: Finish, id: Selesaikan}\n")
    result = check(path, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ok: demo version 1" in result.stdout


@pytest.mark.parametrize("case", sorted(BAD_LABELS))
def test_a_bad_transition_label_is_refused_with_file_line_entry_reason(case: str, tmp_path: Path) -> None:
    text, line, reason = BAD_LABELS[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(HEAD + text)
    result = check(path, tmp_path)
    assert result.returncode == 1, result.stdout
    message = " ".join(result.stderr.split())
    assert f"{path}:{line}: transitions[0] (finish): label must map language codes (en, id) to text" in message
    assert reason in message


def test_transitions_sharing_a_trigger_share_its_label(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(
        textwrap.dedent("""\
        name: demo
        version: 1
        initial: draft
        states:
          - {name: draft}
          - {name: done, final: true}
          - {name: dropped, final: true}
        transitions:
          - {trigger: finish, source: draft, dest: done, roles: [opd_officer], scope: proposals:write,
             guards: [progress_complete], label: {en: Finish, id: Selesaikan}}
          - {trigger: finish, source: draft, dest: dropped, roles: [opd_officer], scope: proposals:write,
             label: {en: Drop, id: Batalkan}}
        """)
    )
    result = check(path, tmp_path)
    assert result.returncode == 1
    message = " ".join(result.stderr.split())
    assert f"{path}:12: transitions[1] (finish): label" in message
    assert "a trigger has one label" in message


def test_a_bad_state_label_now_names_its_line_too(tmp_path: Path) -> None:
    path = tmp_path / "state.yaml"
    path.write_text(HEAD.replace("label: {en: Draft, id: Draf}", "label: Draf"))
    result = check(path, tmp_path)
    assert result.returncode == 1
    assert f"{path}:5: states[0] (draft): label must map" in " ".join(result.stderr.split())
