"""``Proposal.blockedTransitions``: why a transition the viewer may fire is not available yet.

A trigger leaving the current state is, for one viewer, in exactly one of
``availableTransitions`` (fires now), ``blockedTransitions`` (the viewer's
role, scope and ownership allow it but guards fail: each failing guard
explained in the request's language, ``guard.<name>`` of council.i18n) or
neither (the viewer may not fire it at all). Checked against what
``transitionProposal`` then answers: GUARD_FAILED exactly for the blocked
ones. Also where ``declareConflict`` is allowed: while a vote lies ahead.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from paths import OTHER_OPD_OFFICER, OWNER_HEAD, Paths, members_with, representative, voters

from council.enums import Role
from council.i18n import MESSAGES, render
from council.workflow.guards import GUARDS, ProposalFacts, evaluate
from council.workflow.loader import parse_definition
from council.workflow.registry import get_registry

DEFINITION = get_registry().default()
ENGLISH = {"Accept-Language": "en"}
INDONESIAN = {"Accept-Language": "id"}
TECH = representative(Role.TECHNICAL_TEAM.value)
UNIVERSITY = representative(Role.UNIVERSITY_REVIEWER.value)
CHAIR = representative(Role.COUNCIL_CHAIR.value)
MEMBER = representative(Role.COUNCIL_MEMBER.value)

VIEW = """
query($id: ID!) {
  proposal(id: $id) {
    state availableTransitions availableActions
    transitionOptions { trigger label }
    blockedTransitions { trigger label reasons }
  }
}"""
DECLARE = """
mutation($input: DeclareConflictInput!) {
  declareConflict(input: $input) { recusal { reason } errors { code field message } } }"""


@pytest.fixture
def p(gql: Any, token: Any) -> Paths:
    return Paths(gql, token)


async def view(p: Paths, pid: str, as_: str | None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    found = (await p.call(VIEW, {"id": pid}, as_, headers=headers))["proposal"]
    assert found is not None
    available, blocked = set(found["availableTransitions"]), {b["trigger"] for b in found["blockedTransitions"]}
    assert not available & blocked, found
    assert [o["trigger"] for o in found["transitionOptions"]] == found["availableTransitions"]
    return found


def blocked(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["trigger"]: b for b in found["blockedTransitions"]}


# --- messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GUARDS))
def test_every_guard_has_a_reason_in_both_languages(name: str) -> None:
    assert set(MESSAGES.get(f"guard.{name}", {})) == {"en", "id"}, f"council.i18n.MESSAGES lacks guard.{name}"
    params = {k: default for k, (_, default, _) in GUARDS[name].params.items()}
    failure = evaluate(name, params, ProposalFacts(proposal_id=1, state="x", organization_id=1))
    assert failure is not None and failure.guard == name, "a guard fails on a proposal with nothing in it"
    for lang in ("en", "id"):
        text = render(f"guard.{name}", lang, **failure.params)
        assert "{" not in text, (lang, text)
        assert text == MESSAGES[f"guard.{name}"][lang].format(**failure.params), (lang, text)


# --- where a vote lies ahead -------------------------------------------------------------------


def test_vote_ahead_of_the_shipped_workflow() -> None:
    assert DEFINITION.vote_ahead == {"draft", "technical_review", "quick_win_approval"}


def test_vote_ahead_is_computed_from_the_file() -> None:
    raw = yaml.load(
        textwrap.dedent("""\
        name: demo
        version: 1
        initial: a
        states:
          - {name: a}
          - {name: b}
          - {name: side}
          - {name: vote1, vote: {}}
          - {name: after}
          - {name: vote2, vote: {}}
          - {name: done, final: true}
        transitions:
          - {trigger: go, source: a, dest: b, roles: [opd_officer], scope: proposals:write}
          - {trigger: aside, source: a, dest: side, roles: [opd_officer], scope: proposals:write}
          - {trigger: end, source: side, dest: done, roles: [opd_officer], scope: proposals:write}
          - {trigger: go, source: b, dest: vote1, roles: [opd_officer], scope: proposals:write}
          - {trigger: go, source: vote1, dest: after, roles: [council_chair], scope: votes:write}
          - {trigger: again, source: after, dest: vote2, roles: [council_chair], scope: votes:write}
          - {trigger: end, source: [after, vote2], dest: done, roles: [council_chair], scope: votes:write}
        """),
        Loader=yaml.SafeLoader,
    )
    definition = parse_definition(raw, Path("demo.yaml"))
    assert definition.vote_ahead == {"a", "b", "vote1", "after", "vote2"}


# --- blocked transitions over GraphQL ------------------------------------------------------------


async def test_the_technical_team_sees_why_it_may_not_recommend_yet(p: Paths) -> None:
    pid = await p.at("technical_review")
    await p.review(pid, TECH)

    english = await view(p, pid, TECH, ENGLISH)
    assert english["availableTransitions"] == ["request_revision", "reject"]
    assert english["blockedTransitions"] == [
        {
            "trigger": "recommend",
            "label": "Recommend as quick win",
            "reasons": [
                "Needs at least 2 reviews this round, including 1 from a university (so far 1, 0 from a university)"
            ],
        }
    ]
    indonesian = await view(p, pid, TECH, INDONESIAN)
    assert indonesian["blockedTransitions"] == [
        {
            "trigger": "recommend",
            "label": "Rekomendasikan sebagai quick win",
            "reasons": [
                "Perlu sekurang-kurangnya 2 kajian dalam putaran ini, termasuk 1 dari universitas "
                "(baru 1, 0 dari universitas)"
            ],
        }
    ]
    refused = await p.transition(pid, "recommend", TECH)
    assert [e["code"] for e in refused["errors"]] == ["GUARD_FAILED"]

    await p.review(pid, UNIVERSITY)
    after = await view(p, pid, TECH, ENGLISH)
    assert after["availableTransitions"] == ["request_revision", "recommend", "reject"]
    assert after["blockedTransitions"] == []

    # a university reviewer reviews but may not recommend: neither list, before or after
    assert (await view(p, pid, UNIVERSITY))["blockedTransitions"] == []
    assert "recommend" not in (await view(p, pid, UNIVERSITY))["availableTransitions"]


@pytest.mark.parametrize(
    ("headers", "quorum", "deadline"),
    [
        (ENGLISH, "Quorum not reached: {voted} of 4 votes", "The ballot's deadline has not passed yet"),
        (INDONESIAN, "Kuorum belum tercapai: {voted} dari 4 suara", "Batas waktu pemungutan suara belum lewat"),
    ],
    ids=["en", "id"],
)
async def test_the_chair_sees_why_the_vote_cannot_be_closed_before_quorum(
    p: Paths, headers: dict[str, str], quorum: str, deadline: str
) -> None:
    pid = await p.at("quick_win_approval")
    assert (await p.snapshot(pid))["ballot"]["quorum"] == 4
    seats = voters()
    label = {"en": "Close the vote", "id": "Tutup pemungutan suara"}[headers["Accept-Language"]]
    for voted in range(4):
        found = await view(p, pid, CHAIR, headers)
        assert "close_vote" not in found["availableTransitions"]
        assert blocked(found)["close_vote"] == {
            "trigger": "close_vote",
            "label": label,
            "reasons": [quorum.format(voted=voted), deadline],
        }, "the quorum, or (without one) the deadline: no majority asked for before the quorum"
        await p.vote(pid, seats[voted], "YES")
    found = await view(p, pid, CHAIR, headers)
    assert found["availableTransitions"] == ["close_vote"] and found["blockedTransitions"] == []


async def test_an_opd_officer_never_sees_close_vote(p: Paths) -> None:
    pid = await p.at("quick_win_approval")
    for officer in (p.officer, OWNER_HEAD, OTHER_OPD_OFFICER):
        found = await view(p, pid, officer)
        assert "close_vote" not in found["availableTransitions"]
        assert "close_vote" not in blocked(found), (officer, found)
    await p.votes_to_quorum(pid, "YES")
    found = await view(p, pid, p.officer)
    assert found["availableTransitions"] == ["withdraw"] and found["blockedTransitions"] == []


async def test_the_owner_sees_why_the_proposal_cannot_be_completed_yet(p: Paths) -> None:
    pid = await p.at("implementation")
    await p.report(pid, 60)
    found = await view(p, pid, p.officer, INDONESIAN)
    assert found["availableTransitions"] == []
    assert found["blockedTransitions"] == [
        {
            "trigger": "complete",
            "label": "Tandai selesai",
            "reasons": ["Perlu kemajuan 100%, dari tahapan atau laporan terakhir (saat ini 60%)"],
        }
    ]
    assert (await view(p, pid, OTHER_OPD_OFFICER))["blockedTransitions"] == [], "owner_only: not the other OPD"
    assert (await view(p, pid, None))["blockedTransitions"] == [], "anonymous: nothing"


def _callers() -> list[str | None]:
    seen = [representative(r.value) for r in Role if members_with(r.value)]
    return [*dict.fromkeys([*seen, OWNER_HEAD, OTHER_OPD_OFFICER]), None]


@pytest.mark.parametrize("state", list(DEFINITION.states))
async def test_each_trigger_is_available_blocked_or_neither_as_transition_proposal_answers(
    p: Paths, state: str
) -> None:
    pid = await p.at(state)
    if state == "technical_review":
        await p.review(pid, TECH)  # recommend blocked for the team
    seen_blocked: set[str] = set()
    for caller in [p.officer, *_callers()]:
        found = (await p.call(VIEW, {"id": pid}, caller))["proposal"]
        if found is None:
            continue
        available = set(found["availableTransitions"])
        blocked_now = {b["trigger"]: b for b in found["blockedTransitions"]}
        seen_blocked |= set(blocked_now)
        assert not available & set(blocked_now)
        for b in blocked_now.values():
            assert b["reasons"], b
        for trigger in DEFINITION.triggers:
            if trigger in available:
                continue
            comment = "Alasan pengujian."
            errors = (await p.transition(pid, trigger, caller, comment))["errors"]
            codes = [e["code"] for e in errors]
            if trigger in blocked_now:
                assert codes == ["GUARD_FAILED"], (caller, state, trigger, errors)
            else:
                assert codes and codes[0] in {"FORBIDDEN", "UNAUTHENTICATED", "INVALID_TRANSITION"}, (
                    caller,
                    state,
                    trigger,
                    errors,
                )
        assert (await p.snapshot(pid))["state"] == state
    # Where a guarded transition leaves this state, some caller meets it blocked: the GUARD_FAILED branch ran.
    if any(t.guards and state in t.sources for t in DEFINITION.transitions):
        assert seen_blocked, state


# --- declareConflict only while a vote lies ahead ------------------------------------------------


@pytest.mark.parametrize("state", ["technical_review", "quick_win_approval"])
async def test_a_conflict_is_declared_while_a_vote_lies_ahead(p: Paths, state: str) -> None:
    pid = await p.at(state)
    assert "declareConflict" in (await view(p, pid, MEMBER))["availableActions"]
    payload = await p.mutate(DECLARE, "declareConflict", {"proposalId": pid, "reason": "Kerabat saya pemasok."}, MEMBER)
    assert payload["errors"] == [] and payload["recusal"]["reason"] == "Kerabat saya pemasok."


@pytest.mark.parametrize(
    ("headers", "text"),
    [
        (ENGLISH, "No vote on this proposal lies ahead any more, so a conflict of interest can no longer be declared"),
        (
            INDONESIAN,
            "Tidak ada lagi pemungutan suara untuk usulan ini, sehingga benturan kepentingan tidak dapat "
            "dinyatakan lagi",
        ),
    ],
    ids=["en", "id"],
)
async def test_no_conflict_is_declared_in_implementation(p: Paths, headers: dict[str, str], text: str) -> None:
    pid = await p.at("implementation")
    assert "declareConflict" not in (await view(p, pid, MEMBER))["availableActions"]
    before = await p.snapshot(pid)
    payload = await p.mutate(
        DECLARE, "declareConflict", {"proposalId": pid, "reason": "Baru tahu hari ini."}, MEMBER, headers=headers
    )
    assert payload["recusal"] is None
    assert payload["errors"] == [{"code": "VOTING_CLOSED", "field": None, "message": text}]
    assert p.fingerprint(await p.snapshot(pid)) == p.fingerprint(before)
