/**
 * /app/reviews: the technical team's review queue, proposals in
 * technical_review, newest first, 50 at a time. Each with its OPD, pillar,
 * budget, the number of reviews this round and whether the viewer has
 * reviewed in it; "review" (or "change my review") when availableActions has
 * "submitReview".
 */
import { useState } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { Loading, RequestError } from "../../components/Errors";
import { DateTime, Money, PillarLabel } from "../../components/Format";
import { useViewer } from "../../components/viewer";
import { ReviewQueueDocument, type ReviewQueueQuery } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { currentRound, reviewsOfRound, useReviewableStates } from "./round";

/** The state the queue lists (the workflow's reviewable state of the quick-win programme). */
export const QUEUE_STATE = "technical_review";

type Item = ReviewQueueQuery["proposals"]["edges"][number]["node"];

function QueueItem({ proposal }: { proposal: Item }) {
  const { t } = useI18n();
  const viewer = useViewer();
  const reviewable = useReviewableStates(proposal.workflowName, proposal.workflowVersion);
  const round = reviewable ? currentRound(proposal.history, reviewable) : null;
  const reviews = reviewsOfRound(proposal.reviews, round);
  const mine = reviews.some((r) => r.reviewer.id === viewer.id);
  const headingId = `queue-${proposal.id}`;
  const path = `/proposals/${encodeURIComponent(proposal.id)}`;
  return (
    <li>
      <article className="card" aria-labelledby={headingId} data-testid="review-queue-item">
        <h2 id={headingId} className="proposal-title">
          <Link to={path}>{proposal.title}</Link>
        </h2>
        <dl className="facts">
          <dt>{t.proposal.organization}</dt>
          <dd>{proposal.organization.name}</dd>
          <dt>{t.proposal.pillar}</dt>
          <dd>
            <PillarLabel pillar={proposal.pillar} />
          </dd>
          <dt>{t.proposal.budget}</dt>
          <dd>
            <Money amount={proposal.budget} />
          </dd>
          <dt>{t.opdReview.reviewsThisRound}</dt>
          <dd data-testid="round-reviews">
            {round === null ? t.common.loading : t.opdReview.reviewCount(reviews.length, round)}
          </dd>
          <dt>{t.opdReview.yourReview}</dt>
          <dd data-testid="my-review">
            {round === null ? t.common.loading : mine ? <strong>{t.opdReview.reviewed}</strong> : t.opdReview.notReviewed}
          </dd>
          <dt>{t.proposal.updatedAt}</dt>
          <dd>
            <DateTime iso={proposal.updatedAt} />
          </dd>
        </dl>
        <div className="button-row">
          {proposal.availableActions.includes("submitReview") && (
            <Link
              className="button"
              to={`${path}/review`}
              aria-label={`${mine ? t.opdReview.changeReview : t.proposal.review}: ${proposal.title}`}
            >
              {mine ? t.opdReview.changeReview : t.proposal.review}
            </Link>
          )}
          <Link className="button button-secondary" to={path} aria-label={`${t.proposal.open}: ${proposal.title}`}>
            {t.proposal.open}
          </Link>
        </div>
      </article>
    </li>
  );
}

/** One page of 50 (after the cursor); the last page offers the next one. */
function QueuePage({ after, last, onMore }: { after: string | null; last: boolean; onMore: (cursor: string) => void }) {
  const { t } = useI18n();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: ReviewQueueDocument,
    variables: { state: QUEUE_STATE, after },
  });
  if (fetching && !data) {
    return (
      <li>
        <Loading />
      </li>
    );
  }
  if (!data) {
    return (
      <li>
        <RequestError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />
      </li>
    );
  }
  const { edges, pageInfo, totalCount } = data.proposals;
  return (
    <>
      {after === null && totalCount === 0 && (
        <li>
          <p>{t.review.empty}</p>
        </li>
      )}
      {edges.map(({ node }) => (
        <QueueItem key={node.id} proposal={node} />
      ))}
      {last && pageInfo.hasNextPage && pageInfo.endCursor && (
        <li>
          <button type="button" className="button button-secondary" onClick={() => onMore(pageInfo.endCursor!)}>
            {t.opdReview.loadMore}
          </button>
        </li>
      )}
    </>
  );
}

export function ReviewQueue() {
  const { t } = useI18n();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <>
      <h1>{t.review.queueTitle}</h1>
      <p className="lead">{t.review.queueIntro}</p>
      <ul className="proposal-list">
        {cursors.map((after, index) => (
          <QueuePage
            key={after ?? "first"}
            after={after}
            last={index === cursors.length - 1}
            onMore={(cursor) => setCursors((list) => [...list, cursor])}
          />
        ))}
      </ul>
    </>
  );
}
