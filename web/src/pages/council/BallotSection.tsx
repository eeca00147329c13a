/**
 * The ballot on the proposal page: tally (yes / no / abstain), votes cast of
 * the eligible, quorum and deadline, updated live through the voteTally
 * subscription (while the rules hide the tally, only the votes cast); the
 * vote buttons Ya / Tidak / Abstain as toggle buttons (aria-pressed) with the
 * member's vote marked and changeable until the ballot closes; when
 * voteDenial is set, its message instead (a recused member also sees the
 * recusal reason); a closed ballot shows its result (focused when the viewer
 * closed it). While open, whether the quorum is reached ("Kuorum belum
 * tercapai: 3 dari 4 suara"): the numbers, not a rule. Without a viewer (a
 * public page) the ballot is read-only: "sign in to vote" instead of the buttons.
 *
 * A vote is saved in sessionStorage before it is sent and forgotten when the
 * API answered: if the session is gone (401 and the refresh fails) the app
 * goes to sign-in, and back here as the same member the vote is cast then.
 */
import { useEffect, useEffectEvent, useId, useRef, useState } from "react";
import { useMutation } from "urql";
import { isAuthError } from "../../api/client";
import { useAuth } from "../../auth/context";
import { useLiveSubscription } from "../../api/live";
import { clearPendingVote, readPendingVote, savePendingVote } from "../../auth/storage";
import { RequestError, StatusMessage, UserErrors, type UserErrorLike } from "../../components/Errors";
import { DateTime } from "../../components/Format";
import { useOptionalViewer } from "../../components/viewer";
import {
  CastVoteDocument,
  VoteTallyDocument,
  type BallotFieldsFragment,
  type ProposalDetailFragment,
  type VoteChoice,
} from "../../generated/graphql";
import { useI18n } from "../../i18n";

const CHOICES: readonly VoteChoice[] = ["YES", "NO", "ABSTAIN"];

/** Only one pending vote is cast per page load, even when effects run twice. */
let pendingStarted = false;

export interface BallotSectionProps {
  proposal: Pick<ProposalDetailFragment, "id" | "ballot" | "voteDenial" | "availableActions">;
  /** The ballot closed (live): the page reloads the proposal (its state moved on). */
  onClosed?: () => void;
  /**
   * Someone else's vote or recusal arrived live: the page reloads the proposal,
   * since what the viewer may do (e.g. the chair's close_vote, guarded by the
   * quorum) may have changed with it.
   */
  onChanged?: () => void;
}

export function BallotSection({ proposal, onClosed, onChanged }: BallotSectionProps) {
  const { t } = useI18n();
  const { session } = useAuth();
  const viewer = useOptionalViewer();
  const titleId = useId();
  const choiceLabelId = useId();
  const [ballot, setBallot] = useState<BallotFieldsFragment | null>(proposal.ballot);
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [{ fetching, error }, castVote] = useMutation(CastVoteDocument);
  const live = useLiveSubscription(VoteTallyDocument, { proposalId: proposal.id }, !proposal.ballot || proposal.ballot.closed);
  const wasClosed = useRef(proposal.ballot?.closed ?? false);
  const resultRef = useRef<HTMLDivElement>(null);

  // The latest of the three sources wins: the page's query, the live feed, our own vote (cast).
  // The first two are followed while rendering, when one of them changes (the live feed wins
  // when both do): not in an effect, which would render twice.
  const [seen, setSeen] = useState({ query: proposal.ballot, live: live.data });
  if (seen.query !== proposal.ballot || seen.live !== live.data) {
    setSeen({ query: proposal.ballot, live: live.data });
    if (live.data && seen.live !== live.data) setBallot(live.data.voteTally);
    else if (seen.query !== proposal.ballot) setBallot(proposal.ballot);
  }
  // An effect event: reads the proposal and onChanged of the latest render, runs per live tally only.
  const onLiveTally = useEffectEvent((next: BallotFieldsFragment) => {
    const known = proposal.ballot;
    if (known && !next.closed && (next.votesCast !== known.votesCast || next.eligibleCount !== known.eligibleCount)) {
      onChanged?.();
    }
  });
  useEffect(() => {
    if (live.data) onLiveTally(live.data.voteTally);
  }, [live.data]);
  useEffect(() => {
    if (ballot?.closed && !wasClosed.current) {
      wasClosed.current = true;
      // The viewer closed it (the chair's close_vote): bring the result into view and focus.
      if (viewer && ballot.closedBy?.id === viewer.id) {
        resultRef.current?.scrollIntoView({ block: "center" });
        resultRef.current?.focus({ preventScroll: true });
      }
      onClosed?.();
    }
  }, [ballot?.closed, ballot?.closedBy?.id, viewer, onClosed]);

  const cast = async (choice: VoteChoice, pending = false) => {
    if (!viewer) return;
    setErrors([]);
    setNotice(null);
    savePendingVote({ proposalId: proposal.id, choice, username: viewer.username });
    const result = await castVote({ input: { proposalId: proposal.id, choice } });
    if (result.error && isAuthError(result.error)) return; // session gone: the vote waits for the next sign-in
    clearPendingVote();
    const payload = result.data?.castVote;
    if (!payload) return;
    if (payload.errors.some((e) => e.code === "UNAUTHENTICATED")) {
      // Sent without a usable token: the session is gone, the vote waits for the next sign-in.
      savePendingVote({ proposalId: proposal.id, choice, username: viewer.username });
      session.expire();
      return;
    }
    if (payload.errors.length > 0) {
      setErrors(payload.errors);
      return;
    }
    if (payload.ballot) setBallot(payload.ballot);
    setNotice(pending ? t.ballot.pendingCast(t.choice[choice]) : t.ballot.recorded(t.choice[choice]));
  };

  // Back from a sign-in with a vote that could not be sent: cast it if it is this member's.
  // An effect event: runs once per proposal, with the viewer and proposal of the latest render.
  const resumePendingVote = useEffectEvent((proposalId: string) => {
    const saved = readPendingVote();
    if (!viewer || !saved || saved.proposalId !== proposalId || pendingStarted) return;
    pendingStarted = true;
    if (saved.username !== viewer.username) {
      clearPendingVote();
      setNotice(t.ballot.pendingDiscarded);
      return;
    }
    if (proposal.voteDenial || !proposal.ballot || proposal.ballot.closed) {
      clearPendingVote();
      return;
    }
    void cast(saved.choice, true);
  });
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- its notice reports on the vote kept in sessionStorage (outside React), once per page load
    resumePendingVote(proposal.id);
  }, [proposal.id]);

  if (!ballot) {
    return null;
  }

  const denial = proposal.voteDenial;
  const myRecusal = viewer ? ballot.recusals.find((r) => r.member.username === viewer.username) : undefined;
  const canVote = Boolean(viewer) && !ballot.closed && !denial;
  const quorumReached = ballot.votesCast >= ballot.quorum;

  return (
    <section className="card ballot" aria-labelledby={titleId}>
      <h2 id={titleId}>{t.ballot.title}</h2>

      {ballot.closed ? (
        <div className="alert alert-info" ref={resultRef} tabIndex={-1} data-testid="ballot-closed">
          <p>
            <strong>{t.ballot.closed}</strong>
          </p>
          {ballot.result && (
            <p data-testid="ballot-result">
              {t.ballot.result}: <strong>{t.result[ballot.result]}</strong>
            </p>
          )}
          {ballot.closedAt && (
            <p>
              {t.ballot.closedAt}: <DateTime iso={ballot.closedAt} />
            </p>
          )}
          {ballot.closedBy && <p>{t.ballot.closedBy(ballot.closedBy.displayName)}</p>}
          {ballot.closedByDeadline && <p>{t.ballot.closedByDeadline}</p>}
        </div>
      ) : (
        <dl className="facts">
          <dt>{t.ballot.deadline}</dt>
          <dd>{ballot.closesAt ? <DateTime iso={ballot.closesAt} weekday /> : t.ballot.noDeadline}</dd>
        </dl>
      )}
      {ballot.extended && !ballot.closed && <p className="muted">{t.ballot.extended}</p>}

      <h3>{t.ballot.tally}</h3>
      <div aria-live="polite" aria-atomic="true" data-testid="tally">
        {ballot.tally ? (
          <dl className="tally">
            <div>
              <dt>{t.choice.YES}</dt>
              <dd data-testid="tally-yes">{ballot.tally.yes}</dd>
            </div>
            <div>
              <dt>{t.choice.NO}</dt>
              <dd data-testid="tally-no">{ballot.tally.no}</dd>
            </div>
            <div>
              <dt>{t.choice.ABSTAIN}</dt>
              <dd data-testid="tally-abstain">{ballot.tally.abstain}</dd>
            </div>
          </dl>
        ) : (
          <p className="alert alert-info">{t.ballot.hidden}</p>
        )}
        <p data-testid="votes-cast">{t.ballot.votesCast(ballot.votesCast, ballot.eligibleCount)}</p>
        {/* What the numbers say (abstentions count, as the workflow's quorum_met guard counts): display only. */}
        {ballot.closed ? (
          <p>{t.ballot.quorum(ballot.quorum)}</p>
        ) : (
          <p data-testid="quorum" className={quorumReached ? "quorum quorum-met" : "quorum"}>
            {quorumReached ? t.ballot.quorumMet : t.ballot.quorumShort(ballot.votesCast, ballot.quorum)}
          </p>
        )}
      </div>
      {!ballot.closed && (
        <p className="muted small" role="status">
          {live.reconnecting ? t.ballot.reconnecting : live.data ? t.ballot.live : ""}
        </p>
      )}

      {canVote && (
        <div className="vote">
          <h3 id={choiceLabelId}>{t.ballot.choose}</h3>
          <div className="vote-choices" role="group" aria-labelledby={choiceLabelId}>
            {CHOICES.map((choice) => (
              <button
                key={choice}
                type="button"
                className="vote-button"
                aria-pressed={ballot.myVote === choice}
                disabled={fetching}
                data-choice={choice}
                onClick={() => void cast(choice)}
              >
                {t.choice[choice]}
              </button>
            ))}
          </div>
          <p data-testid="my-vote" role="status">
            {fetching ? t.ballot.sending : ballot.myVote ? <strong>{t.ballot.yourVote(t.choice[ballot.myVote])}</strong> : t.ballot.notVoted}
          </p>
          <p className="hint">{t.ballot.changeHint}</p>
        </div>
      )}
      {!canVote && ballot.myVote && (
        <p data-testid="my-vote">
          <strong>{t.ballot.yourVote(t.choice[ballot.myVote])}</strong>
        </p>
      )}

      {!viewer && !ballot.closed && (
        <p className="alert alert-info" data-testid="sign-in-to-vote">
          {t.ballot.signInToVote}
        </p>
      )}
      {viewer && denial && !ballot.closed && (
        <div className="alert alert-warning" data-testid="vote-denial" data-code={denial.code}>
          <p>
            <strong>{t.ballot.cannotVote}</strong>
          </p>
          <p>{denial.message}</p>
          {myRecusal && <p>{t.ballot.recusedReason(myRecusal.reason)}</p>}
        </div>
      )}

      <StatusMessage>{notice}</StatusMessage>
      <UserErrors errors={errors} />
      <RequestError error={error && !isAuthError(error) ? error : null} />

      {ballot.recusals.length > 0 && (
        <>
          <h3>{t.ballot.recusals}</h3>
          <ul className="plain-list">
            {ballot.recusals.map((recusal) => (
              <li key={`${recusal.member.id}-${recusal.at}`}>
                <strong>{recusal.member.displayName}</strong>: {recusal.reason} (<DateTime iso={recusal.at} />)
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
