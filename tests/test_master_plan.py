"""The master plan (issue 12): versions, comments, finalisation by the chair, proposals linked to its programmes.

Everything over GraphQL on HTTP with tokens of the Pekanbaru 2018 seed (conftest),
whose programme has a master plan with one version (a section per pillar, by
tim.teknis1) and four acceleration programmes (pg-01, pp-01, pe-01, pl-01),
not finalised. A second programme with a plan of its own is loaded from a
file written here, for the refusals across programmes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from paths import data

from council.audit.models import AuditEvent
from council.audit.service import verify_chains
from council.seeds.loader import SeedError, load_seed
from council.workflow.guards import ProposalFacts, check_params, evaluate

PLAN_FIELDS = """
  id title finalizedAt finalizedBy { username }
  currentVersion { id number text textHash author { username } comments { text author { username } } }
  versions { number }
  programmes { id code title pillar { code label } }
"""
PLAN = "query { masterPlan { %s } }" % PLAN_FIELDS
PROGRAMME_PLAN = "query { programme { code masterPlan { id } } }"
ADD = """
mutation($input: AddMasterPlanVersionInput!) {
  addMasterPlanVersion(input: $input) {
    masterPlan { versions { number } } version { number text author { username } } errors { code field message }
  }
}
"""
COMMENT = """
mutation($input: CommentOnMasterPlanInput!) {
  commentOnMasterPlan(input: $input) { comment { text author { username } } errors { code field message } }
}
"""
FINALIZE = """
mutation($input: FinalizeMasterPlanInput!) {
  finalizeMasterPlan(input: $input) { masterPlan { finalizedAt finalizedBy { username } } errors { code message } }
}
"""
CREATE = """
mutation($input: CreateProposalInput!) {
  createProposal(input: $input) { proposal { id planProgramme { code pillar { code } } } errors { code field message } }
}
"""
UPDATE = """
mutation($input: UpdateProposalInput!) {
  updateProposal(input: $input) { proposal { pillar { code } planProgramme { code } } errors { code field message } }
}
"""
SECOND = {
    "city": {"name": "Kota Pekanbaru", "timezone": "Asia/Jakarta", "locale": "id-ID"},
    "programmes": [
        {
            "code": "gm100sc-2020",
            "name": "Gerakan Menuju 100 Smart City 2020",
            "year": 2020,
            "pillars": [
                {"code": "smart_governance", "label": {"id": "Tata kelola", "en": "Governance"}},
                {"code": "smart_branding", "label": {"id": "Pencitraan", "en": "Branding"}},
            ],
            "master_plan": {
                "versions": [{"text": "## Tata kelola\n\nRencana 2020.", "author": "tim.teknis2"}],
                "programmes": [{"code": "g-2020", "title": "Tata kelola 2020", "pillar": "smart_governance"}],
            },
        }
    ],
}


async def plan(gql: Any, token: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = data(await gql(PLAN, token=token))["masterPlan"]
    return result


def codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e.get("field")) for e in payload["errors"]]


async def test_anyone_reads_the_seeded_plan_its_versions_and_programmes(gql, token) -> None:
    anonymous = await plan(gql)
    assert anonymous["title"] == "Masterplan Pekanbaru Smart City Madani 2018-2023"
    assert anonymous["finalizedAt"] is None and anonymous["finalizedBy"] is None
    assert anonymous["versions"] == [{"number": 1}]
    version = anonymous["currentVersion"]
    assert version["author"] == {"username": "tim.teknis1"}
    assert version["text"].startswith("## Tata kelola pemerintahan yang pintar\n\nLayanan publik daring")
    assert version["text"].count("## ") == 6  # a section per pillar
    assert version["textHash"] == hashlib.sha256(version["text"].encode()).hexdigest()
    assert [(p["code"], p["pillar"]["code"]) for p in anonymous["programmes"]] == [
        ("pg-01", "smart_governance"),
        ("pp-01", "smart_people"),
        ("pe-01", "smart_economy"),
        ("pl-01", "smart_environment"),
    ]
    assert anonymous["programmes"][0]["pillar"]["label"] == "Smart governance"
    programme = data(await gql(PROGRAMME_PLAN))["programme"]
    assert programme["masterPlan"] == {"id": anonymous["id"]}
    by_id = data(await gql("query($id: ID) { masterPlan(id: $id) { title } }", {"id": anonymous["id"]}))
    assert by_id["masterPlan"]["title"] == anonymous["title"]
    assert data(await gql('query { masterPlan(id: "bm9wZQ==") { id } }'))["masterPlan"] is None

    # A seeded proposal linked to a plan programme (drafts are read by their own OPD).
    officer = await token("opd.kominfo")
    linked = data(
        await gql(
            '{ proposals(first: 20, filter: {search: "layanan publik"}) { edges { node { planProgramme { code } } } } }',
            token=officer,
        )
    )
    assert linked["proposals"]["edges"][0]["node"]["planProgramme"] == {"code": "pg-01"}


async def test_the_technical_team_adds_versions_others_are_refused(gql, token) -> None:
    plan_id = (await plan(gql))["id"]
    text = "## Tata kelola\n\nVersi kedua."
    made = data(await gql(ADD, {"input": {"masterPlanId": plan_id, "text": text}}, token=await token("tim.teknis1")))
    payload = made["addMasterPlanVersion"]
    assert payload["errors"] == []
    assert payload["version"] == {"number": 2, "text": text, "author": {"username": "tim.teknis1"}}
    assert payload["masterPlan"]["versions"] == [{"number": 1}, {"number": 2}]
    admin = data(await gql(ADD, {"input": {"masterPlanId": plan_id, "text": "v3"}}, token=await token("admin")))
    assert admin["addMasterPlanVersion"]["version"]["number"] == 3
    assert (await plan(gql))["currentVersion"]["number"] == 3

    for username, expected in (("opd.kominfo", "FORBIDDEN"), ("walikota", "FORBIDDEN"), ("reviewer.unri", "FORBIDDEN")):
        refused = data(await gql(ADD, {"input": {"masterPlanId": plan_id, "text": "x"}}, token=await token(username)))
        assert codes(refused["addMasterPlanVersion"]) == [(expected, None)], username
    anonymous = data(await gql(ADD, {"input": {"masterPlanId": plan_id, "text": "x"}}))["addMasterPlanVersion"]
    assert codes(anonymous) == [("UNAUTHENTICATED", None)]
    blank = data(await gql(ADD, {"input": {"masterPlanId": plan_id, "text": "  "}}, token=await token("tim.teknis1")))
    assert codes(blank["addMasterPlanVersion"]) == [("INVALID_INPUT", "text")]
    assert (await plan(gql))["versions"] == [{"number": 1}, {"number": 2}, {"number": 3}]


async def test_council_technical_team_and_university_comment_signed_in_members_read(gql, token) -> None:
    version_id = (await plan(gql))["currentVersion"]["id"]
    allowed = ["walikota", "rektor.unri", "tim.teknis2", "reviewer.unri"]
    for username in allowed:
        said = data(
            await gql(
                COMMENT,
                {"input": {"versionId": version_id, "text": f"Catatan {username}"}},
                token=await token(username),
            )
        )["commentOnMasterPlan"]
        assert said["errors"] == [], username
        assert said["comment"] == {"text": f"Catatan {username}", "author": {"username": username}}
    for username in ("opd.kominfo", "kepala.dishub", "admin"):
        refused = data(
            await gql(COMMENT, {"input": {"versionId": version_id, "text": "x"}}, token=await token(username))
        )["commentOnMasterPlan"]
        assert codes(refused) == [("FORBIDDEN", None)], username
    anonymous = data(await gql(COMMENT, {"input": {"versionId": version_id, "text": "x"}}))["commentOnMasterPlan"]
    assert codes(anonymous) == [("UNAUTHENTICATED", None)]
    empty = data(await gql(COMMENT, {"input": {"versionId": version_id, "text": ""}}, token=await token("walikota")))
    assert codes(empty["commentOnMasterPlan"]) == [("INVALID_INPUT", "text")]

    assert (await plan(gql))["currentVersion"]["comments"] == []  # anonymous callers do not read comments
    read = (await plan(gql, await token("opd.kominfo")))["currentVersion"]["comments"]
    assert [c["author"]["username"] for c in read] == allowed


async def test_only_the_chair_finalises_then_the_plan_is_read_only_and_its_chain_verifies(gql, token) -> None:
    current = await plan(gql)
    plan_id, version_id = current["id"], current["currentVersion"]["id"]
    for username in ("tim.teknis1", "sekda", "admin", "opd.kominfo"):
        refused = data(await gql(FINALIZE, {"input": {"masterPlanId": plan_id}}, token=await token(username)))
        assert codes(refused["finalizeMasterPlan"]) == [("FORBIDDEN", None)], username
    assert (await plan(gql))["finalizedAt"] is None

    chair = await token("walikota")
    done = data(await gql(FINALIZE, {"input": {"masterPlanId": plan_id}}, token=chair))["finalizeMasterPlan"]
    assert done["errors"] == []
    assert done["masterPlan"]["finalizedAt"] is not None
    assert done["masterPlan"]["finalizedBy"] == {"username": "walikota"}
    assert (await plan(gql))["finalizedAt"] == done["masterPlan"]["finalizedAt"]  # public

    again = data(await gql(FINALIZE, {"input": {"masterPlanId": plan_id}}, token=chair))["finalizeMasterPlan"]
    assert codes(again) == [("INVALID_TRANSITION", None)]
    added = data(await gql(ADD, {"input": {"masterPlanId": plan_id, "text": "x"}}, token=await token("tim.teknis1")))
    assert codes(added["addMasterPlanVersion"]) == [("INVALID_TRANSITION", None)]
    assert added["addMasterPlanVersion"]["errors"][0]["message"] == "The master plan is finalised and read-only"
    said = data(await gql(COMMENT, {"input": {"versionId": version_id, "text": "x"}}, token=chair))
    assert codes(said["commentOnMasterPlan"]) == [("INVALID_TRANSITION", None)]
    assert (await plan(gql))["versions"] == [{"number": 1}]

    events = await AuditEvent.filter(chain_kind="master_plan").order_by("seq").values("action", "data", "actor_name")
    text_hash = current["currentVersion"]["textHash"]
    assert [(e["action"], e["actor_name"]) for e in events] == [("version_added", "system"), ("finalized", "walikota")]
    assert events[1]["data"] == {"number": 1, "text_sha256": text_hash}
    chains, _, faults = await verify_chains()
    assert faults == [] and chains == 10  # eight proposals, the plan and the commitment


async def test_a_proposal_links_to_a_plan_programme_of_its_programme_and_pillar(gql, token, tmp_path: Path) -> None:
    path = tmp_path / "second.yaml"
    path.write_text(yaml.safe_dump(SECOND, sort_keys=False))
    await load_seed(path)
    programmes = {
        p["code"]: p
        for p in data(await gql("{ programmes { id code masterPlan { programmes { id code } } } }"))["programmes"]
    }
    ids = {pp["code"]: pp["id"] for p in programmes.values() for pp in p["masterPlan"]["programmes"]}
    old = programmes["gm100sc-2018"]["id"]
    officer = await token("opd.kominfo")

    def draft(title: str, pillar: str, link: str | None) -> dict[str, Any]:
        return {
            "input": {"title": title, "summary": "Ringkasan.", "pillar": pillar, "budget": "1", "programmeId": old}
            | ({"planProgrammeId": ids[link]} if link else {})
        }

    made = data(await gql(CREATE, draft("Portal data", "smart_governance", "pg-01"), token=officer))["createProposal"]
    assert made["errors"] == []
    assert made["proposal"]["planProgramme"] == {"code": "pg-01", "pillar": {"code": "smart_governance"}}
    other_pillar = data(await gql(CREATE, draft("Portal dua", "smart_people", "pg-01"), token=officer))[
        "createProposal"
    ]
    assert codes(other_pillar) == [("INVALID_INPUT", "planProgrammeId")]
    other_plan = data(await gql(CREATE, draft("Portal tiga", "smart_governance", "g-2020"), token=officer))
    assert codes(other_plan["createProposal"]) == [("INVALID_INPUT", "planProgrammeId")]
    wrong_type = draft("Portal empat", "smart_governance", None)
    wrong_type["input"]["planProgrammeId"] = old  # a Programme id, not a PlanProgramme id
    assert codes(data(await gql(CREATE, wrong_type, token=officer))["createProposal"]) == [
        ("INVALID_INPUT", "planProgrammeId")
    ]
    unlinked = data(await gql(CREATE, draft("Portal lima", "smart_people", None), token=officer))["createProposal"]
    assert unlinked["errors"] == [] and unlinked["proposal"]["planProgramme"] is None

    pid = made["proposal"]["id"]
    away = data(await gql(UPDATE, {"input": {"proposalId": pid, "pillar": "smart_people"}}, token=officer))
    assert codes(away["updateProposal"]) == [("INVALID_INPUT", "planProgrammeId")]  # its link is for governance
    moved = data(
        await gql(
            UPDATE,
            {"input": {"proposalId": pid, "pillar": "smart_people", "planProgrammeId": ids["pp-01"]}},
            token=officer,
        )
    )["updateProposal"]
    assert moved["errors"] == []
    assert moved["proposal"] == {"pillar": {"code": "smart_people"}, "planProgramme": {"code": "pp-01"}}
    across = data(await gql(UPDATE, {"input": {"proposalId": pid, "planProgrammeId": ids["g-2020"]}}, token=officer))
    assert codes(across["updateProposal"]) == [("INVALID_INPUT", "planProgrammeId")]
    assert (await verify_chains())[2] == []


def test_the_has_plan_programme_guard_wants_a_link() -> None:
    assert check_params("has_plan_programme", {}) == {}
    facts = ProposalFacts(proposal_id=1, state="draft", organization_id=1)
    failure = evaluate("has_plan_programme", {}, facts)
    assert failure is not None and failure.key == "guard.has_plan_programme"
    linked = ProposalFacts(proposal_id=1, state="draft", organization_id=1, plan_programme_id=4)
    assert evaluate("has_plan_programme", {}, linked) is None


async def test_a_seed_proposal_naming_an_unknown_plan_programme_is_refused(tmp_path: Path) -> None:
    seed = yaml.safe_load(yaml.safe_dump(SECOND))
    seed["proposals"] = [
        {
            "title": "Usulan",
            "summary": "Ringkasan.",
            "pillar": "smart_branding",
            "organization": "diskominfotik",
            "author": "opd.kominfo",
            "budget": 1,
            "plan_programme": "g-2020",
        },
        {
            "title": "Usulan dua",
            "summary": "Ringkasan.",
            "pillar": "smart_branding",
            "organization": "diskominfotik",
            "author": "opd.kominfo",
            "budget": 1,
            "plan_programme": "nope",
        },
    ]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False))
    with pytest.raises(SeedError) as refused:
        await load_seed(path)
    assert [(entry.split(",")[0], reason) for entry, reason in refused.value.problems] == [
        ("proposals[0] (title 'Usulan'", "plan_programme 'g-2020' is for pillar smart_governance, not smart_branding"),
        ("proposals[1] (title 'Usulan dua'", "unknown plan_programme 'nope' (in its programme's master_plan: g-2020)"),
    ]


async def test_each_write_needs_its_rule_scope(gql, token) -> None:
    current = await plan(gql)
    plan_id, version_id = current["id"], current["currentVersion"]["id"]
    add = {"input": {"masterPlanId": plan_id, "text": "x"}}
    without_reviews = await token("tim.teknis1", scopes=["proposals:read"])
    assert codes(data(await gql(ADD, add, token=without_reviews))["addMasterPlanVersion"]) == [("FORBIDDEN", None)]
    without_read = await token("rektor.unri", scopes=["votes:write"])
    said = data(await gql(COMMENT, {"input": {"versionId": version_id, "text": "x"}}, token=without_read))
    assert codes(said["commentOnMasterPlan"]) == [("FORBIDDEN", None)]
    without_votes = await token("walikota", scopes=["proposals:read"])
    done = data(await gql(FINALIZE, {"input": {"masterPlanId": plan_id}}, token=without_votes))["finalizeMasterPlan"]
    assert codes(done) == [("FORBIDDEN", None)]
    assert (await plan(gql))["finalizedAt"] is None


async def test_a_seed_may_load_a_plan_finalised_as_it_happened(gql, tmp_path: Path) -> None:
    seed = yaml.safe_load(yaml.safe_dump(SECOND))
    seed["programmes"][0]["master_plan"] |= {"finalized": "2020-10-22", "finalized_by": "walikota"}
    path = tmp_path / "final.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False))
    await load_seed(path)
    query = "{ programmes { code masterPlan { finalizedAt finalizedBy { username } currentVersion { createdAt } } } }"
    plans = {p["code"]: p["masterPlan"] for p in data(await gql(query))["programmes"]}
    final = plans["gm100sc-2020"]
    assert final["finalizedAt"].startswith("2020-10-22T05:00:00")  # noon in Pekanbaru (UTC+7)
    assert final["finalizedBy"] == {"username": "walikota"}
    assert final["currentVersion"]["createdAt"] == final["finalizedAt"]
    assert plans["gm100sc-2018"]["finalizedAt"] is None
    assert (await verify_chains())[2] == []
