"""Every transition of the default workflow, for every role and every state, over GraphQL.

The cases are generated from the workflow definition (transitions, sources,
roles, ``owner_only``) and from the roles of the members in the seed file;
nothing of the matrix is written out by hand:

- *allowed*: for each transition, each source state and each role it names,
  that role's representative fires it on a fresh proposal driven there by the
  right people and gets no errors, the new state, version + 1 and one more
  audit event;
- *refused*: for each trigger and source state, the representative of every
  other role, an anonymous caller and (``owner_only``) an officer of another
  OPD get FORBIDDEN (UNAUTHENTICATED when anonymous; NOT_FOUND when the
  caller may not even read the proposal, which hides that it exists) and
  nothing changes;
- *wrong state*: for each trigger, from every state that is not one of its
  sources, the right role gets INVALID_TRANSITION and nothing changes.

The refusals never change anything, so they share one proposal per state
(this module seeds the database once instead of before every test; a
refusal that changed its proposal drops it from the pool before failing).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import reseed
from paths import (
    OTHER_OPD_OFFICER,
    OWNER_ORG,
    PEOPLE,
    ROLE_ORDER,
    Paths,
    actor_for,
    person,
    representative,
)

from council.workflow.definition import TransitionSpec
from council.workflow.registry import get_registry

DEFINITION = get_registry().default()
INITIAL = DEFINITION.initial
REVIEW_STATE = next(s.name for s in DEFINITION.states.values() if s.reviewable)
PUBLIC_STATES = frozenset(s.name for s in DEFINITION.states.values() if s.public)
TRIGGERS = DEFINITION.triggers

# The roles members hold in the seed file, in the order of the Role enum.
SEED_ROLES = sorted({r for p in PEOPLE for r in p.roles}, key=ROLE_ORDER.index)
# Who may read a submitted proposal that is not public (council.auth.policy; DESIGN.md "The people").
STAFF_ROLES = frozenset({"technical_team", "university_reviewer", "council_member", "council_chair", "admin"})

ANONYMOUS = "anonymous"
OTHER_OPD = "other_opd_officer"


def role_actor(role: str) -> str:
    """A member holding ``role`` (and no other role when the seed has one), of the owner OPD if it has one."""
    if any(role in p.roles and p.organization == OWNER_ORG for p in PEOPLE):
        return representative(role, org=OWNER_ORG)
    return representative(role)


def username_of(actor: str) -> str | None:
    if actor == ANONYMOUS:
        return None
    if actor == OTHER_OPD:
        return OTHER_OPD_OFFICER
    return role_actor(actor)


# --- proposal instances: a state, and how the proposal got there ------------------------------


@dataclass(frozen=True)
class Instance:
    """A state to put a proposal in; ``fresh`` for a draft never submitted (only its OPD may read it)."""

    state: str
    fresh: bool = False

    @property
    def label(self) -> str:
        if self.state != INITIAL:
            return self.state
        return f"{self.state}(new)" if self.fresh else f"{self.state}(revised)"

    def visited(self, p: Paths) -> list[str]:
        """The states the proposal has been in, the last one being ``state``."""
        if self.fresh:
            return [INITIAL]
        chain = p.route(INITIAL, REVIEW_STATE) + p.route(REVIEW_STATE, self.state)
        return [INITIAL, *(t.dest for t in chain)]

    async def make(self, p: Paths) -> str:
        pid = await p.new_proposal()
        if not self.fresh:
            await p.drive(pid, REVIEW_STATE)
            await p.drive(pid, self.state)
        return pid


def instances(state: str) -> list[Instance]:
    """The initial state twice (never submitted, sent back for revision); any other state once."""
    return [Instance(state, fresh=True), Instance(state)] if state == INITIAL else [Instance(state)]


def readable(actor: str, inst: Instance) -> bool:
    """Whether ``actor`` may read a proposal of the owner OPD in ``inst`` (the visibility rule of DESIGN.md)."""
    visited = inst.visited(Paths(None, None))
    if PUBLIC_STATES & set(visited):
        return True
    username = username_of(actor)
    if username is None:
        return False
    member = person(username)
    if member.organization == OWNER_ORG:
        return True
    return REVIEW_STATE in visited and bool(member.roles & STAFF_ROLES)


def refusal_code(actor: str, inst: Instance) -> str:
    if not readable(actor, inst):
        return "NOT_FOUND"
    return "UNAUTHENTICATED" if actor == ANONYMOUS else "FORBIDDEN"


def candidates(trigger: str, state: str) -> list[TransitionSpec]:
    return [t for t in DEFINITION.transitions if t.trigger == trigger and state in t.sources]


# --- the generated cases --------------------------------------------------------------------


def allowed_cases() -> list[Any]:
    cases = []
    for spec in DEFINITION.transitions:
        twins = [
            t
            for t in DEFINITION.transitions
            if (t.trigger, t.dest) == (spec.trigger, spec.dest) and set(t.sources) & set(spec.sources)
        ]
        # transitions that share trigger, source and dest differ by their guards: name them
        dest = spec.dest if len(twins) == 1 else f"{spec.dest}:{'+'.join(g.name for g in spec.guards)}"
        for source in spec.sources:
            for inst in instances(source):
                for role in sorted(spec.roles, key=ROLE_ORDER.index):
                    cases.append(pytest.param(spec, inst, role, id=f"{spec.trigger}[{inst.label}->{dest}]-by-{role}"))
    return cases


def refused_cases() -> list[Any]:
    cases = []
    for trigger in TRIGGERS:
        sources = dict.fromkeys(s for t in DEFINITION.transitions if t.trigger == trigger for s in t.sources)
        for source in sources:
            specs = candidates(trigger, source)
            allowed_roles = frozenset().union(*(t.roles for t in specs))
            owner_only = {t.owner_only for t in specs}
            assert len(owner_only) == 1, f"{trigger} from {source}: mixed owner_only is not covered here"
            actors = [ANONYMOUS, *(r for r in SEED_ROLES if r not in allowed_roles)]
            if owner_only.pop():
                actors.append(OTHER_OPD)
            for inst in instances(source):
                for actor in actors:
                    cases.append(pytest.param(trigger, inst, actor, id=f"{trigger}[{inst.label}]-by-{actor}"))
    return cases


def wrong_state_cases() -> list[Any]:
    cases = []
    for trigger in TRIGGERS:
        spec = next(t for t in DEFINITION.transitions if t.trigger == trigger)
        sources = {s for t in DEFINITION.transitions if t.trigger == trigger for s in t.sources}
        role = min(spec.roles, key=ROLE_ORDER.index)
        for state in DEFINITION.states:
            if state in sources:
                continue
            for inst in instances(state):
                if readable(role, inst):
                    cases.append(pytest.param(trigger, inst, role, id=f"{trigger}[{inst.label}]-by-{role}"))
    return cases


ALLOWED, REFUSED, WRONG_STATE = allowed_cases(), refused_cases(), wrong_state_cases()


def test_the_matrix_covers_the_whole_definition() -> None:
    """A guard against an empty or lopsided generation (the definition has 9 transitions, 7 states)."""
    assert {c.values[0] for c in ALLOWED} == set(DEFINITION.transitions)
    assert {c.values[0] for c in REFUSED} == set(TRIGGERS)
    assert {c.values[1].state for c in WRONG_STATE} == set(DEFINITION.states)
    assert set(SEED_ROLES) == set(ROLE_ORDER), "every role should have a seeded member"
    assert len({c.id for c in ALLOWED + REFUSED + WRONG_STATE}) == len(ALLOWED + REFUSED + WRONG_STATE)


# --- fixtures: seed once, share refusal proposals -------------------------------------------

_pool: dict[Instance, str] = {}


@pytest.fixture(scope="module", autouse=True)
async def matrix_world(app: Any) -> AsyncIterator[None]:
    """Wipe and seed once for the module (the same as conftest's per-test ``pekanbaru``)."""
    await reseed()
    _pool.clear()
    yield
    _pool.clear()


@pytest.fixture(autouse=True)
def pekanbaru() -> None:
    """Overrides conftest's per-test reseed: this module seeds once (``matrix_world``)."""


async def shared(p: Paths, inst: Instance) -> str:
    """A pooled proposal in ``inst``, ready for every trigger leaving it (guards of the first spec met)."""
    if inst not in _pool:
        pid = await inst.make(p)
        for trigger in TRIGGERS:
            specs = candidates(trigger, inst.state)
            if specs:
                await p.prepare(pid, specs[0])
        _pool[inst] = pid
    return _pool[inst]


async def available(p: Paths, pid: str, username: str | None) -> list[str] | None:
    data = await p.call("query($id: ID!) { proposal(id: $id) { availableTransitions } }", {"id": pid}, username)
    return None if data["proposal"] is None else data["proposal"]["availableTransitions"]


# --- the tests ------------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "inst", "role"), ALLOWED)
async def test_allowed(p: Paths, spec: TransitionSpec, inst: Instance, role: str) -> None:
    pid = await inst.make(p)
    await p.prepare(pid, spec)
    username = actor_for(spec, OWNER_ORG, role)
    before = await p.snapshot(pid)
    assert spec.trigger in (await available(p, pid, username) or []), "availableTransitions should offer it"

    payload = await p.transition(pid, spec.trigger, username, "Alasan pengujian." if spec.comment_required else None)

    assert payload["errors"] == []
    assert payload["proposal"]["state"] == spec.dest
    after = await p.snapshot(pid)
    assert after["state"] == spec.dest
    assert after["version"] == before["version"] + 1
    assert len(after["history"]) == len(before["history"]) + 1
    last = after["history"][-1]
    assert (last["action"], last["trigger"], last["fromState"], last["toState"]) == (
        "transition",
        spec.trigger,
        inst.state,
        spec.dest,
    )


@pytest.mark.parametrize(("trigger", "inst", "actor"), REFUSED)
async def test_refused_for_other_roles(p: Paths, trigger: str, inst: Instance, actor: str) -> None:
    pid = await shared(p, inst)
    username = username_of(actor)
    before = await p.snapshot(pid)
    specs = candidates(trigger, inst.state)

    payload = await p.transition(pid, trigger, username, "Alasan pengujian.")

    after = await p.snapshot(pid)
    if p.fingerprint(after) != p.fingerprint(before):
        _pool.pop(inst, None)
    assert [e["code"] for e in payload["errors"]] == [refusal_code(actor, inst)], payload["errors"]
    assert payload["proposal"] is None
    assert p.fingerprint(after) == p.fingerprint(before)
    assert specs, "generated from a source state of the trigger"
    assert trigger not in (await available(p, pid, username) or [])


@pytest.mark.parametrize(("trigger", "inst", "role"), WRONG_STATE)
async def test_wrong_state(p: Paths, trigger: str, inst: Instance, role: str) -> None:
    pid = await shared(p, inst)
    username = role_actor(role)
    before = await p.snapshot(pid)

    payload = await p.transition(pid, trigger, username, "Alasan pengujian.")

    after = await p.snapshot(pid)
    if p.fingerprint(after) != p.fingerprint(before):
        _pool.pop(inst, None)
    assert [e["code"] for e in payload["errors"]] == ["INVALID_TRANSITION"], payload["errors"]
    assert payload["proposal"] is None
    assert p.fingerprint(after) == p.fingerprint(before)
    assert trigger not in (await available(p, pid, username) or [])
