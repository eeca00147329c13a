"""Read and validate workflow definitions (``workflows/*.yaml``).

A definition is refused with the file, the entry (and its line) and the reason
when it names an unknown state, role, scope or guard, has a state that cannot
be reached from the initial state, a non-final state with no way out, two
transitions with the same trigger and source that nothing tells apart, or a
vote, SLA or review rule that makes no sense (see :func:`_parse_vote`, :func:`_parse_sla`,
:func:`_parse_review` and :func:`_check_deadlines`), or a label that is not a mapping of ``en`` / ``id``
to text (:func:`_label`; transitions sharing a trigger share its label).
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import Any

from council.auth.scopes import ALL_SCOPES
from council.enums import Role
from council.workflow.definition import (
    NO_QUORUM_ACTIONS,
    THRESHOLD_BASES,
    GuardSpec,
    ReviewRule,
    SlaRule,
    StateSpec,
    TransitionSpec,
    VoteRule,
    WorkflowDefinition,
)
from council.workflow.durations import DurationError, parse_duration
from council.workflow.guards import GUARDS, GuardParamError, check_params
from council.yamlfile import YamlFileError, YamlMap, read_yaml

ROLES = frozenset(r.value for r in Role)
STATE_KEYS = {"name", "label", "final", "editable", "reviewable", "progress", "public", "vote", "sla", "review"}
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
TRANSITION_KEYS = {"trigger", "source", "dest", "roles", "owner_only", "scope", "guards", "comment", "label"}
LABEL_LANGUAGES = ("en", "id")
TOP_KEYS = {"name", "version", "label", "initial", "states", "transitions"}


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


def _line(entry: Any) -> int:
    """The 1-based line of a mapping read by :func:`council.yamlfile.read_yaml`; 0 for anything else."""
    return entry.line if isinstance(entry, YamlMap) else 0


def _keys(entry: dict[str, Any]) -> set[str]:
    return set(entry)


def load_file(path: Path) -> WorkflowDefinition:
    """Read and validate one workflow file.

    Raises:
        WorkflowError: the file is not YAML, or the definition is invalid.
    """
    try:
        document = read_yaml(path)
    except YamlFileError as exc:
        raise WorkflowError(path, "file", exc.reason, exc.line) from None
    if document.duplicates:  # YAML would keep the last value silently
        first = document.duplicates[0]
        key = sorted(str(d.key) for d in document.duplicates if d.mapping_line == first.mapping_line)[0]
        raise WorkflowError(path, "file", f"not valid YAML: duplicate key {key!r}", first.mapping_line)
    raw = document.data
    return parse_definition(raw, path)


def parse_definition(raw: Any, path: Path) -> WorkflowDefinition:
    """Validate a parsed YAML document as a workflow definition (see module docstring).

    Raises:
        WorkflowError: naming the entry and the reason.
    """
    if not isinstance(raw, dict):
        raise WorkflowError(path, "file", "must be a mapping with name, version, initial, states, transitions")
    unknown = _keys(raw) - TOP_KEYS
    if unknown:
        raise WorkflowError(path, "file", f"unknown key(s) {sorted(unknown)}")
    for key in ("name", "version", "initial", "states", "transitions"):
        if key not in raw:
            raise WorkflowError(path, "file", f"missing {key!r}")
    name, version = raw["name"], raw["version"]
    if not isinstance(name, str) or not name.replace("-", "").replace("_", "").isalnum():
        raise WorkflowError(path, "name", f"{name!r} is not a workflow name (letters, digits, - and _)")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise WorkflowError(path, "version", f"{version!r} is not a positive integer")

    states = _parse_states(raw["states"], path)
    initial = raw["initial"]
    if initial not in states:
        raise WorkflowError(path, "initial", f"unknown state {initial!r}", _line(raw))
    transitions = _parse_transitions(raw["transitions"], states, path)
    _check_graph(states, transitions, initial, path)
    _check_ambiguity(transitions, path)
    states = _check_deadlines(states, transitions, path)
    return WorkflowDefinition(
        name=name,
        version=version,
        initial=initial,
        states=states,
        transitions=transitions,
        label=_label(raw.get("label"), name, path, "label", _line(raw)),
        source_file=path,
    )


def _label(value: Any, default: str, path: Path, entry: str, line: int = 0) -> dict[str, str]:
    """A ``label: {en: ..., id: ...}``: both languages, a missing one from the other (``en`` from ``default``).

    Raises:
        WorkflowError: not a mapping, a key other than ``en`` / ``id``, or a
            value that is not non-blank text (at the label's line, else ``line``).
    """
    if value is None:
        return {"en": default, "id": default}
    reason = "label must map language codes (en, id) to text, e.g. {en: Submit, id: Ajukan}"
    if not isinstance(value, dict):
        raise WorkflowError(path, entry, f"{reason}; got {value!r}", line)
    label = dict(value)
    line = _line(value) or line
    unknown = sorted(map(str, set(label) - set(LABEL_LANGUAGES)))
    if unknown:
        raise WorkflowError(path, entry, f"{reason}; unknown language(s) {unknown}", line)
    for lang, text in label.items():
        if not isinstance(text, str) or not text.strip():
            raise WorkflowError(path, entry, f"{reason}; {lang} is {text!r}", line)
    label.setdefault("en", default)
    label.setdefault("id", label["en"])
    return label


def _parse_states(raw: Any, path: Path) -> dict[str, StateSpec]:
    if not isinstance(raw, list) or not raw:
        raise WorkflowError(path, "states", "must be a non-empty list")
    states: dict[str, StateSpec] = {}
    for i, entry in enumerate(raw):
        where = f"states[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise WorkflowError(path, where, "each state needs a name", _line(entry))
        name = entry["name"]
        where = f"states[{i}] ({name})"
        line = _line(entry)
        unknown = _keys(entry) - STATE_KEYS
        if unknown:
            raise WorkflowError(path, where, f"unknown key(s) {sorted(unknown)}", line)
        if name in states:
            raise WorkflowError(path, where, f"state {name!r} is declared twice", line)
        flags = {}
        for flag in ("final", "editable", "reviewable", "progress", "public"):
            value = entry.get(flag, False)
            if not isinstance(value, bool):
                raise WorkflowError(path, where, f"{flag} must be true or false", line)
            flags[flag] = value
        vote = _parse_vote(entry.get("vote"), path, where, line) if "vote" in entry else None
        sla = _parse_sla(entry.get("sla"), path, where, line) if "sla" in entry else None
        if flags["final"] and (vote or sla):
            raise WorkflowError(path, where, "a final state can hold no vote and no sla", line)
        review = _parse_review(entry.get("review"), path, where, line) if "review" in entry else None
        if review is not None and not flags["reviewable"]:
            raise WorkflowError(path, f"{where}.review", "review needs reviewable: true in the same state", line)
        states[name] = StateSpec(
            name=name,
            label=_label(entry.get("label"), name, path, where, line),
            vote=vote,
            sla=sla,
            review=review,
            **flags,
        )
    return states


def _parse_vote(raw: Any, path: Path, where: str, line: int) -> VoteRule:
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
        remind_before = _duration(raw["remind_before"], "remind_before", path, where, line)
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


def _duration(value: Any, key: str, path: Path, where: str, line: int) -> Any:
    """A positive ISO 8601 duration under ``key``. Raises WorkflowError naming the key."""
    try:
        return parse_duration(value)
    except DurationError as exc:
        raise WorkflowError(path, where, f"{key}: {exc}", line) from None


def _roles(value: Any, key: str, path: Path, where: str, line: int) -> tuple[str, ...]:
    """A non-empty list of known roles under ``key``. Raises WorkflowError naming the key and the role."""
    if not isinstance(value, list) or not value:
        raise WorkflowError(path, where, f"{key} must be a non-empty list of roles", line)
    for role in value:
        if role not in ROLES:
            raise WorkflowError(path, where, f"{key}: unknown role {role!r} (known: {', '.join(sorted(ROLES))})", line)
    return tuple(dict.fromkeys(value))


def _parse_review(raw: Any, path: Path, where: str, line: int) -> ReviewRule:
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
        _duration(raw["remind_before"], "remind_before", path, where, line) if "remind_before" in raw else None
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


def _parse_sla(raw: Any, path: Path, where: str, line: int) -> SlaRule:
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
    notify = _roles(raw["notify"], "notify", path, where, line) if "notify" in raw else ()
    if notify and not escalate:
        raise WorkflowError(path, where, "notify goes with escalate: true (who is told of the escalation)", line)
    return SlaRule(after=after, escalate=escalate, trigger=trigger, notify=notify)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _parse_transitions(raw: Any, states: dict[str, StateSpec], path: Path) -> tuple[TransitionSpec, ...]:
    if not isinstance(raw, list) or not raw:
        raise WorkflowError(path, "transitions", "must be a non-empty list")
    result = []
    labels: dict[str, dict[str, str]] = {}
    for i, entry in enumerate(raw):
        line = _line(entry)
        if not isinstance(entry, dict) or not isinstance(entry.get("trigger"), str):
            raise WorkflowError(path, f"transitions[{i}]", "each transition needs a trigger", line)
        trigger = entry["trigger"]
        where = f"transitions[{i}] ({trigger})"
        if not trigger.isidentifier():
            raise WorkflowError(path, where, f"trigger {trigger!r} must be an identifier", line)
        unknown = _keys(entry) - TRANSITION_KEYS
        if unknown:
            raise WorkflowError(path, where, f"unknown key(s) {sorted(unknown)}", line)
        for key in ("source", "dest", "roles", "scope"):
            if key not in entry:
                raise WorkflowError(path, where, f"missing {key!r}", line)
        sources = tuple(_as_list(entry["source"]))
        for s in (*sources, entry["dest"]):
            if s not in states:
                raise WorkflowError(path, where, f"unknown state {s!r}", line)
        for s in sources:
            if states[s].final:
                raise WorkflowError(path, where, f"state {s!r} is final: no transition may leave it", line)
        roles = _as_list(entry["roles"])
        if not roles:
            raise WorkflowError(path, where, "roles must name at least one role", line)
        for role in roles:
            if role not in ROLES:
                raise WorkflowError(path, where, f"unknown role {role!r} (known: {', '.join(sorted(ROLES))})", line)
        if entry["scope"] not in ALL_SCOPES:
            raise WorkflowError(path, where, f"unknown scope {entry['scope']!r} (known: {', '.join(ALL_SCOPES)})", line)
        owner_only = entry.get("owner_only", False)
        if not isinstance(owner_only, bool):
            raise WorkflowError(path, where, "owner_only must be true or false", line)
        comment = entry.get("comment", "optional")
        if comment not in ("optional", "required"):
            raise WorkflowError(path, where, "comment must be 'optional' or 'required'", line)
        label = _label(entry["label"], trigger, path, where, line) if "label" in entry else None
        if label is not None and labels.setdefault(trigger, label) != label:
            raise WorkflowError(
                path,
                where,
                f"label {label} differs from the label {labels[trigger]} of an "
                f"earlier transition {trigger!r}: a trigger has one label",
                _line(entry["label"]) or line,
            )
        result.append(
            TransitionSpec(
                trigger=trigger,
                sources=sources,
                dest=entry["dest"],
                roles=frozenset(roles),
                scope=entry["scope"],
                owner_only=owner_only,
                guards=_parse_guards(entry.get("guards", []), path, where, line),
                comment_required=comment == "required",
                index=i,
                line=line,
            )
        )
    return tuple(replace(t, label=labels.get(t.trigger, {})) for t in result)


def _parse_guards(raw: Any, path: Path, where: str, line: int) -> tuple[GuardSpec, ...]:
    guards = []
    for item in _as_list(raw):
        params: Any
        if isinstance(item, str):
            name, params = item, {}
        elif isinstance(item, dict) and len(_keys(item)) == 1:
            name = next(iter(_keys(item)))
            params = item[name] or {}
            if not isinstance(params, dict):
                raise WorkflowError(path, where, f"parameters of guard {name!r} must be a mapping", line)
            params = dict(params)
        else:
            raise WorkflowError(path, where, "a guard is a name or {name: {parameters}}", line)
        if name not in GUARDS:
            raise WorkflowError(path, where, f"unknown guard {name!r} (known: {', '.join(sorted(GUARDS))})", line)
        try:
            params = check_params(name, params)
        except GuardParamError as exc:
            raise WorkflowError(path, where, f"guard {name!r}: {exc}", line) from None
        guards.append(GuardSpec(name=name, params=params, params_key=tuple(sorted(params.items()))))
    return tuple(guards)


def _check_graph(
    states: dict[str, StateSpec], transitions: tuple[TransitionSpec, ...], initial: str, path: Path
) -> None:
    edges: dict[str, set[str]] = {s: set() for s in states}
    for t in transitions:
        for s in t.sources:
            edges[s].add(t.dest)
    seen, queue = {initial}, deque([initial])
    while queue:
        for nxt in edges[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    for name, spec in states.items():
        if name not in seen:
            raise WorkflowError(path, f"states ({name})", f"state {name!r} cannot be reached from {initial!r}")
        if not spec.final and not edges[name]:
            raise WorkflowError(path, f"states ({name})", f"state {name!r} is not final and has no transition out")


def _check_ambiguity(transitions: tuple[TransitionSpec, ...], path: Path) -> None:
    """Refuse transitions sharing trigger and source that nothing tells apart.

    ``transitions`` tries them in file order and fires the first whose guards
    pass, so a later one is dead when an earlier one has the same guards or a
    subset of its guards (the earlier passes whenever the later would).
    """
    for i, later in enumerate(transitions):
        for earlier in transitions[:i]:
            shared = set(earlier.sources) & set(later.sources)
            if earlier.trigger != later.trigger or not shared:
                continue
            earlier_guards = {(g.name, g.params_key) for g in earlier.guards}
            later_guards = {(g.name, g.params_key) for g in later.guards}
            if earlier_guards <= later_guards:
                what = "the same guards" if earlier_guards == later_guards else "a subset of its guards"
                raise WorkflowError(
                    path,
                    f"transitions[{later.index}] ({later.trigger})",
                    f"same trigger and source {sorted(shared)[0]!r} as transitions[{earlier.index}] "
                    f"with {what}: it can never fire",
                    later.line,
                )


def _check_deadlines(
    states: dict[str, StateSpec], transitions: tuple[TransitionSpec, ...], path: Path
) -> dict[str, StateSpec]:
    """Tie each deadline to the transitions it fires; return the states with ``deadline_trigger`` filled in.

    A vote with a window needs a transition out of its state guarded by
    ``deadline_passed`` (where a ballot without quorum goes at its last
    deadline), and every transition out of it that decides the ballot (a guard
    of :data:`~council.workflow.definition.DECIDING_GUARDS`) must share one
    trigger (the one the deadline fires).
    ``deadline_passed`` may only guard a transition out of such a state; an
    SLA's trigger must leave its state.
    """
    result = dict(states)
    for t in transitions:
        if any(g.name == "deadline_passed" for g in t.guards):
            for source in t.sources:
                vote = states[source].vote
                if vote is None or vote.window is None:
                    raise WorkflowError(
                        path,
                        f"transitions[{t.index}] ({t.trigger})",
                        f"guard 'deadline_passed' needs a vote with a window in state {source!r}",
                        t.line,
                    )
    for name, spec in states.items():
        where = f"states ({name})"
        if spec.vote is not None and spec.vote.window is not None:
            deciding = [t for t in transitions if name in t.sources and t.decides_ballot]
            if not any(g.name == "deadline_passed" for t in deciding for g in t.guards):
                raise WorkflowError(
                    path,
                    f"{where}.vote",
                    "a vote with a window needs a transition out of "
                    f"{name!r} guarded by deadline_passed (where a ballot without quorum goes "
                    "at its deadline)",
                )
            triggers = sorted({t.trigger for t in deciding})
            if len(triggers) > 1:
                raise WorkflowError(
                    path,
                    f"{where}.vote",
                    f"the deadline could fire {' or '.join(triggers)}: "
                    "transitions guarded by quorum_met, majority_yes or deadline_passed must share one trigger",
                )
            result[name] = replace(spec, vote=replace(spec.vote, deadline_trigger=triggers[0]))
        if spec.sla is not None and spec.sla.trigger is not None:
            if not any(t.trigger == spec.sla.trigger and name in t.sources for t in transitions):
                raise WorkflowError(
                    path, f"{where}.sla", f"trigger {spec.sla.trigger!r} has no transition out of {name!r}"
                )
    return result
