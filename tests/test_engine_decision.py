"""The engine decides once: ``decide`` and ``assess`` agree, for every workflow file and generated facts and actors.

Pure unit tests, no database: for each definition in ``workflows/*.yaml``,
each state, a grid of reviews / ballots / progress and a set of actors
(anonymous, the system, each role in and outside the owning organisation,
with and without the scopes its roles allow), every trigger is in
``assess().options`` exactly when ``decide()`` returns that transition, and in
``assess().blocked`` exactly when ``decide()`` raises GUARD_FAILED.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pytest

from council.auth.principal import ANONYMOUS, SYSTEM, Principal
from council.auth.scopes import scopes_for_roles
from council.enums import Role
from council.errors import DomainError, ErrorCode
from council.workflow.definition import WorkflowDefinition
from council.workflow.engine import Assessment, WorkflowEngine, permission_error
from council.workflow.guards import BallotFact, ProposalFacts, ReviewFact
from council.workflow.loader import load_file

WORKFLOWS = sorted((Path(__file__).resolve().parent.parent / "workflows").glob("*.yaml"))
DEFINITIONS = [load_file(path) for path in WORKFLOWS]
OWNER_ORG, OTHER_ORG = 1, 2
COMMENT = "Alasan pengujian."

REVIEWS = [
    (),
    (ReviewFact(11, False, "approve"),),
    (ReviewFact(11, False, "approve"), ReviewFact(12, False, "revise")),
    (ReviewFact(11, False, "approve"), ReviewFact(21, True, "approve")),
]
BALLOTS = [
    None,
    BallotFact(eligible=7, quorum_required=4, threshold=0.5, yes=1, no=1, abstain=0),  # no quorum yet
    BallotFact(eligible=7, quorum_required=4, threshold=0.5, yes=1, no=0, abstain=0, expired=True),  # no quorum, late
    BallotFact(eligible=7, quorum_required=4, threshold=0.5, yes=3, no=1, abstain=0),  # quorum, majority yes
    BallotFact(eligible=7, quorum_required=4, threshold=0.5, yes=1, no=2, abstain=1),  # quorum, no majority
    BallotFact(eligible=7, quorum_required=4, threshold=0.5, yes=2, no=2, abstain=1, expired=True),  # tie, late
]
PROGRESS = [None, 50, 100]


def actors() -> list[Principal]:
    """Anonymous, the system, and each role: owner with its scopes, outsider with them, owner without scopes."""
    found = [ANONYMOUS, SYSTEM]
    for n, role in enumerate(Role, start=1):
        roles = frozenset({role.value})
        scopes = scopes_for_roles(roles)
        found += [
            Principal(member_id=n, username=f"{role}.owner", organization_id=OWNER_ORG, roles=roles, scopes=scopes),
            Principal(
                member_id=100 + n, username=f"{role}.other", organization_id=OTHER_ORG, roles=roles, scopes=scopes
            ),
            Principal(member_id=200 + n, username=f"{role}.unscoped", organization_id=OWNER_ORG, roles=roles),
        ]
    return found


ACTORS = actors()


def facts_in(state: str) -> list[ProposalFacts]:
    return [
        ProposalFacts(proposal_id=1, state=state, organization_id=OWNER_ORG, reviews=r, ballot=b, progress=p)
        for r, b, p in product(REVIEWS, BALLOTS, PROGRESS)
    ]


def cases() -> list[object]:
    return [pytest.param(d, state, id=f"{d.name}-v{d.version}-{state}") for d in DEFINITIONS for state in d.states]


@pytest.fixture(autouse=True)
def pekanbaru() -> None:
    """Overrides conftest's per-test reseed: these tests touch no database."""


def outcome(engine: WorkflowEngine, facts: ProposalFacts, actor: Principal, trigger: str, comment: str) -> object:
    """What ``decide`` gives: the transition it returns, or the DomainError it raises."""
    try:
        return engine.decide(facts, actor, trigger, comment)
    except DomainError as error:
        return error


@pytest.mark.parametrize(("definition", "state"), cases())
def test_decide_and_assess_agree(definition: WorkflowDefinition, state: str) -> None:
    engine = WorkflowEngine(definition)
    for facts, actor in product(facts_in(state), ACTORS):
        assessment = engine.assess(facts, actor)
        options = {o.trigger: o for o in assessment.options}
        blocked = {b.trigger: b for b in assessment.blocked}
        assert not options.keys() & blocked.keys()
        assert [o.trigger for o in assessment.options] == [t for t in definition.triggers if t in options]
        assert [b.trigger for b in assessment.blocked] == [t for t in definition.triggers if t in blocked]
        for trigger in definition.triggers:
            got = outcome(engine, facts, actor, trigger, COMMENT)
            where = (trigger, facts, actor.username)
            if trigger in options:
                assert got == options[trigger].spec, where
            else:
                assert isinstance(got, DomainError), where
                assert (got.code == ErrorCode.GUARD_FAILED) == (trigger in blocked), (where, got.code)
            if trigger in options or trigger in blocked:
                # a comment is asked for before the guards run, when any permitted transition requires one
                required = any(
                    c.comment_required and permission_error(c, actor, OWNER_ORG) is None
                    for c in engine.candidates(trigger, state)
                )
                blank = outcome(engine, facts, actor, trigger, "  ")
                assert (isinstance(blank, DomainError) and blank.key == "comment_required") == required, where
                assert trigger not in options or options[trigger].comment_required == required, where
        unknown = outcome(engine, facts, actor, "no_such_trigger", COMMENT)
        assert isinstance(unknown, DomainError)
        assert (unknown.code, unknown.key, unknown.field) == (ErrorCode.INVALID_INPUT, "unknown_trigger", "trigger")


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: f"{d.name}-v{d.version}")
def test_the_grid_reaches_every_outcome(definition: WorkflowDefinition) -> None:
    """A guard against a lopsided grid: each trigger is available somewhere, each guarded one blocked somewhere."""
    engine = WorkflowEngine(definition)
    seen: list[Assessment] = [
        engine.assess(facts, actor) for state in definition.states for facts in facts_in(state) for actor in ACTORS
    ]
    available = {o.trigger for a in seen for o in a.options}
    blocked = {b.trigger for a in seen for b in a.blocked}
    guarded = {t.trigger for t in definition.transitions if t.guards}
    assert available == set(definition.triggers)
    assert blocked == guarded


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: f"{d.name}-v{d.version}")
def test_the_machine_gives_the_candidates_in_file_order(definition: WorkflowDefinition) -> None:
    engine = WorkflowEngine(definition)
    for trigger, state in product(definition.triggers, definition.states):
        assert engine.candidates(trigger, state) == [
            t for t in definition.transitions if t.trigger == trigger and state in t.sources
        ]
    assert engine.candidates("no_such_trigger", definition.initial) == []
