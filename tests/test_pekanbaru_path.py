"""The whole Pekanbaru 2018 path of one quick win, over HTTP, with a token per role.

"Aplikasi layanan publik daring" of Diskominfotik goes from draft to completed
(DESIGN.md, "The workflow"): edited and submitted by its OPD officer, sent back
for revision by the technical team, resubmitted, reviewed by the technical
team and Universitas Riau, recommended, voted on by the council (the
Diskominfotik head has a conflict of interest), closed by the chair,
implemented and completed. At every step the state and what the acting person
may do next (``availableTransitions``) are checked; at the end the decision
record (history) and what the public sees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from paths import SEEDED_ORG, SEEDED_TITLE, Paths, data, ok

from council.audit.chains import proposal_chain
from council.audit.service import event_hash, verify_chains
from council.i18n import MESSAGES
from council.voting.models import Ballot

OFFICER = "opd.kominfo"
TEAM, TEAM_2 = "tim.teknis1", "tim.teknis2"
UNRI = "reviewer.unri"
CHAIR = "walikota"
CONFLICTED = "kepala.kominfo"
PEOPLE = [
    OFFICER,
    TEAM,
    TEAM_2,
    UNRI,
    CHAIR,
    CONFLICTED,
    "sekda",
    "kepala.bappeda",
    "kepala.pupr",
    "kepala.dlhk",
    "rektor.unri",
    "opd.pupr",
]

SNAPSHOT = """
query($id: ID!) {
  proposal(id: $id) {
    id title summary budget state version publishedAt availableTransitions progressPercent
    reviews { recommendation round comment reviewer { username }
              scores { feasibility impact costEffectiveness alignment } }
    ballot { eligibleCount quorum closed closedAt result myVote tally { yes no abstain } }
    history { seq at actor action trigger fromState toState comment data hash prevHash }
  }
}
"""
UPDATE = """
mutation($input: UpdateProposalInput!) {
  updateProposal(input: $input) { proposal { title summary budget state version } errors { code field message } }
}
"""
TRANSITION = """
mutation($id: ID!, $trigger: String!, $comment: String) {
  transitionProposal(input: {proposalId: $id, trigger: $trigger, comment: $comment}) {
    proposal { state availableTransitions } errors { code field message }
  }
}
"""
REVIEW = """
mutation($input: SubmitReviewInput!) {
  submitReview(input: $input) {
    review { round recommendation reviewer { username } } proposal { state } errors { code field message }
  }
}
"""
VOTE = """
mutation($id: ID!, $choice: VoteChoice!) {
  castVote(input: {proposalId: $id, choice: $choice}) {
    ballot { myVote closed tally { yes no abstain } } errors { code field message }
  }
}
"""
PROGRESS = """
mutation($id: ID!, $percent: Int!, $note: String) {
  reportProgress(input: {proposalId: $id, percent: $percent, note: $note}) {
    proposal { state progressPercent availableTransitions } errors { code field message }
  }
}
"""
PUBLIC = """
query($id: ID!) {
  proposal(id: $id) { title state availableTransitions ballot { result tally { yes no abstain } myVote }
                      progress { percent } history { action } }
  proposals(first: 20) { totalCount edges { node { id } } }
}
"""
PILLARS = "{ pillars { code label } }"


class Council:
    """The people of the path, each with a bearer token, talking to the API."""

    def __init__(self, gql: Any, tokens: dict[str, str], pid: str) -> None:
        self.gql, self.tokens, self.pid = gql, tokens, pid

    async def query(
        self, user: str | None, query: str, variables: dict[str, Any] | None = None, lang: str | None = None
    ) -> dict[str, Any]:
        headers = {"Accept-Language": lang} if lang else None
        return data(await self.gql(query, variables or {}, token=self.tokens.get(user or ""), headers=headers))

    async def view(self, user: str | None) -> dict[str, Any] | None:
        return (await self.query(user, SNAPSHOT, {"id": self.pid}))["proposal"]

    async def can(self, user: str) -> list[str]:
        """``availableTransitions`` for ``user`` now."""
        seen = await self.view(user)
        assert seen is not None, f"{user} cannot see the proposal"
        return seen["availableTransitions"]

    async def fire(self, user: str, trigger: str, comment: str | None = None) -> dict[str, Any]:
        body = await self.query(user, TRANSITION, {"id": self.pid, "trigger": trigger, "comment": comment})
        return body["transitionProposal"]

    async def edit(self, user: str, **changes: Any) -> dict[str, Any]:
        body = await self.query(user, UPDATE, {"input": {"proposalId": self.pid, **changes}})
        return body["updateProposal"]

    async def review(self, user: str, recommendation: str, comment: str, **scores: int) -> dict[str, Any]:
        rubric = {"feasibility": 4, "impact": 5, "costEffectiveness": 4, "alignment": 5} | scores
        body = await self.query(
            user,
            REVIEW,
            {"input": {"proposalId": self.pid, "recommendation": recommendation, "scores": rubric, "comment": comment}},
        )
        return body["submitReview"]

    async def vote(self, user: str, choice: str, lang: str | None = None) -> dict[str, Any]:
        return (await self.query(user, VOTE, {"id": self.pid, "choice": choice}, lang=lang))["castVote"]

    async def report(self, user: str, percent: int, note: str) -> dict[str, Any]:
        body = await self.query(user, PROGRESS, {"id": self.pid, "percent": percent, "note": note})
        return body["reportProgress"]


async def test_pekanbaru_quick_win_from_draft_to_completed(gql, token):
    tokens = {u: await token(u) for u in PEOPLE}
    pid = await Paths(gql, token, owner_org=SEEDED_ORG).find(SEEDED_TITLE, as_=OFFICER)
    c = Council(gql, tokens, pid)

    # --- draft: only Diskominfotik sees it; the officer may submit or withdraw
    start = await c.view(OFFICER)
    assert start["state"] == "draft" and start["publishedAt"] is None
    assert start["availableTransitions"] == ["submit", "withdraw"]
    assert [(e["action"], e["actor"]) for e in start["history"]] == [("created", "system")]
    for outsider in (None, TEAM, CHAIR, "opd.pupr"):
        assert await c.view(outsider) is None, outsider

    # --- the officer edits, then submits
    edited = ok(
        await c.edit(
            OFFICER, budget="16000000000", summary=start["summary"] + " Termasuk integrasi dengan sistem kependudukan."
        )
    )
    assert edited["proposal"]["budget"] == "16000000000"
    assert edited["proposal"]["version"] == start["version"] + 1
    refused = await c.edit("opd.pupr", budget="1")
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    submitted = ok(await c.fire(OFFICER, "submit"))["proposal"]
    assert submitted == {"state": "technical_review", "availableTransitions": ["withdraw"]}
    assert await c.can(TEAM) == ["request_revision", "reject"]  # recommend needs two reviews first
    assert await c.can(UNRI) == []
    assert await c.can(CHAIR) == []
    assert [e["code"] for e in (await c.edit(OFFICER, budget="1"))["errors"]] == ["INVALID_TRANSITION"]

    # --- the technical team sends it back, with a comment
    no_comment = await c.fire(TEAM, "request_revision")
    assert [(e["code"], e["field"]) for e in no_comment["errors"]] == [("INVALID_INPUT", "comment")]
    revision = "Rincian anggaran per modul layanan belum ada."
    back = ok(await c.fire(TEAM, "request_revision", revision))["proposal"]
    assert back["state"] == "draft" and back["availableTransitions"] == []  # the team can do nothing on a draft
    assert await c.can(OFFICER) == ["submit", "withdraw"]

    # --- the officer revises and resubmits
    ok(await c.edit(OFFICER, summary=edited["proposal"]["summary"] + " Rincian anggaran per modul terlampir."))
    assert ok(await c.fire(OFFICER, "submit"))["proposal"]["state"] == "technical_review"

    # --- the team assigns the review to one of its own and to Universitas Riau's reviewer (quick-win
    #     version 2: only assignees and the team review, and recommend counts the assigned reviews)
    assigned = await Paths(gql, token, owner_org=SEEDED_ORG).assign(pid, [TEAM, UNRI], as_=TEAM_2)
    assert [a["status"] for a in assigned["assignments"]] == ["PENDING", "PENDING"]

    # --- reviews by the technical team and Universitas Riau; then the team recommends
    r1 = ok(await c.review(TEAM, "APPROVE", "Layak sebagai quick win.", impact=5))
    assert r1["review"] == {"round": 2, "recommendation": "APPROVE", "reviewer": {"username": TEAM}}
    assert await c.can(TEAM_2) == ["request_revision", "reject"]  # one review, none from a university
    r2 = ok(await c.review(UNRI, "APPROVE", "Secara teknis dapat dilaksanakan.", feasibility=5))
    assert r2["review"]["reviewer"]["username"] == UNRI
    assert await c.can(TEAM_2) == ["request_revision", "recommend", "reject"]
    assert await c.can(OFFICER) == ["withdraw"]
    recommended = ok(await c.fire(TEAM_2, "recommend"))["proposal"]
    assert recommended == {"state": "quick_win_approval", "availableTransitions": []}

    # --- the council votes; 7 seats, the Diskominfotik head is conflicted: 6 eligible, quorum 4
    opened = await c.view(CHAIR)
    assert opened["publishedAt"] is not None
    assert [(r["reviewer"]["username"], r["round"]) for r in opened["reviews"]] == [(TEAM, 2), (UNRI, 2)]
    assert opened["ballot"] == {
        "eligibleCount": 6,
        "quorum": 4,
        "closed": False,
        "closedAt": None,
        "result": None,
        "myVote": None,
        "tally": {"yes": 0, "no": 0, "abstain": 0},
    }
    assert opened["availableTransitions"] == []  # no quorum yet
    assert await c.can(OFFICER) == ["withdraw"]
    for member, choice in [("sekda", "YES"), ("kepala.bappeda", "YES"), ("kepala.pupr", "YES")]:
        cast = ok(await c.vote(member, choice))
        assert cast["ballot"]["myVote"] == choice and cast["ballot"]["closed"] is False
    assert await c.can(CHAIR) == []  # 3 of the 4 votes needed
    assert await c.can("sekda") == []  # members vote, only the chair closes
    ok(await c.vote("kepala.dlhk", "ABSTAIN"))
    changed = ok(await c.vote("kepala.dlhk", "NO"))  # a vote may change until the ballot closes
    assert changed["ballot"]["tally"] == {"yes": 3, "no": 1, "abstain": 0}
    ok(await c.vote("rektor.unri", "ABSTAIN"))
    ok(await c.vote(CHAIR, "YES"))
    conflicted = await c.vote(CONFLICTED, "YES")
    assert [e["code"] for e in conflicted["errors"]] == ["CONFLICT_OF_INTEREST"] and conflicted["ballot"] is None
    in_indonesian = await c.vote(CONFLICTED, "YES", lang="id")
    assert in_indonesian["errors"][0]["message"] == MESSAGES["conflict_of_interest"]["id"]
    before_close = await c.view(CHAIR)
    assert before_close["ballot"]["tally"] == {"yes": 4, "no": 1, "abstain": 1}
    assert before_close["ballot"]["myVote"] == "YES"
    assert before_close["availableTransitions"] == ["close_vote"]

    # --- the chair closes the vote: approved, the counts stored
    closed = ok(await c.fire(CHAIR, "close_vote"))["proposal"]
    assert closed == {"state": "implementation", "availableTransitions": []}
    after_close = await c.view(OFFICER)
    assert after_close["ballot"]["closed"] is True and after_close["ballot"]["closedAt"] is not None
    assert after_close["ballot"]["result"] == "APPROVED"
    assert after_close["ballot"]["tally"] == {"yes": 4, "no": 1, "abstain": 1}
    stored = await Ballot.get(proposal__title=SEEDED_TITLE)
    assert (stored.yes_count, stored.no_count, stored.abstain_count, str(stored.result)) == (4, 1, 1, "approved")
    late = await c.vote("sekda", "NO")
    assert [e["code"] for e in late["errors"]] == ["VOTING_CLOSED"]
    assert after_close["availableTransitions"] == []  # complete needs 100% progress

    # --- the officer reports progress, then completes
    p40 = ok(await c.report(OFFICER, 40, "Modul pengaduan dan perizinan berjalan."))["proposal"]
    assert p40 == {"state": "implementation", "progressPercent": 40, "availableTransitions": []}
    assert [e["code"] for e in (await c.fire(OFFICER, "complete"))["errors"]] == ["GUARD_FAILED"]
    p100 = ok(await c.report(OFFICER, 100, "Semua modul layanan daring berjalan."))["proposal"]
    assert p100 == {"state": "implementation", "progressPercent": 100, "availableTransitions": ["complete"]}
    assert await c.can(TEAM) == []
    assert await c.can(CHAIR) == []
    done = ok(await c.fire(OFFICER, "complete"))["proposal"]
    assert done == {"state": "completed", "availableTransitions": []}

    # --- the decision record: every step, oldest first, hash-chained
    final = await c.view(OFFICER)
    history = final["history"]
    steps = [(e["action"], e["trigger"], e["actor"]) for e in history]
    assert steps == [
        ("created", None, "system"),
        ("updated", None, OFFICER),
        ("transition", "submit", OFFICER),
        ("transition", "request_revision", TEAM),
        ("updated", None, OFFICER),
        ("transition", "submit", OFFICER),
        ("assigned", None, TEAM_2),
        ("reviewed", None, TEAM),
        ("reviewed", None, UNRI),
        ("transition", "recommend", TEAM_2),
        ("vote_cast", None, "sekda"),
        ("vote_cast", None, "kepala.bappeda"),
        ("vote_cast", None, "kepala.pupr"),
        ("vote_cast", None, "kepala.dlhk"),
        ("vote_changed", None, "kepala.dlhk"),
        ("vote_cast", None, "rektor.unri"),
        ("vote_cast", None, CHAIR),
        ("transition", "close_vote", CHAIR),
        ("progress", None, OFFICER),
        ("progress", None, OFFICER),
        ("transition", "complete", OFFICER),
    ], steps
    transitions = [(e["fromState"], e["toState"]) for e in history if e["action"] == "transition"]
    assert transitions == [
        ("draft", "technical_review"),
        ("technical_review", "draft"),
        ("draft", "technical_review"),
        ("technical_review", "quick_win_approval"),
        ("quick_win_approval", "implementation"),
        ("implementation", "completed"),
    ]
    assert history[3]["comment"] == revision
    assert history[17]["data"]["ballot"]["result"] == "approved"
    assert [e["seq"] for e in history] == list(range(1, len(history) + 1))
    times = [datetime.fromisoformat(e["at"]) for e in history]
    assert times == sorted(times)
    assert history[0]["prevHash"] == ""
    for previous, event in zip(history, history[1:], strict=False):
        assert event["prevHash"] == previous["hash"]
    for event in history:  # anyone holding the chain can recompute every hash
        assert event["hash"] == event_hash(
            chain=proposal_chain(int(stored.proposal_id)),
            seq=event["seq"],
            at=datetime.fromisoformat(event["at"]),
            actor_name=event["actor"],
            action=event["action"],
            trigger=event["trigger"],
            from_state=event["fromState"],
            to_state=event["toState"],
            comment=event["comment"],
            data=event["data"],
            prev_hash=event["prevHash"],
        ), event
    _, _, faults = await verify_chains()
    assert faults == []

    # --- the public (no token) now sees the quick win, its decision and progress
    public = await c.query(None, PUBLIC, {"id": pid})
    assert public["proposal"]["title"] == SEEDED_TITLE
    assert public["proposal"]["state"] == "completed"
    assert public["proposal"]["availableTransitions"] == []
    assert public["proposal"]["ballot"] == {
        "result": "APPROVED",
        "tally": {"yes": 4, "no": 1, "abstain": 1},
        "myVote": None,
    }
    assert [p["percent"] for p in public["proposal"]["progress"]] == [40, 100]
    assert len(public["proposal"]["history"]) == len(history)
    assert public["proposals"]["totalCount"] == 1
    assert [e["node"]["id"] for e in public["proposals"]["edges"]] == [pid]


async def test_pillar_labels_follow_accept_language(gql):
    indonesian = data(await gql(PILLARS, headers={"Accept-Language": "id"}))["pillars"]
    assert {p["code"]: p["label"] for p in indonesian} == {
        "smart_governance": "Tata kelola pemerintahan yang pintar",
        "smart_people": "Penduduk yang pintar",
        "smart_economy": "Ekonomi yang pintar",
        "smart_environment": "Lingkungan yang pintar",
        "smart_living": "Kehidupan yang pintar",
        "smart_mobility": "Mobilitas yang pintar",
    }
    english = data(await gql(PILLARS))["pillars"]
    assert {p["code"]: p["label"] for p in english}["smart_governance"] == "Smart governance"
    preferred = data(await gql(PILLARS, headers={"Accept-Language": "en;q=0.4, id-ID;q=0.9"}))["pillars"]
    assert preferred == indonesian
