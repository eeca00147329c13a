"""The resources of the data package, one :class:`~council.opendata.schema.Table` each (:data:`TABLES`).

What is public (issue 14), and where each rule comes from:

- proposals: those an anonymous caller may read (:func:`council.auth.policy.public_proposals`,
  ``published_at`` set); never a draft or a proposal still in technical review;
- their reviews, ballots, progress reports, milestones, KPIs, measurements and spending: only of those
  proposals (the API shows them with the proposal);
- a ballot's counts only when its tally is visible (:func:`council.voting.queries.tally_visible`: it does
  not hide its tally, or it is closed), as the API's ``Ballot.tally``;
- who voted what only for such ballots that publish their votes: ``votes_public: true`` in the vote of the
  workflow state that opened them (default false), copied into the ballot when it opened, which also decides
  whether the audit chain's vote events carry the choice;
- the programme (phases, pillars), the organisations, the master plan (its versions, its acceleration
  programmes; not its comments, which only members read) and the commitment with its signatories: public acts,
  read by anyone through the API.

Members appear by username and display name only where the API shows them to anyone (voters of public
votes, signatories); there is no member table.
"""

from __future__ import annotations

from tortoise.expressions import Q

from council.commitments.models import Commitment, CommitmentSignatory
from council.implementation.models import Kpi, KpiMeasurement, Milestone, ProgressReport, SpendingReport
from council.masterplans.models import MasterPlan, MasterPlanVersion, PlanProgramme
from council.opendata.schema import OF_PUBLIC_PROPOSALS, Column, ForeignKey, Row, Scope, Table
from council.organizations.models import Organization
from council.programmes.models import Pillar, Programme, ProgrammePhase
from council.proposals.models import Proposal
from council.reviews.models import Review
from council.voting.models import Ballot, Vote
from council.voting.queries import live_tallies, tally_visible


def _id(what: str) -> Column:
    return Column("id", "integer", f"The {what}'s id (stable; the API's global id encodes it).", required=True)


def _ref(name: str, what: str, required: bool = True, source: str = "") -> Column:
    return Column(name, "integer", f"The {what} (its id).", source=source, required=required)


def _fk(column: str, resource: str) -> ForeignKey:
    return ForeignKey((column,), resource)


def _when(name: str, what: str, required: bool = True) -> Column:
    return Column(name, "datetime", f"{what} (UTC, ISO 8601).", required=required)


def _text(name: str, what: str, required: bool = True, source: str = "") -> Column:
    return Column(name, "string", what, source=source, required=required)


def _int(name: str, what: str, required: bool = True) -> Column:
    return Column(name, "integer", what, required=required)


COUNTS = ("yes_count", "no_count", "abstain_count")


async def _ballot_counts(rows: list[Row]) -> list[Row]:
    """Counts of an open ballot come from its votes; a hidden tally of an open ballot is blanked (never read)."""
    live = await live_tallies(r["id"] for r in rows if r["closed_at"] is None and tally_visible(r))
    for row in rows:
        if not tally_visible(row):
            row.update(dict.fromkeys(COUNTS))
        elif row["id"] in live:
            row.update(zip(COUNTS, live[row["id"]], strict=True))
    return rows


def _public_votes() -> Q:
    """Votes that are public: of a ballot that publishes its votes (``votes_public``, copied from the workflow
    file when it opened) and whose tally is visible (:func:`council.voting.queries.tally_visible`)."""
    return Q(ballot__votes_public=True) & (Q(ballot__hide_tally=False) | Q(ballot__closed_at__isnull=False))


TABLES: tuple[Table, ...] = (
    Table(
        "organizations",
        "Organisations",
        "The OPDs, universities, council, technical team and ministry taking part.",
        Organization,
        (
            _id("organisation"),
            _text("code", "Short code."),
            _text("name", "Name."),
            _text("kind", "opd, university, council, technical_team or ministry."),
        ),
    ),
    Table(
        "programmes",
        "Programmes",
        "The city's programmes (a national programme's year and stage).",
        Programme,
        (
            _id("programme"),
            _text("code", "The seed file's key."),
            _text("name", "Name."),
            _int("year", "Year."),
            _text("stage", "Stage of the national programme (II), or empty.", required=False),
        ),
    ),
    Table(
        "programme_phases",
        "Programme phases",
        "Dated phases of each programme, both ends inclusive (city dates).",
        ProgrammePhase,
        (
            _id("phase"),
            _ref("programme_id", "programme"),
            _text("code", "Code (mou, bimtek, quick_wins)."),
            _text("name", "Name."),
            Column("starts_on", "date", "First day.", required=True),
            Column("ends_on", "date", "Last day.", required=True),
        ),
        foreign_keys=(_fk("programme_id", "programmes"),),
    ),
    Table(
        "pillars",
        "Pillars",
        "The pillars of each programme; proposals name one by code.",
        Pillar,
        (
            _id("pillar"),
            _ref("programme_id", "programme"),
            _text("code", "Code (smart_governance)."),
            Column("labels", "object", "Label per language ({en, id}).", required=True),
            _int("position", "Place in lists."),
        ),
        foreign_keys=(_fk("programme_id", "programmes"),),
    ),
    Table(
        "master_plans",
        "Master plans",
        "The city's master plan(s); finalised by the council chair.",
        MasterPlan,
        (
            _id("plan"),
            _text("title", "Title."),
            _when("created_at", "Created"),
            _when("finalized_at", "Finalised, or empty", required=False),
        ),
    ),
    Table(
        "master_plan_versions",
        "Master plan versions",
        "Every version of each plan's Markdown text (comments are not published).",
        MasterPlanVersion,
        (
            _id("version"),
            _ref("plan_id", "plan"),
            _int("number", "1 for the first version, then one more for each."),
            _text("text", "The plan in Markdown."),
            _when("created_at", "Written"),
        ),
        foreign_keys=(_fk("plan_id", "master_plans"),),
    ),
    Table(
        "plan_programmes",
        "Acceleration programmes",
        "The acceleration programmes of each plan, which proposals link to.",
        PlanProgramme,
        (
            _id("acceleration programme"),
            _ref("plan_id", "plan"),
            _text("code", "Code, unique in the plan."),
            _text("title", "Title."),
            _text("pillar", "Pillar code."),
            _int("position", "Place in lists."),
        ),
        foreign_keys=(_fk("plan_id", "master_plans"),),
    ),
    Table(
        "commitments",
        "Commitments",
        "Commitment texts of the programmes; each signature is an event of the commitment's audit chain.",
        Commitment,
        (
            _id("commitment"),
            _ref("programme_id", "programme"),
            _text("title", "Title."),
            _text("text", "The exact text signed."),
            _text("text_hash", "SHA-256 (hex) of the text's UTF-8 bytes."),
            _when("created_at", "Written"),
        ),
        foreign_keys=(_fk("programme_id", "programmes"),),
    ),
    Table(
        "commitment_signatories",
        "Commitment signatories",
        "The required signatories of each commitment and when they signed.",
        CommitmentSignatory,
        (
            _id("signatory row"),
            _ref("commitment_id", "commitment"),
            _text("member", "The signatory's username.", source="member__username"),
            _text("member_name", "The signatory's display name.", source="member__display_name"),
            _ref("organization_id", "organisation when the commitment was written"),
            _text("role", "signatory or countersignatory."),
            _int("position", "Order (signatories first, the countersignatory last)."),
            _when("signed_at", "Signed, or empty while not yet", required=False),
        ),
        foreign_keys=(_fk("commitment_id", "commitments"), _fk("organization_id", "organizations")),
    ),
    Table(
        "proposals",
        "Proposals",
        "Public proposals: those past technical review (published), never drafts.",
        Proposal,
        (
            _id("proposal"),
            _text("title", "Title."),
            _text("summary", "Summary."),
            _ref("programme_id", "programme"),
            _text("pillar", "Pillar code (of its programme)."),
            _ref("plan_programme_id", "master plan's acceleration programme, or empty", required=False),
            _int("budget", "Budget asked, whole rupiah (IDR)."),
            _int("budget_approved", "Budget as approved by the ballot (IDR), empty before.", required=False),
            _ref("organization_id", "owning organisation (OPD)"),
            _text("state", "Current state in its workflow."),
            _text("workflow_name", "Its workflow."),
            _int("workflow_version", "Its workflow's version, kept for life."),
            _int("review_round", "Review rounds so far."),
            _when("published_at", "First entered a public state"),
            _when("created_at", "Created"),
            _when("updated_at", "Last changed"),
        ),
        scope=Scope("id"),
        foreign_keys=(
            _fk("programme_id", "programmes"),
            _fk("plan_programme_id", "plan_programmes"),
            _fk("organization_id", "organizations"),
        ),
    ),
    Table(
        "reviews",
        "Reviews",
        "Technical reviews of public proposals: rubric scores 1-5, recommendation, the reviewer's organisation.",
        Review,
        (
            _id("review"),
            _ref("proposal_id", "proposal"),
            _ref("organization_id", "reviewer's organisation when the review was given"),
            _int("round", "Review round."),
            _text("recommendation", "approve, revise or reject."),
            _int("feasibility", "Score 1-5."),
            _int("impact", "Score 1-5."),
            _int("cost_effectiveness", "Score 1-5."),
            _int("alignment", "Score 1-5."),
            _text("comment", "The reviewer's comment.", required=False),
            _when("created_at", "Given"),
        ),
        scope=OF_PUBLIC_PROPOSALS,
        foreign_keys=(_fk("proposal_id", "proposals"), _fk("organization_id", "organizations")),
        order=("proposal_id", "id"),
    ),
    Table(
        "ballots",
        "Ballots",
        "Council ballots on public proposals with the rules copied in when they opened; counts empty while a "
        "ballot that hides its tally is open.",
        Ballot,
        (
            _id("ballot"),
            _ref("proposal_id", "proposal"),
            _int("round", "Review round."),
            _when("opens_at", "Opened"),
            _when("closes_at", "Deadline, or empty (only the chair closes)", required=False),
            _int("eligible_count", "Members who may vote."),
            _int("quorum_required", "Votes needed (abstentions count)."),
            Column("threshold", "number", "Share of yes to exceed (0.5: majority).", required=True),
            _text("threshold_of", "yes_no or cast: what the share is of."),
            Column("hide_tally", "boolean", "Counts hidden until the ballot closes.", required=True),
            Column("votes_public", "boolean", "Who voted what is published (the votes resource).", required=True),
            _int("window_seconds", "Window (seconds), or empty.", required=False),
            _text("on_no_quorum", "reject or extend."),
            Column("extended", "boolean", "The deadline was moved on once.", required=True),
            _when("closed_at", "Closed, or empty while open", required=False),
            Column("closed_by_deadline", "boolean", "The deadline closed it.", required=True),
            _text("result", "approved, rejected, no_quorum, cancelled; empty while open.", required=False),
            _int("yes_count", "Yes votes; empty while a hidden tally is open.", required=False),
            _int("no_count", "No votes; empty while a hidden tally is open.", required=False),
            _int("abstain_count", "Abstentions; empty while a hidden tally is open.", required=False),
        ),
        scope=OF_PUBLIC_PROPOSALS,
        foreign_keys=(_fk("proposal_id", "proposals"),),
        order=("proposal_id", "round"),
        finish=_ballot_counts,
    ),
    Table(
        "votes",
        "Votes",
        "Individual votes, only of ballots that publish them (votes_public) and whose tally is visible.",
        Vote,
        (
            _id("vote"),
            _ref("ballot_id", "ballot"),
            _text("member", "The voter's username.", source="member__username"),
            _text("member_name", "The voter's display name.", source="member__display_name"),
            _text("choice", "yes, no or abstain."),
            _when("cast_at", "First cast"),
            _when("changed_at", "Last changed"),
        ),
        scope=Scope("ballot__proposal_id", _public_votes),
        foreign_keys=(_fk("ballot_id", "ballots"),),
        order=("ballot_id", "id"),
    ),
    Table(
        "progress_reports",
        "Progress reports",
        "Implementation progress reported by the owning OPD.",
        ProgressReport,
        (
            _id("report"),
            _ref("proposal_id", "proposal"),
            _int("percent", "Progress, percent 0-100."),
            _text("note", "Note.", required=False),
            _when("created_at", "Reported"),
        ),
        scope=OF_PUBLIC_PROPOSALS,
        foreign_keys=(_fk("proposal_id", "proposals"),),
        order=("proposal_id", "id"),
    ),
    Table(
        "milestones",
        "Milestones",
        "Planned steps of approved quick wins.",
        Milestone,
        (
            _id("milestone"),
            _ref("proposal_id", "proposal"),
            _text("title", "Title."),
            _text("description", "Description.", required=False),
            Column("due_on", "date", "Due (city date).", required=True),
            _int("weight", "Share in the weighted progress (1-100)."),
            _text("status", "planned, in_progress, done or late."),
            Column("done_on", "date", "Done (city date), or empty.", required=False),
            _text("note", "Note on completion or reopening.", required=False),
            _when("created_at", "Planned"),
            _when("updated_at", "Last changed"),
        ),
        scope=OF_PUBLIC_PROPOSALS,
        foreign_keys=(_fk("proposal_id", "proposals"),),
        order=("proposal_id", "id"),
    ),
    Table(
        "kpis",
        "KPIs",
        "Key performance indicators of approved quick wins.",
        Kpi,
        (
            _id("KPI"),
            _ref("proposal_id", "proposal"),
            _text("name", "Name."),
            _text("unit", "Unit."),
            Column("baseline", "number", "Value before.", required=True),
            Column("target", "number", "Value aimed at.", required=True),
            _text("direction", "up or down: which way is better."),
            _when("created_at", "Defined"),
        ),
        scope=OF_PUBLIC_PROPOSALS,
        foreign_keys=(_fk("proposal_id", "proposals"),),
        order=("proposal_id", "id"),
    ),
    Table(
        "kpi_measurements",
        "KPI measurements",
        "Measured values of the KPIs, per period (YYYY, YYYY-MM or YYYY-Qn).",
        KpiMeasurement,
        (
            _id("measurement"),
            _ref("kpi_id", "KPI"),
            _text("period", "Period."),
            Column("value", "number", "Measured value.", required=True),
            _text("note", "Note.", required=False),
            _when("recorded_at", "Recorded"),
        ),
        scope=Scope("kpi__proposal_id"),
        foreign_keys=(_fk("kpi_id", "kpis"),),
        order=("kpi_id", "id"),
    ),
    Table(
        "spending_reports",
        "Spending reports",
        "Money spent on approved quick wins, per period, whole rupiah (IDR).",
        SpendingReport,
        (
            _id("report"),
            _ref("proposal_id", "proposal"),
            _int("amount", "Spent, whole rupiah (IDR)."),
            _text("period", "Period."),
            _text("note", "Note.", required=False),
            _when("created_at", "Reported"),
        ),
        scope=OF_PUBLIC_PROPOSALS,
        foreign_keys=(_fk("proposal_id", "proposals"),),
        order=("proposal_id", "id"),
    ),
)
"""Every table resource, in the order of the descriptor (referenced resources before those referring to them)."""

BY_NAME = {t.name: t for t in TABLES}
