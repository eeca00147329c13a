/** The review rubric's criteria (ScoresInput), in the order the form and the summaries show them. */
export const SCORE_KEYS = ["feasibility", "impact", "costEffectiveness", "alignment"] as const;
export type ScoreKey = (typeof SCORE_KEYS)[number];
