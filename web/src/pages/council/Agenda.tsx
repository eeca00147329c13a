/**
 * /app/agenda: the council's agenda, proposals in quick_win_approval. Each
 * with pillar, OPD, budget in rupiah, the review summary of the latest round,
 * the ballot's deadline in the city's time zone, votes cast and the viewer's
 * own vote.
 */
import { Link } from "react-router";
import { useQuery } from "urql";
import { Loading, RequestError } from "../../components/Errors";
import { DateTime, Money, PillarLabel } from "../../components/Format";
import { formatDecimal } from "../../format";
import { AgendaDocument, type AgendaQuery } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { SCORE_KEYS, summarizeReviews } from "./reviewSummary";

type Item = AgendaQuery["proposals"]["edges"][number]["node"];

function AgendaItem({ proposal }: { proposal: Item }) {
  const { t, lang } = useI18n();
  const summary = summarizeReviews(proposal.reviews);
  const ballot = proposal.ballot;
  const headingId = `agenda-${proposal.id}`;
  return (
    <li>
      <article className="card" aria-labelledby={headingId}>
        <h2 id={headingId} className="proposal-title">
          <Link to={`/proposals/${encodeURIComponent(proposal.id)}`}>{proposal.title}</Link>
        </h2>
        <dl className="facts">
          <dt>{t.proposal.pillar}</dt>
          <dd>
            <PillarLabel pillar={proposal.pillar} />
          </dd>
          <dt>{t.proposal.organization}</dt>
          <dd>{proposal.organization.name}</dd>
          <dt>{t.proposal.budget}</dt>
          <dd>
            <Money amount={proposal.budget} />
          </dd>
          <dt>{t.agenda.reviewSummary}</dt>
          <dd>
            {summary ? (
              <>
                <span>
                  {t.agenda.recommendationCounts(
                    summary.recommendations.APPROVE,
                    summary.recommendations.REVISE,
                    summary.recommendations.REJECT,
                  )}
                </span>
                <br />
                <span>
                  {t.agenda.meanScores}:{" "}
                  {SCORE_KEYS.map((key) => {
                    const value = summary.means[key];
                    return `${t.scores[key]} ${value === null ? t.common.none : formatDecimal(value, lang)}`;
                  }).join(" · ")}
                </span>
              </>
            ) : (
              t.proposal.noReviews
            )}
          </dd>
          {ballot && (
            <>
              <dt>{t.agenda.deadline}</dt>
              <dd>{ballot.closesAt ? <DateTime iso={ballot.closesAt} weekday /> : t.agenda.noDeadline}</dd>
              <dt>{t.ballot.tally}</dt>
              <dd>{t.agenda.votesCast(ballot.votesCast, ballot.eligibleCount)}</dd>
              <dt>{t.agenda.yourVote}</dt>
              <dd data-testid="agenda-my-vote">
                {ballot.myVote ? <strong>{t.choice[ballot.myVote]}</strong> : t.agenda.notVoted}
              </dd>
            </>
          )}
        </dl>
        <Link
          className="button"
          to={`/proposals/${encodeURIComponent(proposal.id)}`}
          aria-label={`${t.proposal.open}: ${proposal.title}`}
        >
          {t.proposal.open}
        </Link>
      </article>
    </li>
  );
}

export function Agenda() {
  const { t } = useI18n();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: AgendaDocument });
  const items = data?.proposals.edges.map((edge) => edge.node) ?? [];
  return (
    <>
      <h1>{t.agenda.title}</h1>
      <p className="lead">{t.agenda.intro}</p>
      {fetching && !data && <Loading />}
      <RequestError error={data ? null : error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />
      {data && items.length === 0 && <p>{t.agenda.empty}</p>}
      {items.length > 0 && (
        <ul className="proposal-list">
          {items.map((proposal) => (
            <AgendaItem key={proposal.id} proposal={proposal} />
          ))}
        </ul>
      )}
    </>
  );
}
