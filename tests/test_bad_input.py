"""Bad input over GraphQL: the right UserError code and field, and nothing changed.

"Nothing changed" is checked on the number of proposals, and on the target
proposal's version, history length, reviews and progress (``Paths.fingerprint``).
Also: budgets beyond 2^53 survive the round trip, what anonymous callers and
other OPD may read, and bad bearer tokens (RFC 6750 §3).
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from paths import OTHER_OPD_OFFICER, OWNER_ORG, Paths, representative

from council import clock
from council.auth.tokens import issue_access_token
from council.organizations.models import Member
from council.proposals.models import Proposal
from council.workflow.registry import get_registry

DEFINITION = get_registry().default()
TECH = representative("technical_team")
UNIVERSITY = representative("university_reviewer")
ERRORS = "errors { code field message }"

CREATE = f"""mutation($input: CreateProposalInput!) {{
  createProposal(input: $input) {{ proposal {{ id budget }} {ERRORS} }} }}"""
UPDATE = f"""mutation($input: UpdateProposalInput!) {{
  updateProposal(input: $input) {{ proposal {{ id version }} {ERRORS} }} }}"""
REVIEW = f"""mutation($input: SubmitReviewInput!) {{
  submitReview(input: $input) {{ review {{ id }} {ERRORS} }} }}"""
PROGRESS = f"""mutation($input: ReportProgressInput!) {{
  reportProgress(input: $input) {{ proposal {{ id }} {ERRORS} }} }}"""
_TRANSITION = f"""mutation($input: TransitionProposalInput!) {{
  transitionProposal(input: $input) {{ proposal {{ id }} {ERRORS} }} }}"""
VOTE = f"""mutation($input: CastVoteInput!) {{
  castVote(input: $input) {{ ballot {{ id }} {ERRORS} }} }}"""
SCORES = {"feasibility": 4, "impact": 4, "costEffectiveness": 4, "alignment": 4}


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


async def world(p: Paths, pid: str | None) -> tuple[Any, ...]:
    """The proposal count and the fingerprint of ``pid``."""
    return (await Proposal.all().count(), p.fingerprint(await p.snapshot(pid)) if pid else None)


async def expect_error(
    p: Paths,
    pid: str | None,
    query: str,
    name: str,
    input: dict[str, Any],
    as_: str | None,
    code: str,
    field: str | None,
) -> dict[str, Any]:
    """Run mutation ``name``; assert exactly one ``code`` error on ``field`` and nothing changed."""
    before = await world(p, pid)
    payload = await p.mutate(query, name, input, as_)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], payload["errors"]
    assert all(v is None for k, v in payload.items() if k != "errors"), payload
    assert payload["errors"][0]["message"]
    assert await world(p, pid) == before
    return payload["errors"][0]


def proposal_input(**changes: Any) -> dict[str, Any]:
    return {"title": "Usulan baru", "summary": "Ringkasan.", "pillar": "smart_living", "budget": "1000"} | changes


# --- transitionProposal ---------------------------------------------------------------------


async def test_unknown_trigger(p: Paths) -> None:
    pid = await p.at("technical_review")
    for trigger in ("launch", "", "SUBMIT", "submit "):
        error = await expect_error(
            p,
            pid,
            _TRANSITION,
            "transitionProposal",
            {"proposalId": pid, "trigger": trigger},
            p.officer,
            "INVALID_INPUT",
            "trigger",
        )
        assert "quick-win" in error["message"]


@pytest.mark.parametrize(
    "bad_id",
    [
        pytest.param("not-an-id!!", id="not-base64"),
        pytest.param("", id="empty"),
        pytest.param(base64.b64encode(b"Proposal:").decode(), id="no-pk"),
        pytest.param(base64.b64encode(b"Proposal:abc").decode(), id="pk-not-a-number"),
        pytest.param(base64.b64encode(b"Proposal:0").decode(), id="pk-zero"),
        pytest.param(base64.b64encode(b"Proposal:-1").decode(), id="pk-negative"),
        pytest.param(base64.b64encode(b"Proposal:01").decode(), id="pk-leading-zero"),
        pytest.param(base64.b64encode(b"\xff\xfe:1").decode(), id="not-utf8"),
    ],
)
async def test_malformed_global_id(p: Paths, bad_id: str) -> None:
    pid = await p.new_proposal()
    for query, name, extra in (
        (_TRANSITION, "transitionProposal", {"trigger": "recommend"}),
        (REVIEW, "submitReview", {"recommendation": "APPROVE", "scores": SCORES}),
    ):
        await expect_error(p, pid, query, name, {"proposalId": bad_id} | extra, TECH, "INVALID_INPUT", "proposalId")
    assert await p.call("query($id: ID!) { proposal(id: $id) { id } }", {"id": bad_id}, TECH) == {"proposal": None}


async def test_global_id_of_another_type(p: Paths) -> None:
    pid = await p.at("technical_review")
    viewer = await p.call("{ viewer { id organization { id } } }", {}, p.officer)
    for other in (viewer["viewer"]["id"], viewer["viewer"]["organization"]["id"], gid("Ballot", 1)):
        error = await expect_error(
            p,
            pid,
            _TRANSITION,
            "transitionProposal",
            {"proposalId": other, "trigger": "withdraw"},
            p.officer,
            "INVALID_INPUT",
            "proposalId",
        )
        assert "Proposal" in error["message"]
    assert (await p.snapshot(pid))["state"] == "technical_review"


async def test_a_proposal_that_does_not_exist(p: Paths) -> None:
    await expect_error(
        p,
        None,
        _TRANSITION,
        "transitionProposal",
        {"proposalId": gid("Proposal", 999_999), "trigger": "submit"},
        p.officer,
        "NOT_FOUND",
        "proposalId",
    )


@pytest.mark.parametrize(
    "spec",
    [t for t in DEFINITION.transitions if t.comment_required],
    ids=lambda t: t.trigger,
)
@pytest.mark.parametrize("comment", [None, "", "   \n\t "], ids=["null", "empty", "blank"])
async def test_comment_required(p: Paths, spec: Any, comment: str | None) -> None:
    pid = await p.at(spec.sources[0])
    await expect_error(
        p,
        pid,
        _TRANSITION,
        "transitionProposal",
        {"proposalId": pid, "trigger": spec.trigger, "comment": comment},
        TECH,
        "INVALID_INPUT",
        "comment",
    )
    payload = await p.transition(pid, spec.trigger, TECH, "Anggaran belum rinci.")
    assert payload["errors"] == [] and payload["proposal"]["state"] == spec.dest


# --- createProposal / updateProposal --------------------------------------------------------

BAD_PROPOSAL_FIELDS = [
    pytest.param({"title": "x" * 201}, "title", id="title-201-chars"),
    pytest.param({"title": ""}, "title", id="title-empty"),
    pytest.param({"title": "   \t "}, "title", id="title-blank"),
    pytest.param({"summary": "  "}, "summary", id="summary-blank"),
    pytest.param({"budget": "-1"}, "budget", id="budget-negative-string"),
    pytest.param({"budget": -5}, "budget", id="budget-negative-int"),
    pytest.param({"budget": "12abc"}, "budget", id="budget-not-a-number"),
    pytest.param({"budget": "1.5"}, "budget", id="budget-fraction-string"),
    pytest.param({"budget": 1.5}, "budget", id="budget-float"),
    pytest.param({"budget": ""}, "budget", id="budget-empty"),
    pytest.param({"budget": True}, "budget", id="budget-boolean"),
    pytest.param({"budget": str(2**63)}, "budget", id="budget-beyond-bigint"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_PROPOSAL_FIELDS)
async def test_create_and_update_proposal_reject(p: Paths, changes: dict[str, Any], field: str) -> None:
    await expect_error(p, None, CREATE, "createProposal", proposal_input(**changes), p.officer, "INVALID_INPUT", field)
    pid = await p.new_proposal()
    await expect_error(
        p, pid, UPDATE, "updateProposal", {"proposalId": pid} | changes, p.officer, "INVALID_INPUT", field
    )


async def test_title_of_200_chars_is_accepted(p: Paths) -> None:
    payload = await p.mutate(CREATE, "createProposal", proposal_input(title="y" * 200), p.officer)
    assert payload["errors"] == []


@pytest.mark.parametrize("as_json", ["string", "number"])
async def test_budget_round_trips_exactly(p: Paths, as_json: str) -> None:
    """Beyond 2^53 a JSON number loses digits in JavaScript: the API answers a string of digits."""
    for budget in ("42500000000", "9007199254740993", str(2**63 - 1), "0"):
        sent: str | int = budget if as_json == "string" else int(budget)
        response = await p.gql.client.post(
            "/graphql",
            json={"query": CREATE, "variables": {"input": proposal_input(title=f"Anggaran {budget}", budget=sent)}},
            headers={"Authorization": f"Bearer {await p.bearer(p.officer)}"},
        )
        assert f'"budget":"{budget}"' in response.text.replace(" ", ""), response.text  # a JSON string of digits
        payload = response.json()["data"]["createProposal"]
        assert payload["errors"] == []
        assert payload["proposal"]["budget"] == budget
        pid = payload["proposal"]["id"]
        read = await p.call("query($id: ID!) { proposal(id: $id) { budget } }", {"id": pid}, p.officer)
        assert read["proposal"]["budget"] == budget
        assert (await Proposal.get(id=int(base64.b64decode(pid).decode().split(":")[1]))).budget == int(budget)


async def test_seeded_budget_is_exact(p: Paths) -> None:
    data = await p.call(
        '{ proposals(first: 20, filter: {search: "Kartu pintar"}) { edges { node { budget } } } }', {}, "opd.kominfo"
    )
    assert [e["node"]["budget"] for e in data["proposals"]["edges"]] == ["42500000000"]


# --- submitReview / reportProgress ----------------------------------------------------------


@pytest.mark.parametrize("criterion", list(SCORES))
@pytest.mark.parametrize("score", [0, 6])
async def test_scores_out_of_range(p: Paths, criterion: str, score: int) -> None:
    pid = await p.at("technical_review")
    await expect_error(
        p,
        pid,
        REVIEW,
        "submitReview",
        {"proposalId": pid, "recommendation": "APPROVE", "scores": SCORES | {criterion: score}},
        UNIVERSITY,
        "INVALID_INPUT",
        f"scores.{criterion}",
    )


async def test_scores_1_and_5_are_accepted(p: Paths) -> None:
    pid = await p.at("technical_review")
    scores = {"feasibility": 1, "impact": 5, "costEffectiveness": 1, "alignment": 5}
    await p.review(pid, UNIVERSITY, scores=scores)
    assert len((await p.snapshot(pid))["reviews"]) == 1


async def test_percent_out_of_range(p: Paths) -> None:
    pid = await p.at("implementation")
    await p.report(pid, 40)
    for percent in (101, -1, 1000):
        await expect_error(
            p,
            pid,
            PROGRESS,
            "reportProgress",
            {"proposalId": pid, "percent": percent},
            p.officer,
            "INVALID_INPUT",
            "percent",
        )
    # going back is bad input too
    await expect_error(
        p, pid, PROGRESS, "reportProgress", {"proposalId": pid, "percent": 39}, p.officer, "INVALID_INPUT", "percent"
    )
    assert (await p.snapshot(pid))["progressPercent"] == 40


# --- messages name the field in the caller's language ---------------------------------------


async def _messages(p: Paths, query: str, name: str, input: dict[str, Any], as_: str) -> dict[str, tuple[str, str]]:
    """``{language: (field, message)}`` of the one error ``name`` answers, asked in Indonesian and English."""
    answers = {}
    for lang in ("id", "en"):
        payload = await p.mutate(query, name, input, as_, headers={"Accept-Language": lang})
        [error] = payload["errors"]
        answers[lang] = (error["field"], error["message"])
    return answers


async def test_messages_name_fields_with_their_labels(p: Paths) -> None:
    """The field stays the raw input path (clients map errors to inputs by it); the message uses the label."""
    pid = await p.new_proposal()
    assert await _messages(p, CREATE, "createProposal", proposal_input(title="  "), p.officer) == {
        "id": ("title", "Judul tidak boleh kosong"),
        "en": ("title", "Title must not be blank"),
    }
    assert await _messages(p, UPDATE, "updateProposal", {"proposalId": pid, "summary": ""}, p.officer) == {
        "id": ("summary", "Ringkasan tidak boleh kosong"),
        "en": ("summary", "Summary must not be blank"),
    }
    assert await _messages(p, UPDATE, "updateProposal", {"proposalId": pid, "title": "x" * 201}, p.officer) == {
        "id": ("title", "Judul lebih dari 200 karakter"),
        "en": ("title", "Title is longer than 200 characters"),
    }
    review = await p.at("technical_review")
    bad = {"proposalId": review, "recommendation": "APPROVE", "scores": SCORES | {"costEffectiveness": 6}}
    assert await _messages(p, REVIEW, "submitReview", bad, UNIVERSITY) == {
        "id": ("scores.costEffectiveness", "Nilai efektivitas biaya harus dari 1 sampai 5"),
        "en": ("scores.costEffectiveness", "The cost-effectiveness score must be from 1 to 5"),
    }
    long_comment = {"proposalId": review, "recommendation": "APPROVE", "scores": SCORES, "comment": "x" * 10_001}
    assert await _messages(p, REVIEW, "submitReview", long_comment, UNIVERSITY) == {
        "id": ("comment", "Komentar lebih dari 10.000 karakter"),
        "en": ("comment", "Comment is longer than 10,000 characters"),
    }
    running = await p.at("implementation")
    assert await _messages(p, PROGRESS, "reportProgress", {"proposalId": running, "percent": 101}, p.officer) == {
        "id": ("percent", "Kemajuan harus dari 0 sampai 100%"),
        "en": ("percent", "Progress must be from 0 to 100%"),
    }
    assert await _messages(
        p, _TRANSITION, "transitionProposal", {"proposalId": gid("Proposal", 999_999), "trigger": "submit"}, p.officer
    ) == {
        "id": ("proposalId", "Usulan tidak ditemukan"),
        "en": ("proposalId", "Proposal not found"),
    }


async def test_the_budget_limit_is_written_as_rupiah_with_grouping(p: Paths) -> None:
    assert await _messages(p, CREATE, "createProposal", proposal_input(budget=str(2**63)), p.officer) == {
        "id": ("budget", "Anggaran harus bilangan bulat rupiah dari Rp 0 sampai Rp 9.223.372.036.854.775.807"),
        "en": ("budget", "Budget must be a whole number of rupiah from Rp 0 to Rp 9,223,372,036,854,775,807"),
    }


# --- who may read what ----------------------------------------------------------------------

LIST = "{ proposals(first: 100) { totalCount edges { node { id state } } } }"
ONE = "query($id: ID!) { proposal(id: $id) { id state } node(id: $id) { id } }"


async def test_anonymous_reads_only_proposals_past_technical_review(p: Paths) -> None:
    states = ["draft", "technical_review", "quick_win_approval", "implementation", "completed", "rejected", "withdrawn"]
    pids = {state: await p.at(state) for state in states}
    pids["draft(revised)"] = await p.revised_draft()
    pids["rejected(by vote)"] = await p.at("rejected", via="close_vote")
    pids["withdrawn(from vote)"] = await p.new_proposal()
    await p.drive(pids["withdrawn(from vote)"], "quick_win_approval")
    await p.drive(pids["withdrawn(from vote)"], "withdrawn")
    visible = {"quick_win_approval", "implementation", "completed", "rejected(by vote)", "withdrawn(from vote)"}

    listed = (await p.call(LIST, {}, None))["proposals"]
    assert {e["node"]["id"] for e in listed["edges"]} == {pids[k] for k in visible}
    assert listed["totalCount"] == len(visible)
    for key, pid in pids.items():
        one = await p.call(ONE, {"id": pid}, None)
        if key in visible:
            assert one["proposal"]["id"] == pid and one["node"] == {"id": pid}, key
        else:
            assert one == {"proposal": None, "node": None}, key
    # the seeded proposals are all drafts
    assert (await Proposal.filter(state="draft").count()) == 8 + 2


async def test_another_opd_cannot_see_a_draft(p: Paths) -> None:
    draft = await p.new_proposal()
    in_review = await p.at("technical_review")
    for pid in (draft, in_review):
        assert await p.call(ONE, {"id": pid}, OTHER_OPD_OFFICER) == {"proposal": None, "node": None}
        assert (await p.call(ONE, {"id": pid}, p.officer))["proposal"]["id"] == pid
    own = (await p.call(LIST, {}, OTHER_OPD_OFFICER))["proposals"]
    assert {draft, in_review}.isdisjoint(e["node"]["id"] for e in own["edges"])
    assert own["totalCount"] == await Proposal.filter(organization__code="diskominfotik").count() == 3
    # nor act on it: not revealed
    await expect_error(
        p,
        draft,
        UPDATE,
        "updateProposal",
        {"proposalId": draft, "title": "Diambil alih"},
        OTHER_OPD_OFFICER,
        "NOT_FOUND",
        "proposalId",
    )
    await expect_error(
        p,
        draft,
        _TRANSITION,
        "transitionProposal",
        {"proposalId": draft, "trigger": "withdraw"},
        OTHER_OPD_OFFICER,
        "NOT_FOUND",
        "proposalId",
    )
    # staff do not see a draft that was never submitted, and do see one in review
    assert (await p.call(ONE, {"id": draft}, TECH))["proposal"] is None
    assert (await p.call(ONE, {"id": in_review}, TECH))["proposal"]["id"] == in_review
    assert OWNER_ORG != "diskominfotik"


# --- bearer tokens (RFC 6750 §3) ------------------------------------------------------------


async def _post_with(p: Paths, authorization: str, query: str = LIST, variables: dict[str, Any] | None = None) -> Any:
    return await p.gql.client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers={"Authorization": authorization}
    )


async def expired_token(username: str) -> str:
    member = await Member.get(username=username)
    with mock.patch.object(clock, "now", return_value=clock.now() - timedelta(seconds=7200)):  # issued 2 h ago
        return issue_access_token(
            member_id=member.id, username=username, scopes=["proposals:read", "proposals:write"], ttl=60
        )


@pytest.mark.parametrize("kind", ["garbage", "tampered", "expired", "other-signature-alg"])
async def test_bad_bearer_token_is_401_invalid_token(p: Paths, kind: str) -> None:
    good = await p.bearer(p.officer)
    head, body, sig = good.split(".")
    token = {
        "garbage": "not.a.jwt",
        "tampered": f"{head}.{body}.{sig[:-4]}AAAA",
        "expired": await expired_token(p.officer),
        "other-signature-alg": base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt"}').decode().rstrip("=")
        + f".{body}.",
    }[kind]
    count = await Proposal.all().count()

    for query, variables in ((LIST, None), (CREATE, {"input": proposal_input(title="Lewat token rusak")})):
        response = await _post_with(p, f"Bearer {token}", query, variables)
        assert response.status_code == 401, response.text
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith('Bearer error="invalid_token"'), challenge
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "data" not in response.json()
    assert await Proposal.all().count() == count
    # the good token still works
    assert (await _post_with(p, f"Bearer {good}")).status_code == 200


@pytest.mark.parametrize("header", ["Basic b2ZmaWNlcjpzZWNyZXQ=", "Bearer", "Bearer a b", "Bearer ***"])
async def test_malformed_authorization_header_is_400_invalid_request(p: Paths, header: str) -> None:
    response = await _post_with(p, header)
    assert response.status_code == 400, response.text
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_request"')
