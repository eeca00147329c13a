/**
 * The review summary of the agenda: recommendation counts and the mean of each
 * rubric score over the reviews of the proposal's current review round
 * (Proposal.reviewRound; a revised proposal's earlier reviews are about
 * another text).
 */
import { SCORE_KEYS, type ScoreKey } from "../../components/scores";
import { mean } from "../../format";
import type { Recommendation } from "../../generated/graphql";

export interface ReviewLike {
  round: number;
  recommendation: Recommendation;
  scores: { feasibility: number; impact: number; costEffectiveness: number; alignment: number };
}

export interface ReviewSummary {
  round: number;
  count: number;
  recommendations: Record<Recommendation, number>;
  /** Mean score (1-5) per rubric criterion, null without reviews. */
  means: Record<ScoreKey, number | null>;
}

/** Summarise the reviews of `round` (the proposal's reviewRound); null when that round has none. */
export function summarizeReviews(reviews: readonly ReviewLike[], round: number): ReviewSummary | null {
  const latest = reviews.filter((r) => r.round === round);
  if (latest.length === 0) return null;
  const recommendations: Record<Recommendation, number> = { APPROVE: 0, REVISE: 0, REJECT: 0 };
  for (const review of latest) recommendations[review.recommendation] += 1;
  const means = Object.fromEntries(
    SCORE_KEYS.map((key) => [key, mean(latest.map((r) => r.scores[key]))]),
  ) as Record<ScoreKey, number | null>;
  return { round, count: latest.length, recommendations, means };
}
