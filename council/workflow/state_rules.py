"""The rules a state of a workflow file may carry: its vote, its SLA and its review (council.workflow.loader).

Each parser takes the entry as read from YAML, the file's path, the entry's
name and line (for the message), and gives the rule or raises
:class:`~council.workflow.errors.WorkflowError` naming the file, entry and reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from council.enums import Role
from council.workflow.definition import NO_QUORUM_ACTIONS, THRESHOLD_BASES, ReviewRule, SlaRule, VoteRule
from council.workflow.durations import DurationError, parse_duration
from council.workflow.errors import WorkflowError
from council.workflow.errors import keys_of as _keys
from council.workflow.errors import line_of as _line

ROLES = frozenset(r.value for r in Role)
VOTE_KEYS = {
    "eligible",
    "quorum",
    "threshold",
    "threshold_of",
    "window",
    "hide_tally",
    "votes_public",
    "on_no_quorum",
    "remind_before",
}
SLA_KEYS = {"after", "escalate", "trigger", "notify"}
REVIEW_KEYS = {"assigned_only", "remind_before"}
DEFAULT_ELIGIBLE = ["council_member", "council_chair"]


def parse_vote(raw: Any, path: Path, where: str, line: int) -> VoteRule:
    """A state's ``vote`` (keys and defaults: :class:`VoteRule`; the shipped file's comments show them).

    Refused: unknown keys; ``eligible`` not a non-empty list of roles;
    ``quorum`` not a share 0 < q < 1 nor ``{count: N}`` with N >= 1;
    ``threshold`` not 0 <= t < 1; ``threshold_of`` not yes_no or cast;
    ``window`` not a positive ISO 8601 duration; ``hide_tally`` or
    ``votes_public`` not a boolean; ``on_no_quorum`` not reject or extend, or given without a window;
    ``remind_before`` not a positive duration shorter than the window (or given without one).
    """
    where = f"{where}.vote"
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise WorkflowError(path, where, f"must be a mapping ({', '.join(sorted(VOTE_KEYS))})", line)
    line = _line(raw) or line
    unknown = _keys(raw) - VOTE_KEYS
    if unknown:
        raise WorkflowError(
            path, where, f"unknown key(s) {sorted(unknown)} (known: {', '.join(sorted(VOTE_KEYS))})", line
        )
    eligible = raw.get("eligible", DEFAULT_ELIGIBLE)
    if not isinstance(eligible, list) or not eligible:
        raise WorkflowError(path, where, "eligible must be a non-empty list of roles", line)
    for role in eligible:
        if role not in ROLES:
            raise WorkflowError(path, where, f"unknown role {role!r} (known: {', '.join(sorted(ROLES))})", line)
    quorum, quorum_count = _parse_quorum(raw.get("quorum", 0.5), path, where, line)
    threshold = raw.get("threshold", 0.5)
    if not _is_number(threshold) or not 0 <= threshold < 1:
        raise WorkflowError(
            path, where, f"threshold must be a share from 0 up to (not including) 1, got {threshold!r}", line
        )
    threshold_of = raw.get("threshold_of", "yes_no")
    if threshold_of not in THRESHOLD_BASES:
        raise WorkflowError(
            path, where, f"threshold_of must be one of {', '.join(THRESHOLD_BASES)}, got {threshold_of!r}", line
        )
    window = None
    if "window" in raw:
        try:
            window = parse_duration(raw["window"])
        except DurationError as exc:
            raise WorkflowError(path, where, f"window: {exc}", line) from None
    hide_tally = raw.get("hide_tally", False)
    if not isinstance(hide_tally, bool):
        raise WorkflowError(path, where, "hide_tally must be true or false", line)
    votes_public = raw.get("votes_public", False)
    if not isinstance(votes_public, bool):
        raise WorkflowError(path, where, "votes_public must be true or false", line)
    on_no_quorum = raw.get("on_no_quorum", "reject")
    if on_no_quorum not in NO_QUORUM_ACTIONS:
        raise WorkflowError(
            path, where, f"on_no_quorum must be one of {', '.join(NO_QUORUM_ACTIONS)}, got {on_no_quorum!r}", line
        )
    if "on_no_quorum" in raw and window is None:
        raise WorkflowError(
            path,
            where,
            "on_no_quorum needs a window: without a deadline nothing happens to a ballot without quorum",
            line,
        )
    remind_before = None
    if "remind_before" in raw:
        remind_before = parse_rule_duration(raw["remind_before"], "remind_before", path, where, line)
        if window is None or remind_before >= window:
            raise WorkflowError(
                path,
                where,
                "remind_before needs a window longer than it (the reminder goes out that long before the close)",
                line,
            )
    return VoteRule(
        remind_before=remind_before,
        eligible_roles=frozenset(eligible),
        quorum=quorum,
        quorum_count=quorum_count,
        threshold=float(threshold),
        threshold_of=threshold_of,
        window=window,
        hide_tally=hide_tally,
        votes_public=votes_public,
        on_no_quorum=on_no_quorum,
    )


def parse_rule_duration(value: Any, key: str, path: Path, where: str, line: int) -> Any:
    """A positive ISO 8601 duration under ``key``. Raises WorkflowError naming the key."""
    try:
        return parse_duration(value)
    except DurationError as exc:
        raise WorkflowError(path, where, f"{key}: {exc}", line) from None


def parse_roles(value: Any, key: str, path: Path, where: str, line: int) -> tuple[str, ...]:
    """A non-empty list of known roles under ``key``. Raises WorkflowError naming the key and the role."""
    if not isinstance(value, list) or not value:
        raise WorkflowError(path, where, f"{key} must be a non-empty list of roles", line)
    for role in value:
        if role not in ROLES:
            raise WorkflowError(path, where, f"{key}: unknown role {role!r} (known: {', '.join(sorted(ROLES))})", line)
    return tuple(dict.fromkeys(value))


def parse_review(raw: Any, path: Path, where: str, line: int) -> ReviewRule:
    """A reviewable state's ``review: {assigned_only: true, remind_before: P2D}`` (:class:`ReviewRule`).

    Refused: not a mapping; unknown keys; ``assigned_only`` not a boolean;
    ``remind_before`` not a positive ISO 8601 duration. The state must be ``reviewable``.
    """
    where = f"{where}.review"
    if not isinstance(raw, dict):
        raise WorkflowError(path, where, "must be a mapping: {assigned_only: true, remind_before: P2D}", line)
    line = _line(raw) or line
    unknown = _keys(raw) - REVIEW_KEYS
    if unknown:
        raise WorkflowError(
            path, where, f"unknown key(s) {sorted(unknown)} (known: {', '.join(sorted(REVIEW_KEYS))})", line
        )
    assigned_only = raw.get("assigned_only", False)
    if not isinstance(assigned_only, bool):
        raise WorkflowError(path, where, "assigned_only must be true or false", line)
    remind_before = (
        parse_rule_duration(raw["remind_before"], "remind_before", path, where, line)
        if "remind_before" in raw
        else None
    )
    return ReviewRule(assigned_only=assigned_only, remind_before=remind_before)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_quorum(value: Any, path: Path, where: str, line: int) -> tuple[float | None, int | None]:
    """``quorum: 0.5`` (a share, more than which must vote) or ``quorum: {count: 4}`` (at least 4 votes)."""
    if isinstance(value, dict):
        keys = _keys(value)
        count = value.get("count")
        if keys != {"count"} or not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise WorkflowError(
                path,
                where,
                f"an absolute quorum is {{count: N}} with a whole N of 1 or more, "
                f"got { ({k: value[k] for k in keys})!r}",
                line,
            )
        return None, count
    if not _is_number(value) or not 0 < value < 1:
        raise WorkflowError(
            path,
            where,
            f"quorum must be a share above 0 and below 1 (more than that share of the "
            f"eligible members must vote) or {{count: N}}, got {value!r}",
            line,
        )
    return float(value), None


def parse_sla(raw: Any, path: Path, where: str, line: int) -> SlaRule:
    """A state's ``sla: {after: P14D, escalate: true}`` or ``sla: {after: P14D, trigger: NAME}``.

    Refused: unknown keys; ``after`` missing or not a positive ISO 8601
    duration; neither or both of ``escalate: true`` and ``trigger``; ``notify``
    not a non-empty list of roles, or without ``escalate: true``. That
    the trigger leaves the state is checked with the transitions.
    """
    where = f"{where}.sla"
    if not isinstance(raw, dict):
        raise WorkflowError(
            path, where, "must be a mapping: {after: P14D, escalate: true} or {after: P14D, trigger: NAME}", line
        )
    line = _line(raw) or line
    unknown = _keys(raw) - SLA_KEYS
    if unknown:
        raise WorkflowError(
            path, where, f"unknown key(s) {sorted(unknown)} (known: {', '.join(sorted(SLA_KEYS))})", line
        )
    if "after" not in raw:
        raise WorkflowError(path, where, "missing 'after' (an ISO 8601 duration such as P14D)", line)
    try:
        after = parse_duration(raw["after"])
    except DurationError as exc:
        raise WorkflowError(path, where, f"after: {exc}", line) from None
    escalate = raw.get("escalate", False)
    if not isinstance(escalate, bool):
        raise WorkflowError(path, where, "escalate must be true or false", line)
    trigger = raw.get("trigger")
    if trigger is not None and not isinstance(trigger, str):
        raise WorkflowError(path, where, "trigger must be a trigger name", line)
    if escalate == (trigger is not None):
        raise WorkflowError(
            path, where, "say what happens after the time: escalate: true, or trigger: NAME (one of them)", line
        )
    notify = parse_roles(raw["notify"], "notify", path, where, line) if "notify" in raw else ()
    if notify and not escalate:
        raise WorkflowError(path, where, "notify goes with escalate: true (who is told of the escalation)", line)
    return SlaRule(after=after, escalate=escalate, trigger=trigger, notify=notify)
