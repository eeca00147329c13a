"""The guards of the default workflow, ballots and votes, over GraphQL.

``min_reviews`` (recommend), ``quorum_met`` and ``majority_yes`` (close_vote),
``progress_complete`` (complete); ``availableTransitions`` agreeing with them;
conflict of interest, changing a vote, voting after the close; messages in
Bahasa Indonesia. Proposals belong to ``paths.OWNER_ORG`` (Dinas Perhubungan:
7 council seats, none conflicted, so a quorum is 4) unless a test says
otherwise.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from paths import OWNER_ORG, Paths, representative, voters

CHAIR = representative("council_chair")
MEMBER = representative("council_member")  # a council member holding no other role
TECH = representative("technical_team")
UNIVERSITY = representative("university_reviewer")
TECH_TEAM = ["tim.teknis1", "tim.teknis2", "tim.teknis3"]
UNIVERSITY_REVIEWERS = ["reviewer.unri", "reviewer.uin-suska"]
VOTERS = voters(OWNER_ORG)  # plain council members first, the chair last


def numbers(message: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", message)]


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


async def refused(p: Paths, pid: str, trigger: str, as_: str, code: str, **kw: Any) -> dict[str, Any]:
    """Fire ``trigger``, expect exactly ``code`` and no change; the error."""
    before = await p.snapshot(pid)
    payload = await p.transition(pid, trigger, as_, **kw)
    assert codes(payload) == [code], payload["errors"]
    assert payload["proposal"] is None
    after = await p.snapshot(pid)
    assert p.fingerprint(after) == p.fingerprint(before)
    return payload["errors"][0]


async def offered(p: Paths, pid: str, as_: str | None) -> list[str]:
    """``availableTransitions`` for member ``as_`` (None: anonymous)."""
    data = await p.call("query($id: ID!) { proposal(id: $id) { availableTransitions } }", {"id": pid}, as_)
    return data["proposal"]["availableTransitions"]


# --- min_reviews ----------------------------------------------------------------------------


def test_the_seed_and_workflow_are_what_these_tests_assume() -> None:
    assert len(VOTERS) == 7 and VOTERS[-1] == CHAIR and MEMBER == VOTERS[0] == "rektor.unri"
    assert (TECH, UNIVERSITY) == ("tim.teknis1", "reviewer.unri")


@pytest.mark.parametrize(
    ("reviewers", "have", "have_university"),
    [
        pytest.param([], 0, 0, id="no-review"),
        pytest.param(TECH_TEAM[:1], 1, 0, id="one-review"),
        pytest.param(UNIVERSITY_REVIEWERS[:1], 1, 1, id="one-university-review"),
        pytest.param(TECH_TEAM[:2], 2, 0, id="two-reviews-none-from-a-university"),
        pytest.param(TECH_TEAM, 3, 0, id="three-reviews-none-from-a-university"),
    ],
)
async def test_recommend_needs_two_reviews_one_from_a_university(
    p: Paths, reviewers: list[str], have: int, have_university: int
) -> None:
    pid = await p.at("technical_review")
    for reviewer in reviewers:
        await p.review(pid, reviewer)
    assert "recommend" not in await offered(p, pid, TECH)

    error = await refused(p, pid, "recommend", TECH, "GUARD_FAILED")

    assert error["field"] is None
    assert numbers(error["message"]) == [2, 1, have, have_university], error["message"]
    assert error["message"] == (
        f"Needs at least 2 reviews this round, including 1 from a university "
        f"(so far {have}, {have_university} from a university)"
    )


async def test_two_reviews_with_one_from_a_university_pass(p: Paths) -> None:
    pid = await p.at("technical_review")
    await p.review(pid, TECH_TEAM[1])
    assert "recommend" not in await offered(p, pid, TECH)
    await p.review(pid, UNIVERSITY_REVIEWERS[0], recommendation="REVISE")
    assert await offered(p, pid, TECH) == ["request_revision", "recommend", "reject"]
    assert "recommend" not in await offered(p, pid, UNIVERSITY), "university reviewers review, they do not recommend"

    payload = await p.transition(pid, "recommend", TECH)

    assert payload["errors"] == []
    assert payload["proposal"]["state"] == "quick_win_approval"


async def test_a_second_review_by_the_same_reviewer_replaces_the_first(p: Paths) -> None:
    pid = await p.at("technical_review")
    await p.review(pid, UNIVERSITY_REVIEWERS[0])
    await p.review(pid, UNIVERSITY_REVIEWERS[0], recommendation="REJECT")
    snap = await p.snapshot(pid)
    assert len(snap["reviews"]) == 1
    error = await refused(p, pid, "recommend", TECH, "GUARD_FAILED")
    assert numbers(error["message"]) == [2, 1, 1, 1]


async def test_reviews_of_an_earlier_round_do_not_count(p: Paths) -> None:
    pid = await p.at("technical_review")
    await p.review(pid, TECH_TEAM[0])
    await p.review(pid, UNIVERSITY_REVIEWERS[0])
    assert "recommend" in await offered(p, pid, TECH)
    revised = await p.transition(pid, "request_revision", TECH, "Lengkapi rincian anggaran.")
    assert revised["errors"] == [] and revised["proposal"]["state"] == "draft"
    resubmitted = await p.transition(pid, "submit", p.officer)
    assert resubmitted["errors"] == [] and resubmitted["proposal"]["state"] == "technical_review"

    snap = await p.snapshot(pid)
    assert [r["round"] for r in snap["reviews"]] == [1, 1], "reviews of every round stay visible"
    assert "recommend" not in snap["availableTransitions"]
    assert "recommend" not in await offered(p, pid, TECH)
    error = await refused(p, pid, "recommend", TECH, "GUARD_FAILED")
    assert numbers(error["message"]) == [2, 1, 0, 0]

    await p.review(pid, TECH_TEAM[0])
    await p.review(pid, UNIVERSITY_REVIEWERS[0])
    assert [r["round"] for r in (await p.snapshot(pid))["reviews"]] == [1, 1, 2, 2]
    payload = await p.transition(pid, "recommend", TECH)
    assert payload["errors"] == [] and payload["proposal"]["state"] == "quick_win_approval"


# --- quorum_met and majority_yes ------------------------------------------------------------

BALLOT = "ballot { id closed result eligibleCount quorum tally { yes no abstain } myVote }"


async def ballot_of(p: Paths, pid: str, as_: str | None = None) -> dict[str, Any]:
    return (await p.snapshot(pid, as_))["ballot"]


async def test_the_ballot_opens_with_the_workflow_rule(p: Paths) -> None:
    pid = await p.at("quick_win_approval")
    ballot = await ballot_of(p, pid)
    # 7 seats; quorum 0.5 -> more than half must vote: 4.
    assert (ballot["eligibleCount"], ballot["quorum"], ballot["closed"], ballot["result"]) == (7, 4, False, None)
    assert ballot["tally"] == {"yes": 0, "no": 0, "abstain": 0}


@pytest.mark.parametrize("votes", [0, 1, 3], ids=lambda n: f"{n}-votes")
async def test_close_vote_without_quorum_fails_and_the_ballot_stays_open(p: Paths, votes: int) -> None:
    pid = await p.at("quick_win_approval")
    for voter in VOTERS[:votes]:
        await p.vote(pid, voter, "YES")
    assert await offered(p, pid, CHAIR) == []

    error = await refused(p, pid, "close_vote", CHAIR, "GUARD_FAILED")

    assert numbers(error["message"]) == [votes, 4], error["message"]
    assert error["message"] == f"Quorum not reached: {votes} of 4 votes"
    snap = await p.snapshot(pid)
    assert snap["state"] == "quick_win_approval"
    assert snap["ballot"]["closed"] is False and snap["ballot"]["result"] is None
    assert snap["ballot"]["tally"] == {"yes": votes, "no": 0, "abstain": 0}
    await p.vote(pid, VOTERS[votes], "NO")  # still open: a vote is taken


@pytest.mark.parametrize(
    ("choices", "state", "result"),
    [
        pytest.param(["YES", "YES", "NO", "NO"], "rejected", "REJECTED", id="tie"),
        pytest.param(["YES", "NO", "NO", "NO"], "rejected", "REJECTED", id="more-no"),
        pytest.param(["ABSTAIN", "ABSTAIN", "ABSTAIN", "ABSTAIN"], "rejected", "REJECTED", id="all-abstain"),
        pytest.param(["YES", "NO", "ABSTAIN", "ABSTAIN"], "rejected", "REJECTED", id="tie-with-abstentions"),
        pytest.param(["YES", "YES", "YES", "NO"], "implementation", "APPROVED", id="majority-yes"),
        pytest.param(["YES", "YES", "NO", "ABSTAIN"], "implementation", "APPROVED", id="abstentions-count-for-quorum"),
        pytest.param(["YES", "YES", "YES", "YES", "NO", "NO", "NO"], "implementation", "APPROVED", id="everyone"),
    ],
)
async def test_close_vote_with_quorum_decides_by_majority(
    p: Paths, choices: list[str], state: str, result: str
) -> None:
    pid = await p.at("quick_win_approval")
    # the chair votes last, so the close is by someone who may have voted too
    for voter, choice in zip(VOTERS, choices, strict=False):
        await p.vote(pid, voter, choice)
    assert await offered(p, pid, CHAIR) == ["close_vote"]
    assert await offered(p, pid, MEMBER) == []
    before = await p.snapshot(pid)

    payload = await p.transition(pid, "close_vote", CHAIR)

    assert payload["errors"] == []
    assert payload["proposal"]["state"] == state
    snap = await p.snapshot(pid)
    assert snap["state"] == state and snap["version"] == before["version"] + 1
    expected = {"yes": choices.count("YES"), "no": choices.count("NO"), "abstain": choices.count("ABSTAIN")}
    assert snap["ballot"]["closed"] is True
    assert snap["ballot"]["result"] == result
    assert snap["ballot"]["tally"] == expected
    last = snap["history"][-1]
    assert (last["trigger"], last["fromState"], last["toState"]) == ("close_vote", "quick_win_approval", state)


async def test_close_vote_only_for_the_chair_and_only_after_quorum(p: Paths) -> None:
    pid = await p.at("quick_win_approval")
    seen = []
    for voter in VOTERS[:4]:
        seen.append(await offered(p, pid, CHAIR))
        assert await offered(p, pid, MEMBER) == []
        await p.vote(pid, voter, "YES")
    assert seen == [[], [], [], []]
    assert await offered(p, pid, CHAIR) == ["close_vote"]
    assert await offered(p, pid, MEMBER) == []
    assert await offered(p, pid, p.officer) == ["withdraw"]
    assert await offered(p, pid, None) == []
    await refused(p, pid, "close_vote", MEMBER, "FORBIDDEN")


# --- progress_complete ----------------------------------------------------------------------


async def test_complete_needs_progress_100(p: Paths) -> None:
    pid = await p.at("implementation")
    assert await offered(p, pid, p.officer) == []
    error = await refused(p, pid, "complete", p.officer, "GUARD_FAILED")
    assert numbers(error["message"]) == [100, 0]

    await p.report(pid, 60)
    assert await offered(p, pid, p.officer) == []
    error = await refused(p, pid, "complete", p.officer, "GUARD_FAILED")
    assert error["message"] == "Needs progress of 100%, from the milestones or the latest report (now 60%)"

    await p.report(pid, 100)
    assert await offered(p, pid, p.officer) == ["complete"]
    assert await offered(p, pid, representative("opd_officer", exclude_org=OWNER_ORG)) == []
    payload = await p.transition(pid, "complete", p.officer)
    assert payload["errors"] == []
    assert payload["proposal"]["state"] == "completed"
    assert await offered(p, pid, p.officer) == []


# --- votes ----------------------------------------------------------------------------------


async def test_a_conflicted_council_member_may_not_vote(gql: Any, token: Any) -> None:
    """The head of Diskominfotik sits on the council: no vote on a Diskominfotik proposal, not counted."""
    kominfo = Paths(gql, token, owner_org="diskominfotik")
    conflicted = "kepala.kominfo"
    assert conflicted not in voters("diskominfotik")
    pid = await kominfo.at("quick_win_approval")
    ballot = await ballot_of(kominfo, pid)
    assert (ballot["eligibleCount"], ballot["quorum"]) == (6, 4)
    before = await kominfo.snapshot(pid)

    payload = await kominfo.mutate(
        "mutation($input: CastVoteInput!) { castVote(input: $input) { ballot { id } errors { code field message } } }",
        "castVote",
        {"proposalId": pid, "choice": "YES"},
        conflicted,
    )

    assert codes(payload) == ["CONFLICT_OF_INTEREST"]
    assert payload["ballot"] is None
    after = await kominfo.snapshot(pid)
    assert kominfo.fingerprint(after) == kominfo.fingerprint(before)
    assert after["ballot"]["tally"] == {"yes": 0, "no": 0, "abstain": 0}
    assert (await ballot_of(kominfo, pid, conflicted))["myVote"] is None
    # a seat without a conflict votes normally on the same ballot
    assert (await kominfo.vote(pid, "kepala.pupr", "YES"))["tally"] == {"yes": 1, "no": 0, "abstain": 0}


async def test_changing_a_vote_keeps_one_vote(p: Paths) -> None:
    pid = await p.at("quick_win_approval")
    first = await p.vote(pid, MEMBER, "YES")
    assert (first["tally"], first["myVote"]) == ({"yes": 1, "no": 0, "abstain": 0}, "YES")

    second = await p.vote(pid, MEMBER, "NO")

    assert (second["tally"], second["myVote"]) == ({"yes": 0, "no": 1, "abstain": 0}, "NO")
    ballot = await ballot_of(p, pid, MEMBER)
    assert (ballot["tally"], ballot["myVote"]) == ({"yes": 0, "no": 1, "abstain": 0}, "NO")
    assert (await ballot_of(p, pid, CHAIR))["myVote"] is None
    actions = [e["action"] for e in (await p.snapshot(pid))["history"]]
    assert actions[-2:] == ["vote_cast", "vote_changed"]

    # the same choice again changes nothing
    def version_and_history(s: dict[str, Any]) -> tuple[int, int]:
        return s["version"], len(s["history"])

    before = version_and_history(await p.snapshot(pid))
    assert (await p.vote(pid, MEMBER, "NO"))["tally"] == {"yes": 0, "no": 1, "abstain": 0}
    assert version_and_history(await p.snapshot(pid)) == before


async def test_a_vote_after_the_close_is_refused(p: Paths) -> None:
    pid = await p.at("implementation")
    ballot = await ballot_of(p, pid)
    assert ballot["closed"] is True and ballot["result"] == "APPROVED"
    late = VOTERS[ballot["quorum"]]  # a seat that did not vote
    before = await p.snapshot(pid)

    payload = await p.mutate(
        "mutation($input: CastVoteInput!) { castVote(input: $input) { ballot { id } errors { code field message } } }",
        "castVote",
        {"proposalId": pid, "choice": "NO"},
        late,
    )

    assert codes(payload) == ["VOTING_CLOSED"]
    assert payload["ballot"] is None
    after = await p.snapshot(pid)
    assert p.fingerprint(after) == p.fingerprint(before)
    assert after["ballot"]["tally"] == ballot["tally"]
    assert (await ballot_of(p, pid, late))["myVote"] is None


# --- Bahasa Indonesia -----------------------------------------------------------------------


async def test_messages_in_bahasa_indonesia(gql: Any, token: Any, p: Paths) -> None:
    pid = await p.at("technical_review")
    await p.review(pid, TECH_TEAM[0])
    english = await p.transition(pid, "recommend", TECH)
    indonesian = await p.transition(pid, "recommend", TECH, headers={"Accept-Language": "id"})
    preferred = await p.transition(pid, "recommend", TECH, headers={"Accept-Language": "en;q=0.5, id-ID;q=0.9"})

    assert codes(english) == codes(indonesian) == codes(preferred) == ["GUARD_FAILED"]
    assert english["errors"][0]["message"] == (
        "Needs at least 2 reviews this round, including 1 from a university (so far 1, 0 from a university)"
    )
    assert indonesian["errors"][0]["message"] == (
        "Perlu sekurang-kurangnya 2 kajian dalam putaran ini, termasuk 1 dari universitas (baru 1, 0 dari universitas)"
    )
    assert preferred["errors"][0]["message"] == indonesian["errors"][0]["message"]

    kominfo = Paths(gql, token, owner_org="diskominfotik")
    qwa = await kominfo.at("quick_win_approval")
    vote = "mutation($input: CastVoteInput!) { castVote(input: $input) { errors { code message } } }"
    answers = {
        lang: await kominfo.mutate(
            vote, "castVote", {"proposalId": qwa, "choice": "NO"}, "kepala.kominfo", headers={"Accept-Language": lang}
        )
        for lang in ("en", "id")
    }
    assert answers["en"]["errors"] == [
        {
            "code": "CONFLICT_OF_INTEREST",
            "message": "You may not vote on a proposal of your own organisation",
        }
    ]
    assert answers["id"]["errors"] == [
        {
            "code": "CONFLICT_OF_INTEREST",
            "message": "Anda tidak boleh memberikan suara untuk usulan organisasi Anda sendiri",
        }
    ]
