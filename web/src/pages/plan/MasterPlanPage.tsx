/**
 * /app/plan: the current programme's master plan, for everyone. The latest
 * version rendered from Markdown, the list of versions, the acceleration
 * programmes (what proposals link to), and the comments on the latest
 * version: the API answers them only to a signed-in member. A council
 * member, the chair, the technical team and university reviewers get the
 * comment form, the chair the "Finalise" button (display only: the API
 * decides, and a refusal is shown as it comes). Once finalised the page
 * reads only.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { Loading, RequestError, StatusMessage, UserErrors, type UserErrorLike } from "../../components/Errors";
import { DateTime, PillarLabel } from "../../components/Format";
import { Markdown } from "../../components/Markdown";
import { COUNCIL_ROLES, REVIEW_ROLES, hasAny } from "../../components/roles";
import { useOptionalViewer } from "../../components/viewer";
import {
  CommentOnMasterPlanDocument,
  FinalizeMasterPlanDocument,
  MasterPlanDocument,
  type MasterPlanVersionFieldsFragment,
} from "../../generated/graphql";
import { useI18n } from "../../i18n";

const CONTEXT = { additionalTypenames: ["MasterPlan", "MasterPlanVersion", "MasterPlanComment"] };

function CommentForm({ versionId, onDone }: { versionId: string; onDone: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState("");
  const [missing, setMissing] = useState(false);
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [{ fetching, error }, send] = useMutation(CommentOnMasterPlanDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors([]);
    if (!text.trim()) {
      setMissing(true);
      return;
    }
    setMissing(false);
    const result = await send({ input: { versionId, text: text.trim() } });
    const payload = result.data?.commentOnMasterPlan;
    if (!payload) return;
    if (payload.errors.length > 0) {
      setErrors(payload.errors);
      return;
    }
    setText("");
    onDone();
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <div className="field">
        <label htmlFor={`${id}-text`}>{t.masterPlan.commentLabel}</label>
        <textarea
          id={`${id}-text`}
          rows={3}
          value={text}
          required
          aria-invalid={missing ? true : undefined}
          aria-describedby={missing ? `${id}-missing` : undefined}
          onChange={(event) => setText(event.target.value)}
        />
        {missing && (
          <p className="field-error" id={`${id}-missing`} role="alert">
            {t.masterPlan.commentMissing}
          </p>
        )}
      </div>
      <button type="submit" className="button button-secondary" disabled={fetching}>
        {t.masterPlan.commentSubmit}
      </button>
      <UserErrors errors={errors} />
      <RequestError error={error} />
    </form>
  );
}

function Comments({
  version,
  canComment,
  signedIn,
  onChanged,
}: {
  version: MasterPlanVersionFieldsFragment;
  canComment: boolean;
  signedIn: boolean;
  onChanged: (message: string) => void;
}) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="plan-comments-title">
      <h2 id="plan-comments-title">{t.masterPlan.comments}</h2>
      {!signedIn ? (
        <p className="muted">{t.masterPlan.commentsSignIn}</p>
      ) : version.comments.length === 0 ? (
        <p className="muted">{t.masterPlan.noComments}</p>
      ) : (
        <ul className="plain-list">
          {version.comments.map((comment) => (
            <li key={comment.id}>
              <p className="muted small">
                {comment.author?.displayName ?? t.common.none} · <DateTime iso={comment.createdAt} />
              </p>
              <p className="summary-text">{comment.text}</p>
            </li>
          ))}
        </ul>
      )}
      {canComment && <CommentForm versionId={version.id} onDone={() => onChanged(t.masterPlan.commentSent)} />}
    </section>
  );
}

function FinalizeButton({ planId, onDone }: { planId: string; onDone: (message: string) => void }) {
  const { t } = useI18n();
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [{ fetching, error }, finalize] = useMutation(FinalizeMasterPlanDocument);

  const run = async () => {
    if (!window.confirm(t.masterPlan.finalizeConfirm)) return;
    setErrors([]);
    const result = await finalize({ input: { masterPlanId: planId } });
    const payload = result.data?.finalizeMasterPlan;
    if (!payload) return;
    if (payload.errors.length > 0) {
      setErrors(payload.errors);
      return;
    }
    onDone(t.masterPlan.finalizedNow);
  };

  return (
    <div className="button-row">
      <button type="button" className="button" disabled={fetching} onClick={() => void run()}>
        {t.masterPlan.finalize}
      </button>
      <UserErrors errors={errors} />
      <RequestError error={error} />
    </div>
  );
}

export function MasterPlanPage() {
  const { t } = useI18n();
  const viewer = useOptionalViewer();
  const [message, setMessage] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({ query: MasterPlanDocument, context: CONTEXT });
  const reload = (text: string) => {
    setMessage(text);
    refetch({ requestPolicy: "network-only" });
  };

  if (fetching && !data) return <Loading />;
  if (error && !data) return <RequestError error={error} onRetry={() => refetch({ requestPolicy: "network-only" })} />;
  const plan = data?.masterPlan;
  if (!plan) {
    return (
      <>
        <h1>{t.masterPlan.title}</h1>
        <p className="muted">{t.masterPlan.none}</p>
      </>
    );
  }
  const roles = viewer?.roles ?? [];
  const open = !plan.finalizedAt;
  const canComment = open && hasAny(roles, [...COUNCIL_ROLES, ...REVIEW_ROLES]);
  const isChair = open && roles.includes("COUNCIL_CHAIR");
  const version = plan.currentVersion;

  return (
    <>
      <h1>{plan.title || t.masterPlan.title}</h1>
      <StatusMessage>{message}</StatusMessage>
      <p className="muted" data-testid="plan-status">
        {plan.finalizedAt ? (
          <>
            {t.masterPlan.finalized(plan.finalizedBy?.displayName ?? t.common.none)} <DateTime iso={plan.finalizedAt} />
          </>
        ) : (
          t.masterPlan.draft
        )}
      </p>
      {isChair && version && <FinalizeButton planId={plan.id} onDone={reload} />}
      <div className="proposal-layout">
        <div>
          {version && (
            <section className="card" aria-labelledby="plan-version-title">
              <h2 id="plan-version-title">
                {t.masterPlan.version(version.number)}
                {version.author && <span className="muted small"> · {t.masterPlan.versionBy(version.author.displayName)}</span>}
              </h2>
              <Markdown text={version.text} />
              <p className="muted small hash">
                {t.masterPlan.textHash}: <code>{version.textHash}</code>
              </p>
            </section>
          )}
          {version && <Comments version={version} canComment={canComment} signedIn={viewer !== null} onChanged={reload} />}
        </div>
        <div>
          <section className="card" aria-labelledby="plan-programmes-title">
            <h2 id="plan-programmes-title">{t.masterPlan.programmes}</h2>
            {plan.programmes.length === 0 ? (
              <p className="muted">{t.masterPlan.noProgrammes}</p>
            ) : (
              <ul className="plain-list">
                {plan.programmes.map((programme) => (
                  <li key={programme.id}>
                    <strong>{programme.title}</strong>
                    <br />
                    <span className="muted small">
                      {programme.code} · <PillarLabel pillar={programme.pillar} />
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="card" aria-labelledby="plan-versions-title">
            <h2 id="plan-versions-title">{t.masterPlan.versions}</h2>
            <ol className="plain-list">
              {plan.versions.map((v) => (
                <li key={v.id}>
                  {t.masterPlan.version(v.number)} · <DateTime iso={v.createdAt} />
                  {v.author && <> · {t.masterPlan.versionBy(v.author.displayName)}</>}
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </>
  );
}
