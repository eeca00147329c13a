/**
 * /app/proposals/:id/review: the technical review of one proposal.
 *
 * The proposal (summary, OPD, pillar, budget), the review form while
 * availableActions has "submitReview" (the four rubric scores 1–5 as labelled
 * radio groups — real radio inputs in a fieldset, drawn as large toggle chips —,
 * the recommendation, a comment; the viewer's review of this
 * round fills it, and sending again replaces it), this round's reviews, and
 * the workflow moves the viewer may make now (recommend, request revision,
 * reject: availableTransitions, through the shared TransitionActions). The
 * API's UserErrors are shown at the field they name.
 */
import { useId, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Loading, ProposalNotFound, RequestError, StatusMessage, type UserErrorLike } from "../../components/Errors";
import { DateTime } from "../../components/Format";
import { StateBadge, proposalPath } from "../../components/ProposalCard";
import { ProposalFacts } from "../../components/ProposalFacts";
import { SCORE_KEYS, type ScoreKey } from "../../components/scores";
import { TransitionActions } from "../../components/TransitionActions";
import { useViewer } from "../../components/viewer";
import {
  ReviewTargetDocument,
  SubmitTechnicalReviewDocument,
  type Recommendation,
  type ReviewTargetFragment,
} from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { FieldErrors, FormErrors, errorsFor, useOnLangChange, type LocalMessage } from "../opd/fieldErrors";

const SCALE = [1, 2, 3, 4, 5] as const;
const RECOMMENDATIONS: readonly Recommendation[] = ["APPROVE", "REVISE", "REJECT"];
const FIELDS = ["scores", "recommendation", "comment"] as const;

type Review = ReviewTargetFragment["reviews"][number];
type Scores = Record<ScoreKey, number | null>;

interface FormProps {
  proposalId: string;
  mine: Review | null;
  onDone: () => void;
}

/** The review form; local checks (every score and the recommendation chosen) before sending. */
function ReviewFields({ proposalId, mine, onDone }: FormProps) {
  const { t } = useI18n();
  const base = useId();
  const [scores, setScores] = useState<Scores>(() => ({
    feasibility: mine?.scores.feasibility ?? null,
    impact: mine?.scores.impact ?? null,
    costEffectiveness: mine?.scores.costEffectiveness ?? null,
    alignment: mine?.scores.alignment ?? null,
  }));
  const [recommendation, setRecommendation] = useState<Recommendation | null>(mine?.recommendation ?? null);
  const [comment, setComment] = useState(mine?.comment ?? "");
  const [local, setLocal] = useState<Record<string, LocalMessage | null>>({});
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [done, setDone] = useState(false);
  const [{ fetching, error }, submitReview] = useMutation(SubmitTechnicalReviewDocument);
  useOnLangChange(() => setErrors([]));
  const scaleId = `${base}-scale`;
  // The first radio of a group (or the textarea) takes the focus for that field's error.
  const focusTarget = (field: string) => `${base}-${field}`;

  const focusFirst = (fields: readonly string[]) => {
    const first = fields[0];
    if (first) document.getElementById(focusTarget(first))?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    setErrors([]);
    const problems: Record<string, LocalMessage> = {};
    for (const key of SCORE_KEYS) if (scores[key] === null) problems[`scores.${key}`] = (m) => m.opdReview.scoreMissing(m.scores[key]);
    if (!recommendation) problems.recommendation = (m) => m.opdReview.recommendationMissing;
    setLocal(problems);
    if (Object.keys(problems).length > 0) {
      focusFirst([...SCORE_KEYS.map((k) => `scores.${k}`), "recommendation"].filter((f) => problems[f]));
      return;
    }
    const result = await submitReview({
      input: {
        proposalId,
        recommendation: recommendation!,
        scores: {
          feasibility: scores.feasibility!,
          impact: scores.impact!,
          costEffectiveness: scores.costEffectiveness!,
          alignment: scores.alignment!,
        },
        comment: comment.trim() || null,
      },
    });
    const payload = result.data?.submitReview;
    if (!payload) return;
    if (payload.errors.length > 0) {
      setErrors(payload.errors);
      focusFirst(
        [...SCORE_KEYS.map((k) => `scores.${k}`), "recommendation", "comment"].filter(
          (f) => errorsFor(payload.errors, f).length > 0,
        ),
      );
      return;
    }
    setDone(true);
    onDone();
  };

  const messages = (field: string) => [local[field]?.(t), ...errorsFor(errors, field).map((e) => e.message)];
  const hasErrors = (field: string) => messages(field).some(Boolean);

  return (
    <form className="card" onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${base}-title`}>
      <h2 id={`${base}-title`}>{mine ? t.opdReview.changeReview : t.proposal.review}</h2>
      {mine && <p className="hint">{t.opdReview.replaceHint}</p>}
      <FormErrors errors={errors} fields={FIELDS} />
      <h3>{t.review.scoresLegend}</h3>
      <p className="hint" id={scaleId}>
        {t.scores.scale}
      </p>
      {SCORE_KEYS.map((key) => {
        const field = `scores.${key}`;
        const errorId = `${base}-${key}-error`;
        return (
          <fieldset
            key={key}
            aria-describedby={hasErrors(field) ? `${scaleId} ${errorId}` : scaleId}
            data-testid={`score-${key}`}
          >
            <legend>{t.scores[key]}</legend>
            <div className="chip-row chip-row-scale">
              {SCALE.map((value) => (
                <label key={value} className="chip">
                  <input
                    type="radio"
                    id={value === SCALE[0] ? focusTarget(field) : undefined}
                    name={`${base}-${key}`}
                    value={value}
                    checked={scores[key] === value}
                    aria-invalid={hasErrors(field) ? true : undefined}
                    onChange={() => {
                      setScores((s) => ({ ...s, [key]: value }));
                      setLocal((l) => ({ ...l, [field]: null }));
                    }}
                  />
                  <span className="chip-face">{value}</span>
                </label>
              ))}
            </div>
            <FieldErrors id={errorId} messages={messages(field)} />
          </fieldset>
        );
      })}
      <fieldset aria-describedby={hasErrors("recommendation") ? `${base}-recommendation-error` : undefined}>
        <legend>{t.review.recommendationLegend}</legend>
        <div className="chip-row">
          {RECOMMENDATIONS.map((value, index) => (
            <label key={value} className="chip">
              <input
                type="radio"
                id={index === 0 ? focusTarget("recommendation") : undefined}
                name={`${base}-recommendation`}
                value={value}
                checked={recommendation === value}
                aria-invalid={hasErrors("recommendation") ? true : undefined}
                onChange={() => {
                  setRecommendation(value);
                  setLocal((l) => ({ ...l, recommendation: null }));
                }}
              />
              <span className="chip-face">{t.recommendation[value]}</span>
            </label>
          ))}
        </div>
        <FieldErrors id={`${base}-recommendation-error`} messages={messages("recommendation")} />
      </fieldset>
      <div className="field">
        <label htmlFor={focusTarget("comment")}>{t.review.commentLabel}</label>
        <textarea
          id={focusTarget("comment")}
          rows={4}
          value={comment}
          aria-invalid={hasErrors("comment") ? true : undefined}
          aria-describedby={hasErrors("comment") ? `${base}-comment-error` : undefined}
          onChange={(event) => setComment(event.target.value)}
        />
        <FieldErrors id={`${base}-comment-error`} messages={messages("comment")} />
      </div>
      <div className="button-row">
        <button type="submit" className="button" disabled={fetching}>
          {fetching ? t.opdReview.sending : t.review.submit}
        </button>
      </div>
      <StatusMessage>{done ? t.review.submitted : null}</StatusMessage>
      <RequestError error={error} />
    </form>
  );
}

/** This round's reviews, briefly (who, what they recommend, when). */
function RoundReviews({ reviews, round }: { reviews: readonly Review[]; round: number }) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="round-reviews-title">
      <h2 id="round-reviews-title">{t.opdReview.reviewsThisRound}</h2>
      <p className="muted">{t.opdReview.reviewCount(reviews.length, round)}</p>
      {reviews.length > 0 && (
        <ul className="plain-list">
          {reviews.map((review) => (
            <li key={review.id}>
              <strong>{t.recommendation[review.recommendation]}</strong> —{" "}
              {review.reviewer.displayName} ({review.reviewer.organization.name})
              <br />
              <span className="muted small">
                <DateTime iso={review.createdAt} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ReviewPage({ proposal, reload }: { proposal: ReviewTargetFragment; reload: () => void }) {
  const { t } = useI18n();
  const viewer = useViewer();
  const round = proposal.reviewRound;
  const reviews = proposal.reviews.filter((r) => r.round === round);
  const mine = reviews.find((r) => r.reviewer.id === viewer.id) ?? null;
  const mayReview = proposal.availableActions.includes("submitReview");

  return (
    <>
      <h1>{t.review.formTitle}</h1>
      <section className="card" aria-labelledby="review-proposal-title">
        <h2 id="review-proposal-title">{proposal.title}</h2>
        <StateBadge proposal={proposal} />
        <p className="summary-text">{proposal.summary}</p>
        <ProposalFacts proposal={proposal} facts={["organization", "pillar", "budget"]} />
      </section>
      {mayReview ? (
        // A new round starts the form afresh.
        <ReviewFields key={round} proposalId={proposal.id} mine={mine} onDone={reload} />
      ) : (
        <p className="alert alert-info">{t.review.notAllowed}</p>
      )}
      {round > 0 && <RoundReviews reviews={reviews} round={round} />}
      <TransitionActions proposal={proposal} onDone={reload} />
      <p className="button-row">
        <Link to={proposalPath(proposal.id)}>{t.opdReview.viewProposal}</Link>
        <Link to="/reviews">{t.opdReview.backToQueue}</Link>
      </p>
    </>
  );
}

export function ReviewForm() {
  const { id = "" } = useParams();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ReviewTargetDocument, variables: { id } });
  const reload = () => reexecute({ requestPolicy: "network-only" });
  if (fetching && !data) return <Loading />;
  if (!data) return <RequestError error={error} onRetry={reload} />;
  if (!data.proposal) return <ProposalNotFound />;
  return <ReviewPage proposal={data.proposal} reload={reload} />;
}
