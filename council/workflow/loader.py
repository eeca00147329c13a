"""Read and validate workflow definitions (``workflows/*.yaml``).

A definition is refused with the file, the entry (and its line) and the reason
when it names an unknown state, role, scope or guard, has a state that cannot
be reached from the initial state, a non-final state with no way out, two
transitions with the same trigger and source that nothing tells apart, or a
vote, SLA or review rule that makes no sense (:mod:`council.workflow.state_rules` and
:func:`_check_deadlines`), or a label that is not a mapping of ``en`` / ``id`` to text
(:func:`_label`; transitions sharing a trigger share its label). The error is
:class:`~council.workflow.errors.WorkflowError`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import Any

from council.auth.scopes import ALL_SCOPES
from council.workflow.definition import (
    GuardSpec,
    StateSpec,
    TransitionSpec,
    WorkflowDefinition,
)
from council.workflow.errors import WorkflowError
from council.workflow.errors import keys_of as _keys
from council.workflow.errors import line_of as _line
from council.workflow.guards import GUARDS, GuardParamError, check_params
from council.workflow.state_rules import ROLES, parse_review, parse_sla, parse_vote
from council.yamlfile import YamlFileError, read_yaml

STATE_KEYS = {"name", "label", "final", "editable", "reviewable", "progress", "public", "vote", "sla", "review"}
TRANSITION_KEYS = {"trigger", "source", "dest", "roles", "owner_only", "scope", "guards", "comment", "label"}
LABEL_LANGUAGES = ("en", "id")
TOP_KEYS = {"name", "version", "label", "initial", "states", "transitions"}


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
        vote = parse_vote(entry.get("vote"), path, where, line) if "vote" in entry else None
        sla = parse_sla(entry.get("sla"), path, where, line) if "sla" in entry else None
        if flags["final"] and (vote or sla):
            raise WorkflowError(path, where, "a final state can hold no vote and no sla", line)
        review = parse_review(entry.get("review"), path, where, line) if "review" in entry else None
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
