/**
 * One button per trigger the viewer may fire now (Proposal.transitionOptions,
 * in the order of availableTransitions), labelled with the workflow's label;
 * under them, muted and not buttons, the moves the viewer's role allows but
 * whose guards do not hold yet, with the API's reasons
 * (Proposal.blockedTransitions: "Rekomendasikan sebagai quick win — belum
 * bisa: Perlu sekurang-kurangnya 2 kajian …").
 * A comment field when a transition needs one; a confirmation step when the
 * transition may end the proposal (a final destination state: reject,
 * withdraw, closing a vote that may reject). The client copies no rule: the
 * list comes from the API, and the API checks again.
 */
import { useEffect, useId, useRef, useState } from "react";
import { useMutation } from "urql";
import {
  TransitionProposalDocument,
  type ProposalDetailFragment,
  type TransitionProposalMutation,
} from "../generated/graphql";
import { useI18n } from "../i18n";
import { RequestError, StatusMessage, UserErrors, type UserErrorLike } from "./Errors";
import { useWorkflow } from "./workflow";

type Proposal = Pick<
  ProposalDetailFragment,
  "id" | "state" | "workflowName" | "workflowVersion" | "transitionOptions" | "blockedTransitions"
>;
type Option = Proposal["transitionOptions"][number];
type Moved = NonNullable<TransitionProposalMutation["transitionProposal"]["proposal"]>;

export interface TransitionActionsProps {
  proposal: Proposal;
  /**
   * Called with the proposal after a successful transition, and the success
   * message ("Berhasil. Status usulan sekarang: Kajian teknis."). A page that
   * leaves (the draft form goes to the proposal page) shows the message there.
   */
  onDone?: (proposal: Moved, message: string) => void;
  /** Heading level of the section title (default 2). */
  headingLevel?: 2 | 3;
  /** Triggers to leave out (a page that shows them elsewhere). */
  exclude?: readonly string[];
  /**
   * Why the buttons wait (the draft form's unsaved edits: a transition would
   * move the saved version, not what the inputs show). Set, the buttons are
   * disabled and this note is shown with them; null fires as usual.
   */
  held?: string | null;
}

export function TransitionActions({ proposal, onDone, headingLevel = 2, exclude = [], held = null }: TransitionActionsProps) {
  const { t } = useI18n();
  const workflow = useWorkflow(proposal.workflowName, proposal.workflowVersion);
  const [comment, setComment] = useState("");
  const [confirming, setConfirming] = useState<Option | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const [{ fetching, error }, transition] = useMutation(TransitionProposalDocument);
  const commentId = useId();
  const hintId = useId();
  const heldId = useId();
  const confirmRef = useRef<HTMLDivElement>(null);
  const options = proposal.transitionOptions.filter((o) => !exclude.includes(o.trigger));
  const blocked = proposal.blockedTransitions.filter((b) => !exclude.includes(b.trigger));
  const needsComment = options.some((o) => o.commentRequired);
  const Heading = headingLevel === 2 ? "h2" : "h3";

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  // Edits made while confirming: the confirmation was about the saved version.
  // Adjusted while rendering, when `held` changes (not in an effect: that renders twice).
  const [wasHeld, setWasHeld] = useState(held);
  if (held !== wasHeld) {
    setWasHeld(held);
    if (held) setConfirming(null);
  }

  const mayEnd = (option: Option): boolean =>
    workflow.transitionsFrom(proposal.state, option.trigger).some((tr) => workflow.isFinal(tr.dest));

  const fire = async (option: Option) => {
    setConfirming(null);
    setDone(null);
    setErrors([]);
    const result = await transition({
      input: { proposalId: proposal.id, trigger: option.trigger, comment: comment.trim() || null },
    });
    const payload = result.data?.transitionProposal;
    if (!payload) return;
    if (payload.errors.length > 0) {
      setErrors(payload.errors);
      return;
    }
    setComment("");
    // The outcome, not the imperative label: the state the proposal is in now.
    const message = payload.proposal
      ? t.proposal.transitionDone(workflow.stateLabel(payload.proposal.state))
      : t.proposal.transitionDoneNoState;
    setDone(message);
    if (payload.proposal) onDone?.(payload.proposal, message);
  };

  const choose = (option: Option) => {
    if (held) return;
    setLocalError(null);
    if (option.commentRequired && !comment.trim()) {
      setLocalError(t.proposal.commentMissing);
      document.getElementById(commentId)?.focus();
      return;
    }
    if (mayEnd(option)) setConfirming(option);
    else void fire(option);
  };

  if (options.length === 0 && blocked.length === 0 && !done && errors.length === 0) return null;

  return (
    <section className="card" aria-labelledby={`${commentId}-title`}>
      <Heading id={`${commentId}-title`}>{t.proposal.actions}</Heading>
      <StatusMessage>{done}</StatusMessage>
      {options.length === 0 ? (
        blocked.length === 0 && <p className="muted">{t.proposal.noActions}</p>
      ) : (
        <>
          {needsComment && (
            <div className="field">
              <label htmlFor={commentId}>{t.proposal.commentLabel}</label>
              <textarea
                id={commentId}
                value={comment}
                rows={3}
                aria-describedby={hintId}
                aria-invalid={localError ? true : undefined}
                onChange={(event) => setComment(event.target.value)}
              />
              <p className="hint" id={hintId}>
                {t.proposal.commentRequiredHint}{" "}
                {options
                  .filter((o) => o.commentRequired)
                  .map((o) => o.label)
                  .join(", ")}
              </p>
              {localError && (
                <p className="field-error" role="alert">
                  {localError}
                </p>
              )}
            </div>
          )}
          {held && (
            <p className="alert alert-warning" role="status" id={heldId} data-testid="transitions-held">
              {held}
            </p>
          )}
          <div className="button-row">
            {options.map((option) => (
              <button
                key={option.trigger}
                type="button"
                className={mayEnd(option) ? "button button-danger" : "button"}
                data-trigger={option.trigger}
                disabled={fetching || Boolean(held)}
                aria-describedby={held ? heldId : undefined}
                onClick={() => choose(option)}
              >
                {option.label}
              </button>
            ))}
          </div>
          {confirming && (
            <div className="confirm" role="alertdialog" aria-labelledby={`${commentId}-confirm`} tabIndex={-1} ref={confirmRef}>
              <p id={`${commentId}-confirm`} className="confirm-title">
                {t.proposal.confirmTitle(confirming.label)}
              </p>
              <p>{t.proposal.confirmText}</p>
              <div className="button-row">
                <button type="button" className="button button-danger" onClick={() => void fire(confirming)}>
                  {t.common.confirm}
                </button>
                <button type="button" className="button button-secondary" onClick={() => setConfirming(null)}>
                  {t.common.cancel}
                </button>
              </div>
            </div>
          )}
        </>
      )}
      {blocked.length > 0 && (
        <ul className="blocked-list" aria-label={t.proposal.blockedTitle} data-testid="blocked-transitions">
          {blocked.map((b) => (
            <li key={b.trigger} data-trigger={b.trigger}>
              <span className="blocked-label">{b.label}</span> — {t.proposal.notYet}: {joinAlternatives(b.reasons, t.proposal.orJoin)}
            </li>
          ))}
        </ul>
      )}
      <UserErrors errors={errors} />
      <RequestError error={error} />
    </section>
  );
}

/** The API's alternative reasons in one sentence: "A atau b" (later ones lower-cased after the joining word). */
function joinAlternatives(reasons: readonly string[], word: string): string {
  return reasons.map((r, i) => (i === 0 ? r : r.charAt(0).toLowerCase() + r.slice(1))).join(word);
}
