/**
 * The current review round of a proposal, for display (how many reviews this
 * round has, whether the viewer has reviewed in it). The server's rule
 * (council/proposals/service.py): the round goes up by one each time the
 * proposal enters a reviewable state from a state that is not; the workflow
 * says which states are reviewable. Who may review is not decided here
 * (availableActions says it).
 */
import { useWorkflow } from "../../components/workflow";

/** The reviewable states of a workflow version (from its cached labels), or null while loading. */
export function useReviewableStates(name: string | null | undefined, version?: number | null): ReadonlySet<string> | null {
  const states = useWorkflow(name, version).workflow?.states;
  return states ? new Set(states.filter((s) => s.reviewable).map((s) => s.name)) : null;
}

interface Move {
  fromState: string | null;
  toState: string | null;
}

/**
 * The round number now: the entries into a reviewable state from one that is
 * not, in the audit history (0 before the first submission).
 */
export function currentRound(history: readonly Move[], reviewable: ReadonlySet<string>): number {
  return history.filter(
    (e) => e.toState !== null && reviewable.has(e.toState) && !(e.fromState !== null && reviewable.has(e.fromState)),
  ).length;
}

/** The reviews of `round` (null round: none). */
export function reviewsOfRound<R extends { round: number }>(reviews: readonly R[], round: number | null): R[] {
  return round === null ? [] : reviews.filter((r) => r.round === round);
}
