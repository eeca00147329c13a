"""The read path batches: SQL statements per request do not grow with the page size.

110 proposals are written straight through the ORM (faster than the API, and
the read path is what is measured), spread over the workflow's states so
that every page holds proposals with reviews, open and closed ballots, votes
(one of them the viewer's), progress reports and audit chains.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from council.audit.chains import PROPOSAL, proposal_chain
from council.audit.models import AuditEvent
from council.audit.service import event_hash
from council.enums import BallotResult, Recommendation, VoteChoice
from council.implementation.models import ProgressReport
from council.organizations.models import Member
from council.programmes.models import Pillar, Programme
from council.proposals.models import Proposal
from council.reviews.models import Review
from council.voting.models import Ballot, Vote

VIEWER = "walikota"
"""The council chair: sees every submitted proposal, has votes, may close ballots."""
MAX_STATEMENTS = 17
"""Upper bound for one request of the query below, whatever the page size (15 are run: availableActions
and voteDenial add one, the viewer's declared conflicts, to the 13 before them; the milestones, which
progressPercent and the guards' progress roll-up read (issue 13), one more; the review assignments, which
availableActions and the guards read under quick-win version 2's assigned-only review (issue 15), one more)."""
COUNT = 110
KINDS = ("technical_review", "quick_win_approval", "implementation", "completed", "rejected")
OWNERS = ("opd.pupr", "opd.dlhk", "opd.dishub", "opd.diskes", "opd.diskopukm", "opd.kominfo")
VOTERS = (
    (VIEWER, VoteChoice.YES),
    ("sekda", VoteChoice.YES),
    ("rektor.unri", VoteChoice.NO),
    ("kepala.bappeda", VoteChoice.ABSTAIN),
)

PROPOSAL_FIELDS = """
  id title state budget pillar { code label } version publishedAt
  organization { id code name kind }
  author { id username displayName roles organization { code } }
  reviews { id recommendation comment round scores { feasibility impact costEffectiveness alignment }
            reviewer { username organization { code kind } } }
  ballot { id eligibleCount quorum closed result tally { yes no abstain } myVote }
  history { seq action trigger fromState toState actor hash prevHash }
  progress { percent note author { username } }
  progressPercent
  availableTransitions
  transitionOptions { trigger label commentRequired }
  blockedTransitions { trigger label reasons }
  availableActions
  voteDenial { code message }
"""

LIST = (
    """
query($n: Int) {
  proposals(first: $n) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { %s } }
  }
}
"""
    % PROPOSAL_FIELDS
)

ONE = "query($id: ID!) { proposal(id: $id) { %s } }" % PROPOSAL_FIELDS


async def _make_proposals() -> None:
    members = {m.username: m for m in await Member.all()}
    t0 = datetime(2018, 10, 26, 2, 0, tzinfo=UTC)
    programme = await Programme.get(code="gm100sc-2018")
    pillars = await Pillar.filter(programme=programme).order_by("position").values_list("code", flat=True)
    await Proposal.bulk_create(
        [
            Proposal(
                title=f"Usulan uji {i:03d}",
                summary=f"Ringkasan usulan uji nomor {i}.",
                pillar=pillars[i % len(pillars)],
                programme_id=programme.id,
                budget=1_000_000 * (i + 1),
                organization_id=members[OWNERS[i % len(OWNERS)]].organization_id,
                author_id=members[OWNERS[i % len(OWNERS)]].id,
                state=KINDS[i % len(KINDS)],
                workflow_name="quick-win",
                workflow_version=1,
                version=3,
                review_round=1,
                published_at=t0
                if KINDS[i % len(KINDS)] in {"quick_win_approval", "implementation", "completed"}
                else None,
            )
            for i in range(COUNT)
        ]
    )
    proposals = await Proposal.filter(title__startswith="Usulan uji ").order_by("id").values("id", "state", "author_id")
    assert len(proposals) == COUNT

    reviews, ballots, progress, events = [], [], [], []
    for p in proposals:
        pid, state = p["id"], p["state"]
        rec = Recommendation.REJECT if state == "rejected" else Recommendation.APPROVE
        for username in ("tim.teknis1", "reviewer.unri"):
            m = members[username]
            org_id = m.organization_id
            reviews.append(
                Review(
                    proposal_id=pid,
                    reviewer_id=m.id,
                    organization_id=org_id,
                    round=1,
                    recommendation=rec,
                    feasibility=4,
                    impact=4,
                    cost_effectiveness=3,
                    alignment=5,
                    comment=f"tinjauan {username}",
                )
            )
        if state in {"quick_win_approval", "implementation", "completed"}:
            closed = state != "quick_win_approval"
            ballots.append(
                Ballot(
                    proposal_id=pid,
                    round=1,
                    opens_at=t0,
                    eligible_count=6,
                    quorum_required=4,
                    threshold=0.5,
                    closed_at=t0 + timedelta(days=7) if closed else None,
                    closed_by_id=members[VIEWER].id if closed else None,
                    result=BallotResult.APPROVED if closed else None,
                    yes_count=2 if closed else 0,
                    no_count=1 if closed else 0,
                    abstain_count=1 if closed else 0,
                )
            )
        for percent in {"implementation": (40, 70), "completed": (40, 100)}.get(state, ()):
            progress.append(
                ProgressReport(proposal_id=pid, author_id=p["author_id"], percent=percent, note=f"{percent}%")
            )
        prev = ""
        steps = [("created", None, None, "draft"), ("transition", "submit", "draft", "technical_review")]
        for seq, (action, trigger, source, dest) in enumerate(steps, start=1):
            at = t0 + timedelta(minutes=seq)
            digest = event_hash(
                chain=proposal_chain(pid),
                seq=seq,
                at=at,
                actor_name="system",
                action=action,
                trigger=trigger,
                from_state=source,
                to_state=dest,
                comment="",
                data={},
                prev_hash=prev,
            )
            events.append(
                AuditEvent(
                    chain_kind=PROPOSAL,
                    chain_id=pid,
                    seq=seq,
                    at=at,
                    actor_name="system",
                    action=action,
                    trigger=trigger,
                    from_state=source,
                    to_state=dest,
                    comment="",
                    data={},
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
    await Review.bulk_create(reviews)
    await Ballot.bulk_create(ballots)
    await ProgressReport.bulk_create(progress)
    await AuditEvent.bulk_create(events)
    open_ballots = await Ballot.filter(closed_at__isnull=True).values_list("id", flat=True)
    await Vote.bulk_create(
        [
            Vote(ballot_id=b, member_id=members[u].id, choice=c, cast_at=t0, changed_at=t0)
            for b in open_ballots
            for u, c in VOTERS
        ]
    )


def _check_node(node: dict[str, Any]) -> None:
    """The batched data is the right data, not just few statements."""
    state = node["state"]
    assert [r["reviewer"]["username"] for r in node["reviews"]] == ["tim.teknis1", "reviewer.unri"]
    assert node["reviews"][1]["reviewer"]["organization"]["kind"] == "UNIVERSITY"
    assert [e["seq"] for e in node["history"]] == [1, 2]
    assert node["history"][1]["prevHash"] == node["history"][0]["hash"]
    assert node["author"]["organization"]["code"] == node["organization"]["code"]
    if state == "quick_win_approval":
        assert node["ballot"]["tally"] == {"yes": 2, "no": 1, "abstain": 1}
        assert node["ballot"]["myVote"] == "YES" and node["ballot"]["closed"] is False
        assert node["availableTransitions"] == ["close_vote"]
        assert node["transitionOptions"] == [
            {"trigger": "close_vote", "label": "Close the vote", "commentRequired": False}
        ]
        assert node["availableActions"] == ["castVote", "declareConflict"] and node["voteDenial"] is None
    elif state in {"implementation", "completed"}:
        assert node["ballot"]["result"] == "APPROVED" and node["ballot"]["myVote"] is None
        assert node["progressPercent"] == {"implementation": 70, "completed": 100}[state]
        assert [r["author"]["username"] for r in node["progress"]] == [node["author"]["username"]] * 2
    else:
        assert node["ballot"] is None and node["progress"] == []
    if state != "quick_win_approval":
        assert node["availableTransitions"] == [] and node["transitionOptions"] == []
        assert node["voteDenial"]["code"] == "VOTING_CLOSED"
        assert node["availableActions"] == (["declareConflict"] if state == "technical_review" else []), (
            "a conflict only while a vote lies ahead"
        )
    assert node["blockedTransitions"] == [], "the chair fires only close_vote, available with the quorum"


def _show(statements: list[str]) -> str:
    return f"{len(statements)} statements:\n" + "\n".join(statements)


async def test_proposal_list_statements_do_not_grow_with_page_size(gql, token, count_statements):
    await _make_proposals()
    t = await token(VIEWER)
    measured = {}
    pages = {}
    for n in (10, 100):
        count_statements.statements.clear()
        body = await gql(LIST, {"n": n}, token=t)
        measured[n] = list(count_statements.statements)
        assert "errors" not in body, body["errors"]
        pages[n] = body["data"]["proposals"]
    print(f"SQL statements: N=10 -> {len(measured[10])}, N=100 -> {len(measured[100])}")

    assert pages[10]["totalCount"] == pages[100]["totalCount"] == COUNT
    assert len(pages[10]["edges"]) == 10 and len(pages[100]["edges"]) == 100
    assert pages[100]["pageInfo"]["hasNextPage"] is True
    assert pages[100]["edges"][:10] == pages[10]["edges"]
    nodes = [e["node"] for e in pages[100]["edges"]]
    assert {n["state"] for n in nodes[:10]} == set(KINDS)
    for node in nodes:
        _check_node(node)

    assert len(measured[10]) == len(measured[100]), _show(measured[10]) + "\n---\n" + _show(measured[100])
    assert len(measured[100]) <= MAX_STATEMENTS, _show(measured[100])


async def test_one_proposal_is_bounded(gql, token, count_statements):
    await _make_proposals()
    t = await token(VIEWER)
    first = (await gql(LIST, {"n": 5}, token=t))["data"]["proposals"]["edges"]
    by_state = {e["node"]["state"]: e["node"]["id"] for e in first}
    for state, pid in sorted(by_state.items()):
        count_statements.statements.clear()
        body = await gql(ONE, {"id": pid}, token=t)
        statements = list(count_statements.statements)
        assert "errors" not in body, body["errors"]
        assert body["data"]["proposal"]["state"] == state
        _check_node(body["data"]["proposal"])
        assert len(statements) <= MAX_STATEMENTS - 1, _show(statements)
