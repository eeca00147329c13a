"""``Proposal.availableActions`` and ``Proposal.voteDenial`` against what the mutations then do.

Generated, not hand-picked: for a proposal in every state of the default
workflow (the initial state twice: never submitted, and sent back for
revision) and a caller per role of the seed (of the owner OPD where it has
one), an officer of another OPD, a council member whose token lacks
``votes:write``, and an anonymous caller, every operation of
``policy.ACTIONS`` is listed exactly when its mutation then succeeds, and
``voteDenial`` is null exactly when ``castVote`` succeeds, and otherwise
carries the very code and message ``castVote`` answers. What the states
allow is checked against the workflow file's flags (and, for a declared
conflict, whether a state holding a vote can still be reached), so the
matrix is not vacuous.

Then the denials the web client shows, in English and Bahasa Indonesia: the
owning OPD's council member and a recused member (CONFLICT_OF_INTEREST, two
messages), a technical-team member (FORBIDDEN), anonymous (UNAUTHENTICATED),
a closed ballot, a ballot past its deadline and a draft (VOTING_CLOSED).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from paths import (
    CAST_VOTE,
    OTHER_OPD_OFFICER,
    OWNER_ORG,
    REPORT_PROGRESS,
    SCORES,
    SUBMIT_REVIEW,
    Paths,
    members_with,
    representative,
)

from council.auth.scopes import PROPOSALS_READ
from council.enums import Role
from council.i18n import MESSAGES
from council.workflow.permissions import ACTIONS
from council.workflow.registry import get_registry

DEFINITION = get_registry().default()

VIEW = """
query($id: ID!) {
  proposal(id: $id) { state availableActions voteDenial { code field message } ballot { closed myVote } }
}"""
UPDATE = """
mutation($input: UpdateProposalInput!) { updateProposal(input: $input) { proposal { id } errors { code field message } } }"""
ADD_MILESTONE = """
mutation($input: AddMilestoneInput!) { addMilestone(input: $input) { milestone { id } errors { code field message } } }"""
DEFINE_KPI = """
mutation($input: DefineKpiInput!) { defineKpi(input: $input) { kpi { id } errors { code field message } } }"""
REPORT_SPENDING = """
mutation($input: ReportSpendingInput!) { reportSpending(input: $input) { errors { code field message } } }"""
KPI_NAMES = itertools.count(1)
"""A new KPI name for each call: names are unique per proposal and several callers may define one."""
DECLARE = """
mutation($input: DeclareConflictInput!) {
  declareConflict(input: $input) { recusal { reason } errors { code field message } } }"""

MUTATIONS: dict[str, tuple[str, Any]] = {
    "updateProposal": (UPDATE, lambda pid: {"proposalId": pid, "summary": "Ringkasan diperbarui."}),
    "submitReview": (
        SUBMIT_REVIEW,
        lambda pid: {"proposalId": pid, "recommendation": "APPROVE", "scores": SCORES, "comment": "Layak."},
    ),
    "reportProgress": (REPORT_PROGRESS, lambda pid: {"proposalId": pid, "percent": 60, "note": "Berjalan."}),
    "castVote": (CAST_VOTE, lambda pid: {"proposalId": pid, "choice": "YES"}),
    "declareConflict": (DECLARE, lambda pid: {"proposalId": pid, "reason": "Kerabat saya pemasok proyek ini."}),
    "addMilestone": (ADD_MILESTONE, lambda pid: {"proposalId": pid, "title": "Tahap uji", "dueOn": "2030-06-30"}),
    "defineKpi": (
        DEFINE_KPI,
        lambda pid: {
            "proposalId": pid,
            "name": f"Pengguna layanan {next(KPI_NAMES)}",
            "unit": "orang",
            "baseline": 0,
            "target": 1000,
            "direction": "UP",
        },
    ),
    "reportSpending": (
        REPORT_SPENDING,
        lambda pid: {"proposalId": pid, "amount": "1000000", "period": "2027-01", "note": "Honor narasumber."},
    ),
}
ORDER = (
    "updateProposal",
    "submitReview",
    "reportProgress",
    "addMilestone",
    "defineKpi",
    "reportSpending",
    "castVote",
    "declareConflict",
)
"""The order the mutations are tried in: a declared conflict, which changes who may vote, comes last; a
progress report before the first milestone, after which reports are refused (and no longer listed)."""
assert set(ORDER) == set(ACTIONS) == set(MUTATIONS)


@dataclass(frozen=True)
class Caller:
    """A caller of the matrix: a seeded member with a token of every scope their roles allow, or fewer."""

    label: str
    username: str | None
    scopes: tuple[str, ...] | None = None


def _callers() -> list[Caller]:
    callers = []
    for role in Role:
        try:
            username = representative(role.value, org=OWNER_ORG)
        except LookupError:
            username = representative(role.value)
        callers.append(Caller(role.value, username))
    callers.append(Caller("other_opd_officer", OTHER_OPD_OFFICER))
    multi = [p.username for p in members_with(Role.COUNCIL_MEMBER.value, exclude_org=OWNER_ORG) if len(p.roles) > 1]
    callers.append(Caller("council_member_and_opd_head", multi[0]))
    callers.append(Caller("council_member_read_only", representative(Role.COUNCIL_MEMBER.value), (PROPOSALS_READ,)))
    callers.append(Caller("anonymous", None))
    return callers


CALLERS = _callers()
STATES = [(name, False) for name in DEFINITION.states] + [(DEFINITION.initial, True)]


def vote_ahead(state: str) -> bool:
    """Whether a state holding a ``vote`` can be reached from ``state`` (itself included) along the file's
    transitions: worked out here from the states' ``vote`` and the transitions, not taken from the loader."""
    seen, todo = {state}, [state]
    while todo:
        here = todo.pop()
        if DEFINITION.state(here).vote is not None:
            return True
        for t in DEFINITION.transitions:
            if here in t.sources and t.dest not in seen:
                seen.add(t.dest)
                todo.append(t.dest)
    return False


def expected_union(state: str, revised: bool) -> set[str]:
    """What someone may do in ``state``, from the workflow file's flags (and who reads a draft never submitted);
    a conflict is declared only while a vote lies ahead (:func:`vote_ahead`)."""
    spec = DEFINITION.state(state)
    council_reads = revised or state != DEFINITION.initial
    flags = {
        "updateProposal": spec.editable,
        "submitReview": spec.reviewable,
        "castVote": spec.vote is not None,
        "reportProgress": spec.progress,
        "addMilestone": spec.progress,
        "defineKpi": spec.progress,
        "reportSpending": spec.progress,
        "declareConflict": vote_ahead(state) and council_reads,
    }
    return {name for name, on in flags.items() if on}


def test_a_vote_lies_ahead_until_the_ballot_state_is_left() -> None:
    """The derivation is not vacuous: it allows a conflict before and during the vote, and not after."""
    ahead = {name for name in DEFINITION.states if vote_ahead(name)}
    assert ahead == {"draft", "technical_review", "quick_win_approval"}
    assert {name for name, s in DEFINITION.states.items() if not s.final} - ahead == {"implementation"}


class Session:
    """Requests as one :class:`Caller`."""

    def __init__(self, p: Paths, caller: Caller) -> None:
        self.p, self.caller = p, caller
        self._token: str | None = None

    async def bearer(self) -> str | None:
        if self.caller.username is None:
            return None
        if self._token is None:
            scopes = list(self.caller.scopes) if self.caller.scopes is not None else None
            self._token = await self.p.token(self.caller.username, scopes=scopes)
        return self._token

    async def post(self, query: str, variables: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        body = await self.p.gql(query, variables, token=await self.bearer(), headers=headers)
        assert "errors" not in body, body
        return body["data"]

    async def view(self, pid: str, headers: dict[str, str] | None = None) -> dict[str, Any] | None:
        return (await self.post(VIEW, {"id": pid}, headers))["proposal"]

    async def mutate(self, name: str, pid: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        document, variables = MUTATIONS[name]
        return (await self.post(document, {"input": variables(pid)}, headers))[name]


async def proposal_in(p: Paths, state: str, revised: bool) -> str:
    """A new proposal of the owner OPD in ``state`` (``revised``: sent back to the initial state)."""
    if revised:
        return await p.revised_draft()
    if state == DEFINITION.initial:
        return await p.new_proposal()
    return await p.at(state)


@pytest.mark.parametrize(("state", "revised"), STATES, ids=[f"{s}{'-revised' if r else ''}" for s, r in STATES])
async def test_listed_actions_are_exactly_those_the_mutations_accept(p: Paths, state: str, revised: bool) -> None:
    pid = await proposal_in(p, state, revised)
    union: set[str] = set()
    for caller in CALLERS:
        s = Session(p, caller)
        view = await s.view(pid)
        if view is None:  # not readable: refused, by the rule alone or as NOT_FOUND (existence is not revealed)
            for name in ORDER:
                codes = [e["code"] for e in (await s.mutate(name, pid))["errors"]]
                assert codes in (["NOT_FOUND"], ["FORBIDDEN"], ["UNAUTHENTICATED"]), (caller.label, name, codes)
            continue
        assert view["state"] == state
        listed = view["availableActions"]
        assert listed == [a for a in ACTIONS if a in listed], "in the order of policy.ACTIONS"
        union |= set(listed)
        for name in ORDER:
            errors = (await s.mutate(name, pid))["errors"]
            assert (errors == []) == (name in listed), (caller.label, state, name, listed, errors)
            if name == "castVote":
                denial = view["voteDenial"]
                if errors:
                    assert denial == errors[0] | {"field": None}, (caller.label, denial, errors)
                else:
                    assert denial is None, (caller.label, denial)
        if "declareConflict" in listed:  # declared now: no longer listed, and the member may not vote
            after = await s.view(pid)
            assert "declareConflict" not in after["availableActions"] and "castVote" not in after["availableActions"]
            assert after["voteDenial"]["code"] == (
                "CONFLICT_OF_INTEREST" if DEFINITION.state(state).vote else "VOTING_CLOSED"
            ), (caller.label, after)
            again = await s.mutate("declareConflict", pid)
            assert again["errors"] == [], "declaring again is accepted and changes nothing"
    assert union == expected_union(state, revised), (state, union)


# --- the denials the web client shows --------------------------------------------------------


def message(key: str, lang: str) -> str:
    return MESSAGES[key][lang]


async def denial_and_vote(p: Paths, pid: str, caller: Caller, lang: str) -> tuple[dict[str, Any] | None, list[Any]]:
    """``voteDenial`` and then the ``castVote`` errors, in ``lang``."""
    s = Session(p, caller)
    headers = {"Accept-Language": lang}
    view = await s.view(pid, headers)
    assert view is not None
    return view["voteDenial"], (await s.mutate("castVote", pid, headers))["errors"]


def assert_refused(denial: dict[str, Any] | None, errors: list[Any], code: str, text: str) -> None:
    assert denial == {"code": code, "field": None, "message": text}, denial
    assert [(e["code"], e["message"]) for e in errors] == [(code, text)], errors


@pytest.mark.parametrize("lang", ["en", "id"])
async def test_a_member_of_the_owning_organisation_has_a_conflict_of_interest(gql: Any, token: Any, lang: str) -> None:
    owned = Paths(gql, token, owner_org="diskominfotik")
    pid = await owned.at("quick_win_approval")
    denial, errors = await denial_and_vote(owned, pid, Caller("owner", "kepala.kominfo"), lang)
    assert_refused(denial, errors, "CONFLICT_OF_INTEREST", message("conflict_of_interest", lang))
    assert {
        "en": "You may not vote on a proposal of your own organisation",
        "id": "Anda tidak boleh memberikan suara untuk usulan organisasi Anda sendiri",
    }[lang] == denial["message"]


@pytest.mark.parametrize("lang", ["en", "id"])
async def test_a_recused_member_has_a_conflict_of_interest_with_another_message(p: Paths, lang: str) -> None:
    pid = await p.at("quick_win_approval")
    member = Caller("council", representative(Role.COUNCIL_MEMBER.value))
    assert (await denial_and_vote(p, pid, member, lang))[0] is None
    assert (await Session(p, member).mutate("declareConflict", pid))["errors"] == []
    denial, errors = await denial_and_vote(p, pid, member, lang)
    assert_refused(denial, errors, "CONFLICT_OF_INTEREST", message("recused", lang))
    assert denial["message"] != message("conflict_of_interest", lang)
    assert {
        "en": "You declared a conflict of interest on this proposal",
        "id": "Anda telah menyatakan benturan kepentingan atas usulan ini",
    }[lang] == denial["message"]


@pytest.mark.parametrize("lang", ["en", "id"])
async def test_the_technical_team_and_the_anonymous_may_not_vote(p: Paths, lang: str) -> None:
    pid = await p.at("quick_win_approval")
    # the technical team's roles do not allow votes:write, so no token of theirs carries it (the scope is checked first)
    team = Caller("team", representative(Role.TECHNICAL_TEAM.value), (PROPOSALS_READ, "votes:write"))
    denial, errors = await denial_and_vote(p, pid, team, lang)
    assert_refused(denial, errors, "FORBIDDEN", message("missing_scope", lang).format(scope="votes:write"))
    denial, errors = await denial_and_vote(p, pid, Caller("anonymous", None), lang)
    assert_refused(denial, errors, "UNAUTHENTICATED", message("unauthenticated", lang))
    scopeless = Caller("read only", representative(Role.COUNCIL_MEMBER.value), (PROPOSALS_READ,))
    denial, errors = await denial_and_vote(p, pid, scopeless, lang)
    assert_refused(denial, errors, "FORBIDDEN", message("missing_scope", lang).format(scope="votes:write"))


@pytest.mark.parametrize("lang", ["en", "id"])
async def test_no_open_ballot_is_voting_closed(p: Paths, lang: str) -> None:
    chair = Caller("chair", representative(Role.COUNCIL_CHAIR.value))
    closed_text = message("voting_closed", lang)

    draft = await p.revised_draft()  # staff read a draft once it was submitted
    assert_refused(*await denial_and_vote(p, draft, chair, lang), "VOTING_CLOSED", closed_text)

    voting = await p.at("quick_win_approval")
    assert (await denial_and_vote(p, voting, chair, lang))[0] is None, "the chair votes too"
    await p.drive(voting, "implementation")
    assert_refused(*await denial_and_vote(p, voting, chair, lang), "VOTING_CLOSED", closed_text)

    expired = await p.at("quick_win_approval")
    await p.expire_ballot(expired)  # open, but past its deadline: no scheduler has closed it yet
    view = await Session(p, chair).view(expired)
    assert view["ballot"]["closed"] is False and "castVote" not in view["availableActions"]
    assert_refused(*await denial_and_vote(p, expired, chair, lang), "VOTING_CLOSED", closed_text)


async def test_vote_denial_is_null_while_a_member_may_change_the_vote(p: Paths) -> None:
    pid = await p.at("quick_win_approval")
    s = Session(p, Caller("council", representative(Role.COUNCIL_MEMBER.value)))
    for choice in ("YES", "NO"):
        view = await s.view(pid)
        assert view["voteDenial"] is None and "castVote" in view["availableActions"]
        payload = await s.post(CAST_VOTE, {"input": {"proposalId": pid, "choice": choice}})
        assert payload["castVote"]["errors"] == [] and payload["castVote"]["ballot"]["myVote"] == choice
