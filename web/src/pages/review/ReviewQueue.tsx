/**
 * /app/reviews: the technical team's review queue, proposals in
 * technical_review, newest first, 50 at a time. Each with its OPD, pillar,
 * budget, the number of reviews this round and whether the viewer has
 * reviewed in it; "review" (or "change my review") when availableActions has
 * "submitReview".
 */
import { Link } from "react-router";
import { PagedList } from "../../components/PagedList";
import { OpenProposalLink, ProposalCard, proposalPath } from "../../components/ProposalCard";
import { ProposalFacts } from "../../components/ProposalFacts";
import { useViewer } from "../../components/viewer";
import { ReviewQueueDocument, type ReviewQueueQuery } from "../../generated/graphql";
import { useI18n } from "../../i18n";

/** The state the queue lists (the workflow's reviewable state of the quick-win programme). */
export const QUEUE_STATE = "technical_review";

type Item = ReviewQueueQuery["proposals"]["edges"][number]["node"];

function QueueItem({ proposal }: { proposal: Item }) {
  const { t } = useI18n();
  const viewer = useViewer();
  const round = proposal.reviewRound;
  const reviews = proposal.reviews.filter((r) => r.round === round);
  const mine = reviews.some((r) => r.reviewer.id === viewer.id);
  return (
    <ProposalCard proposal={proposal} idPrefix="queue" testId="review-queue-item">
      <ProposalFacts
        proposal={proposal}
        facts={[
          "organization",
          "pillar",
          "budget",
          {
            label: t.opdReview.reviewsThisRound,
            value: t.opdReview.reviewCount(reviews.length, round),
            testId: "round-reviews",
          },
          {
            label: t.opdReview.yourReview,
            value: mine ? <strong>{t.opdReview.reviewed}</strong> : t.opdReview.notReviewed,
            testId: "my-review",
          },
          "updatedAt",
        ]}
      />
      <div className="button-row">
        {proposal.availableActions.includes("submitReview") && (
          <Link
            className="button"
            to={`${proposalPath(proposal.id)}/review`}
            aria-label={`${mine ? t.opdReview.changeReview : t.proposal.review}: ${proposal.title}`}
          >
            {mine ? t.opdReview.changeReview : t.proposal.review}
          </Link>
        )}
        <OpenProposalLink proposal={proposal} secondary />
      </div>
    </ProposalCard>
  );
}

export function ReviewQueue() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t.review.queueTitle}</h1>
      <p className="lead">{t.review.queueIntro}</p>
      <PagedList
        query={ReviewQueueDocument}
        variables={(after) => ({ state: QUEUE_STATE, after })}
        connection={(data) => data.proposals}
        empty={t.review.empty}
      >
        {(node) => <QueueItem proposal={node} />}
      </PagedList>
    </>
  );
}
