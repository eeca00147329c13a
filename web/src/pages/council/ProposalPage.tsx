/**
 * /app/proposals/:id: one proposal for every role. Summary, budget, pillar,
 * OPD and state; the ballot (live); declaring a conflict of interest; the
 * workflow transitions the viewer may fire; links to the draft form and the
 * review form; implementation progress, milestones, KPIs and spending; the reviewer assignments (signed in:
 * the technical team's assignment form, an assignee's "Tolak penugasan"); the reviews and the history (audit
 * events, oldest first). What is offered comes from availableTransitions,
 * availableActions and voteDenial, never from rules in the client.
 *
 * Without a session (outside ViewerGate) the same page is the public one: the
 * API answers a published proposal anonymously with no actions, so it reads
 * only (ballot result, reviews, history), with "Masuk" to come back signed in.
 */
import { Fragment, useCallback, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { useQuery } from "urql";
import { Loading, ProposalNotFound, RequestError, StatusMessage } from "../../components/Errors";
import { DateTime } from "../../components/Format";
import { StateBadge, proposalPath } from "../../components/ProposalCard";
import { ProposalFacts } from "../../components/ProposalFacts";
import { SCORE_KEYS } from "../../components/scores";
import { TransitionActions } from "../../components/TransitionActions";
import { useOptionalViewer } from "../../components/viewer";
import { useWorkflow } from "../../components/workflow";
import { ProposalDocument, type ProposalDetailFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { SignInButton } from "../Landing";
import { ImplementationSection } from "../opd/ImplementationSection";
import { ProgressSection } from "../opd/ProgressSection";
import { AssignmentSection } from "../review/AssignmentSection";
import { BallotSection } from "./BallotSection";
import { ConflictForm } from "./ConflictForm";

function Reviews({ proposal }: { proposal: ProposalDetailFragment }) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="reviews-title">
      <h2 id="reviews-title">{t.proposal.reviews}</h2>
      {proposal.reviews.length === 0 ? (
        <p className="muted">{t.proposal.noReviews}</p>
      ) : (
        <ul className="plain-list">
          {proposal.reviews.map((review) => (
            <li key={review.id}>
              <h3>
                {t.proposal.recommendation}: {t.recommendation[review.recommendation]}
              </h3>
              <p className="muted small">
                {t.proposal.reviewBy(`${review.reviewer.displayName} (${review.reviewer.organization.name})`)} ·{" "}
                {t.proposal.round(review.round)} · <DateTime iso={review.createdAt} />
              </p>
              <dl className="facts">
                {SCORE_KEYS.map((key) => (
                  <Fragment key={key}>
                    <dt>{t.scores[key]}</dt>
                    <dd>{review.scores[key]} / 5</dd>
                  </Fragment>
                ))}
              </dl>
              {review.comment && (
                <p>
                  <span className="visually-hidden">{t.proposal.comment}: </span>
                  {review.comment}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function History({ proposal }: { proposal: ProposalDetailFragment }) {
  const { t } = useI18n();
  const workflow = useWorkflow(proposal.workflowName, proposal.workflowVersion);
  const events = [...proposal.history].sort((a, b) => a.seq - b.seq);
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">{t.proposal.history}</h2>
      {events.length === 0 ? (
        <p className="muted">{t.proposal.noHistory}</p>
      ) : (
        <ol className="history">
          {events.map((event) => {
            const label = event.trigger
              ? (workflow.workflow?.transitions.find((tr) => tr.trigger === event.trigger)?.label ?? event.trigger)
              : (t.audit[event.action] ?? event.action);
            return (
              <li key={event.id}>
                <p>
                  <strong>{label}</strong>
                  {event.fromState && event.toState && event.fromState !== event.toState && (
                    <>
                      {" "}
                      ({workflow.stateLabel(event.fromState)} → {workflow.stateLabel(event.toState)})
                    </>
                  )}
                </p>
                <p className="muted small">
                  {event.actor === "system" ? t.proposal.system : event.actor} · <DateTime iso={event.at} />
                </p>
                {event.comment && <p>{event.comment}</p>}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

/** Router state another page leaves for the proposal page: the state a transition fired there moved the proposal to. */
export interface ProposalPageState {
  movedTo?: string;
}

/** On the public page: the way back to the published proposals (the landing page's list). */
function BackToPublicList() {
  const { t } = useI18n();
  return (
    <p className="back-link">
      <Link to="/" data-testid="back-to-public-list">
        <span aria-hidden="true">← </span>
        {t.publicPage.backToList}
      </Link>
    </p>
  );
}

/** On the public page: what a visitor sees, and "Masuk" (back to this page after signing in). */
function SignInCard({ returnPath }: { returnPath: string }) {
  const { t } = useI18n();
  return (
    <section className="card public-notice" aria-label={t.auth.signIn} data-testid="public-notice">
      <p>{t.publicPage.notice}</p>
      <SignInButton returnPath={returnPath} />
    </section>
  );
}

export function ProposalPage() {
  const { t } = useI18n();
  const viewer = useOptionalViewer();
  const { id = "" } = useParams();
  const movedTo = (useLocation().state as ProposalPageState | null)?.movedTo ?? null;
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ProposalDocument, variables: { id } });
  const workflow = useWorkflow(data?.proposal?.workflowName, data?.proposal?.workflowVersion);
  const reload = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  // Said here, not in the form: once declared, declareConflict leaves availableActions and the form goes.
  const [conflictDeclared, setConflictDeclared] = useState(false);
  const onConflictDeclared = useCallback(() => {
    setConflictDeclared(true);
    reload();
  }, [reload]);

  if (fetching && !data) return <Loading />;
  if (!data) return <RequestError error={error} onRetry={reload} />;
  const proposal = data.proposal;
  if (!proposal) {
    // Without a session only the not-found text (a draft may well exist: "Masuk" for those who may see it),
    // not the public page's notice, which speaks of a proposal shown.
    return (
      <>
        {!viewer && <BackToPublicList />}
        <ProposalNotFound />
        {!viewer && <SignInButton returnPath={proposalPath(id)} />}
      </>
    );
  }
  const actions = proposal.availableActions;

  return (
    <>
      {!viewer && <BackToPublicList />}
      <h1>{proposal.title}</h1>
      <StateBadge proposal={proposal} />
      <StatusMessage>{movedTo && t.proposal.transitionDone(workflow.stateLabel(movedTo))}</StatusMessage>
      {!viewer && <SignInCard returnPath={proposalPath(proposal.id)} />}
      <div className="proposal-layout">
        <div>
          <section className="card" aria-labelledby="summary-title">
            <h2 id="summary-title">{t.proposal.summary}</h2>
            <p className="summary-text">{proposal.summary}</p>
            <ProposalFacts
              proposal={proposal}
              facts={[
                "budget",
                "pillar",
                proposal.planProgramme && {
                  label: t.masterPlan.planProgramme,
                  value: (
                    <Link to="/plan">
                      {proposal.planProgramme.title} ({proposal.planProgramme.code})
                    </Link>
                  ),
                  testId: "plan-programme",
                },
                "organization",
                { label: t.proposal.state, value: workflow.stateLabel(proposal.state) },
                "author",
                "updatedAt",
                proposal.progressPercent !== null && {
                  label: t.proposal.progress,
                  value: t.proposal.progressPercent(proposal.progressPercent),
                },
              ]}
            />
            {(actions.includes("updateProposal") || actions.includes("submitReview")) && (
              <div className="button-row">
                {actions.includes("updateProposal") && (
                  <Link className="button button-secondary" to={`${proposalPath(proposal.id)}/edit`}>
                    {t.proposal.edit}
                  </Link>
                )}
                {actions.includes("submitReview") && (
                  <Link className="button" to={`${proposalPath(proposal.id)}/review`}>
                    {t.proposal.review}
                  </Link>
                )}
              </div>
            )}
          </section>
          <BallotSection key={proposal.ballot?.id ?? "none"} proposal={proposal} onClosed={reload} onChanged={reload} />
          {conflictDeclared && (
            <div className="card">
              <StatusMessage>{t.conflict.done}</StatusMessage>
            </div>
          )}
          {actions.includes("declareConflict") && <ConflictForm proposalId={proposal.id} onDone={onConflictDeclared} />}
          <TransitionActions proposal={proposal} onDone={reload} />
          <ProgressSection proposal={proposal} onDone={reload} />
          <ImplementationSection proposal={proposal} onDone={reload} />
        </div>
        <div>
          {viewer && <AssignmentSection proposalId={proposal.id} onChanged={reload} />}
          <Reviews proposal={proposal} />
          <History proposal={proposal} />
        </div>
      </div>
    </>
  );
}
