"""Vote and SLA rules of workflow files: defaults, the shipped rules, and nonsense refused on load.

In process (``load_file`` on a temporary file), so every bad case names the
file, the entry and the reason as ``council workflows check`` prints them
(``test_cli.py`` runs a few of them through the command).
"""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from council.workflow.definition import VoteRule, quorum_required
from council.workflow.durations import DurationError, format_duration, parse_duration
from council.workflow.errors import WorkflowError
from council.workflow.loader import load_file
from council.workflow.registry import get_registry


@pytest.fixture(autouse=True)
def pekanbaru() -> None:
    """No database here: override conftest's per-test reseeding."""


GOOD = """\
name: voting
version: 1
initial: draft
states:
  - {name: draft}
  - name: review
    sla: {after: P14D, escalate: true}
  - name: ballot
    vote: {window: P7D, on_no_quorum: extend}
  - {name: approved, final: true}
  - {name: rejected, final: true}
transitions:
  - {trigger: submit, source: draft, dest: review, roles: [opd_officer], scope: proposals:write}
  - {trigger: recommend, source: review, dest: ballot, roles: [technical_team], scope: reviews:write}
  - {trigger: close, source: ballot, dest: approved, roles: [council_chair], scope: votes:write,
     guards: [quorum_met, majority_yes]}
  - {trigger: close, source: ballot, dest: rejected, roles: [council_chair], scope: votes:write, guards: [quorum_met]}
  - {trigger: close, source: ballot, dest: rejected, roles: [council_chair], scope: votes:write,
     guards: [deadline_passed]}
"""
VOTE = "vote: {window: P7D, on_no_quorum: extend}"


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "voting.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_file(path)


def test_a_vote_without_keys_gets_the_documented_defaults(tmp_path: Path) -> None:
    text = GOOD.replace(VOTE, "vote: {}").replace(
        """  - {trigger: close, source: ballot, dest: rejected, roles: [council_chair], scope: votes:write,
     guards: [deadline_passed]}
""",
        "",
    )
    rule = load(tmp_path, text).state("ballot").vote
    assert rule == VoteRule(
        eligible_roles=frozenset({"council_member", "council_chair"}),
        quorum=0.5,
        quorum_count=None,
        threshold=0.5,
        threshold_of="yes_no",
        window=None,
        hide_tally=False,
        votes_public=False,
        on_no_quorum="reject",
        deadline_trigger=None,
    )


def test_every_key_is_read(tmp_path: Path) -> None:
    text = GOOD.replace(
        VOTE,
        "vote: {eligible: [council_chair], quorum: {count: 3}, threshold: 0.66, "
        "threshold_of: cast, window: PT36H, hide_tally: true, votes_public: true, on_no_quorum: reject}",
    )
    definition = load(tmp_path, text)
    rule = definition.state("ballot").vote
    assert (rule.eligible_roles, rule.quorum, rule.quorum_count, rule.threshold, rule.threshold_of) == (
        frozenset({"council_chair"}),
        None,
        3,
        0.66,
        "cast",
    )
    assert (rule.window, rule.hide_tally, rule.votes_public, rule.on_no_quorum, rule.deadline_trigger) == (
        timedelta(hours=36),
        True,
        True,
        "reject",
        "close",
    )
    sla = definition.state("review").sla
    assert (sla.after, sla.escalate, sla.trigger) == (timedelta(days=14), True, None)


def test_the_shipped_quick_win_rules() -> None:
    definition = get_registry().engine("quick-win", 1).definition
    rule = definition.state("quick_win_approval").vote
    assert rule is not None
    assert (rule.quorum, rule.threshold, rule.threshold_of, rule.window, rule.on_no_quorum, rule.hide_tally) == (
        0.5,
        0.5,
        "yes_no",
        timedelta(days=7),
        "extend",
        False,
    )
    assert rule.deadline_trigger == "close_vote"
    assert rule.votes_public is True  # the shipped file: the council's votes are public record
    sla = definition.state("technical_review").sla
    assert sla is not None and (sla.after, sla.escalate) == (timedelta(days=14), True)


@pytest.mark.parametrize(
    ("eligible", "share", "count", "needed"),
    [
        (7, 0.5, None, 4),
        (6, 0.5, None, 4),
        (5, 0.5, None, 3),
        (4, 0.5, None, 3),
        (1, 0.5, None, 1),
        (0, 0.5, None, 1),
        (10, 0.3, None, 4),
        (10, 0.7, None, 8),
        (20, 0.35, None, 8),
        (7, None, 2, 2),
        (3, 0.66, None, 2),
        (100, 0.66, None, 67),
    ],
)
def test_quorum_is_more_than_the_share_or_the_count(
    eligible: int, share: float | None, count: int | None, needed: int
) -> None:
    assert quorum_required(eligible, share, count) == needed


BAD = {
    "quorum_one": (
        VOTE,
        "vote: {quorum: 1, window: P7D}",
        "states[2] (ballot).vote",
        "quorum must be a share above 0 and below 1",
    ),
    "quorum_above_one": (
        VOTE,
        "vote: {quorum: 1.5, window: P7D}",
        "states[2] (ballot).vote",
        "quorum must be a share above 0 and below 1",
    ),
    "quorum_zero": (
        VOTE,
        "vote: {quorum: 0, window: P7D}",
        "states[2] (ballot).vote",
        "quorum must be a share above 0 and below 1",
    ),
    "quorum_negative": (
        VOTE,
        "vote: {quorum: -0.5, window: P7D}",
        "states[2] (ballot).vote",
        "quorum must be a share above 0 and below 1",
    ),
    "quorum_text": (
        VOTE,
        "vote: {quorum: half, window: P7D}",
        "states[2] (ballot).vote",
        "quorum must be a share above 0 and below 1",
    ),
    "quorum_count_zero": (
        VOTE,
        "vote: {quorum: {count: 0}, window: P7D}",
        "states[2] (ballot).vote",
        "an absolute quorum is {count: N} with a whole N of 1 or more",
    ),
    "quorum_count_fraction": (
        VOTE,
        "vote: {quorum: {count: 2.5}, window: P7D}",
        "states[2] (ballot).vote",
        "an absolute quorum is {count: N}",
    ),
    "quorum_unknown_key": (
        VOTE,
        "vote: {quorum: {share: 0.5}, window: P7D}",
        "states[2] (ballot).vote",
        "an absolute quorum is {count: N}",
    ),
    "threshold_one": (
        VOTE,
        "vote: {threshold: 1, window: P7D}",
        "states[2] (ballot).vote",
        "threshold must be a share from 0 up to (not including) 1",
    ),
    "threshold_bool": (
        VOTE,
        "vote: {threshold: true, window: P7D}",
        "states[2] (ballot).vote",
        "threshold must be a share",
    ),
    "threshold_of_unknown": (
        VOTE,
        "vote: {threshold_of: everyone, window: P7D}",
        "states[2] (ballot).vote",
        "threshold_of must be one of yes_no, cast, got 'everyone'",
    ),
    "window_negative": (VOTE, "vote: {window: -P7D}", "states[2] (ballot).vote", "window: '-P7D' is negative"),
    "window_zero": (VOTE, "vote: {window: P0D}", "states[2] (ballot).vote", "window: 'P0D' is zero"),
    "window_months": (VOTE, "vote: {window: P1M}", "states[2] (ballot).vote", "uses years or months"),
    "window_not_iso": (
        VOTE,
        "vote: {window: 7 days}",
        "states[2] (ballot).vote",
        "window: '7 days' is not an ISO 8601 duration",
    ),
    "window_number": (VOTE, "vote: {window: 7}", "states[2] (ballot).vote", "window: 7 is not an ISO 8601 duration"),
    "hide_tally_text": (
        VOTE,
        "vote: {window: P7D, hide_tally: yes please}",
        "states[2] (ballot).vote",
        "hide_tally must be true or false",
    ),
    "votes_public_text": (
        VOTE,
        "vote: {window: P7D, votes_public: 1}",
        "states[2] (ballot).vote",
        "votes_public must be true or false",
    ),
    "on_no_quorum_unknown": (
        VOTE,
        "vote: {window: P7D, on_no_quorum: wait}",
        "states[2] (ballot).vote",
        "on_no_quorum must be one of reject, extend, got 'wait'",
    ),
    "on_no_quorum_without_window": (
        VOTE,
        "vote: {on_no_quorum: extend}",
        "states[2] (ballot).vote",
        "on_no_quorum needs a window",
    ),
    "unknown_vote_key": (
        VOTE,
        "vote: {window: P7D, majority: 0.5}",
        "states[2] (ballot).vote",
        "unknown key(s) ['majority']",
    ),
    "unknown_role": (VOTE, "vote: {window: P7D, eligible: [mayor]}", "states[2] (ballot).vote", "unknown role 'mayor'"),
    "vote_not_a_mapping": (VOTE, "vote: [P7D]", "states[2] (ballot).vote", "must be a mapping"),
    "vote_on_a_final_state": (
        "{name: approved, final: true}",
        "{name: approved, final: true, vote: {}}",
        "states[3] (approved)",
        "a final state can hold no vote and no sla",
    ),
    "window_without_way_out": (
        """  - {trigger: close, source: ballot, dest: rejected, roles: [council_chair], scope: votes:write,
     guards: [deadline_passed]}
""",
        "",
        "states (ballot).vote",
        "a vote with a window needs a transition out of 'ballot' guarded by deadline_passed",
    ),
    "deadline_guard_without_window": (
        VOTE,
        "vote: {}",
        "transitions[4] (close)",
        "guard 'deadline_passed' needs a vote with a window in state 'ballot'",
    ),
    "two_deadline_triggers": (
        "dest: rejected, roles: [council_chair], scope: votes:write,\n     guards: [deadline_passed]",
        "dest: rejected, roles: [council_chair], scope: votes:write,\n     guards: [deadline_passed]}\n"
        "  - {trigger: expire, source: ballot, dest: rejected, roles: [council_chair], "
        "scope: votes:write, guards: [deadline_passed]",
        "states (ballot).vote",
        "the deadline could fire close or expire",
    ),
    "sla_without_after": (
        "sla: {after: P14D, escalate: true}",
        "sla: {escalate: true}",
        "states[1] (review).sla",
        "missing 'after'",
    ),
    "sla_negative": (
        "sla: {after: P14D, escalate: true}",
        "sla: {after: -P14D, escalate: true}",
        "states[1] (review).sla",
        "after: '-P14D' is negative",
    ),
    "sla_does_nothing": (
        "sla: {after: P14D, escalate: true}",
        "sla: {after: P14D}",
        "states[1] (review).sla",
        "say what happens after the time",
    ),
    "sla_both": (
        "sla: {after: P14D, escalate: true}",
        "sla: {after: P14D, escalate: true, trigger: recommend}",
        "states[1] (review).sla",
        "say what happens after the time",
    ),
    "sla_unknown_key": (
        "sla: {after: P14D, escalate: true}",
        "sla: {after: P14D, escalate: true, page: chair}",
        "states[1] (review).sla",
        "unknown key(s) ['page']",
    ),
    "sla_trigger_not_from_state": (
        "sla: {after: P14D, escalate: true}",
        "sla: {after: P14D, trigger: submit}",
        "states (review).sla",
        "trigger 'submit' has no transition out of 'review'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_nonsense_is_refused_with_file_entry_and_reason(case: str, tmp_path: Path) -> None:
    old, new, entry, reason = BAD[case]
    assert old in GOOD, case
    with pytest.raises(WorkflowError) as caught:
        load(tmp_path, GOOD.replace(old, new))
    error = caught.value
    assert error.file == str(tmp_path / "voting.yaml")
    assert error.entry == entry, str(error)
    assert reason in error.reason, str(error)


def test_the_good_file_loads(tmp_path: Path) -> None:
    definition = load(tmp_path, GOOD)
    assert definition.state("ballot").vote.deadline_trigger == "close"


@pytest.mark.parametrize(
    ("text", "seconds", "canonical"),
    [
        ("P7D", 7 * 86400, "P7D"),
        ("P2W", 14 * 86400, "P14D"),
        ("PT36H", 36 * 3600, "P1DT12H"),
        ("P1DT12H", 36 * 3600, "P1DT12H"),
        ("PT90M", 5400, "PT1H30M"),
        ("PT45S", 45, "PT45S"),
        ("p7d", 7 * 86400, "P7D"),
    ],
)
def test_durations(text: str, seconds: int, canonical: str) -> None:
    assert parse_duration(text).total_seconds() == seconds
    assert format_duration(parse_duration(text)) == canonical


@pytest.mark.parametrize(
    "text", ["P", "PT", "P1DT", "7D", "P1.5D", "PT1M1H", "P1W2D", "P1Y", "P1M", "-PT1H", "P0W", ""]
)
def test_bad_durations(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


async def test_the_workflow_query_shows_the_rules(gql: object) -> None:
    body = await gql("""{ workflow(name: "quick-win") { states { name
        vote { eligibleRoles quorum quorumCount threshold thresholdOf window hideTally onNoQuorum }
        sla { after escalate trigger } } } }""")
    states = {s["name"]: s for s in body["data"]["workflow"]["states"]}
    assert states["quick_win_approval"]["vote"] == {
        "eligibleRoles": ["COUNCIL_CHAIR", "COUNCIL_MEMBER"],
        "quorum": 0.5,
        "quorumCount": None,
        "threshold": 0.5,
        "thresholdOf": "YES_NO",
        "window": "P7D",
        "hideTally": False,
        "onNoQuorum": "EXTEND",
    }
    assert states["technical_review"]["sla"] == {"after": "P14D", "escalate": True, "trigger": None}
    assert states["draft"]["vote"] is None and states["draft"]["sla"] is None
