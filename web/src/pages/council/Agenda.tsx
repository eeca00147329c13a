/**
 * /app/agenda: the council's agenda, proposals in quick_win_approval. Each
 * with pillar, OPD, budget in rupiah, the review summary of the current round,
 * the ballot's deadline in the city's time zone, votes cast and the viewer's
 * own vote; 50 at a time, then "load more" (PagedList).
 */
import { DateTime } from "../../components/Format";
import { PagedList } from "../../components/PagedList";
import { OpenProposalLink, ProposalCard } from "../../components/ProposalCard";
import { ProposalFacts } from "../../components/ProposalFacts";
import { SCORE_KEYS } from "../../components/scores";
import { formatDecimal } from "../../format";
import { AgendaDocument, type AgendaQuery } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { summarizeReviews } from "./reviewSummary";

type Item = AgendaQuery["proposals"]["edges"][number]["node"];

function AgendaItem({ proposal }: { proposal: Item }) {
  const { t, lang } = useI18n();
  const summary = summarizeReviews(proposal.reviews, proposal.reviewRound);
  const ballot = proposal.ballot;
  return (
    <ProposalCard proposal={proposal} idPrefix="agenda">
      <ProposalFacts
        proposal={proposal}
        facts={[
          "pillar",
          "organization",
          "budget",
          {
            label: t.agenda.reviewSummary,
            value: summary ? (
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
            ),
          },
          ballot && {
            label: t.agenda.deadline,
            value: ballot.closesAt ? <DateTime iso={ballot.closesAt} weekday /> : t.agenda.noDeadline,
          },
          ballot && { label: t.ballot.tally, value: t.agenda.votesCast(ballot.votesCast, ballot.eligibleCount) },
          ballot && {
            label: t.agenda.yourVote,
            value: ballot.myVote ? <strong>{t.choice[ballot.myVote]}</strong> : t.agenda.notVoted,
            testId: "agenda-my-vote",
          },
        ]}
      />
      <OpenProposalLink proposal={proposal} />
    </ProposalCard>
  );
}

export function Agenda() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t.agenda.title}</h1>
      <p className="lead">{t.agenda.intro}</p>
      <PagedList
        query={AgendaDocument}
        variables={(after) => ({ after })}
        connection={(data) => data.proposals}
        empty={t.agenda.empty}
      >
        {(proposal) => <AgendaItem proposal={proposal} />}
      </PagedList>
    </>
  );
}
