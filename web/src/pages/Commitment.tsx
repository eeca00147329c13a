/**
 * /app/commitment: the current programme's commitment, for everyone (signed
 * out too: the API answers it anonymously). Title, text, its SHA-256, who
 * signed when and who has not yet. A required signatory who has not signed
 * (an OPD head, or the council chair countersigning) sees one button,
 * "Tandatangani / Sign". Signing needs a recent password: when the server
 * answers REAUTHENTICATION_REQUIRED the page sends them through the sign-in
 * form again (useReauthenticate) and back here, remembering in
 * sessionStorage that they meant to sign, so the page can say "signed in
 * again: press the button to sign". They press it again: the act is theirs.
 */
import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { needsReauthentication, useReauthenticate } from "../auth/stepup";
import { Loading, RequestError, UserErrors, type UserErrorLike } from "../components/Errors";
import { DateTime } from "../components/Format";
import { useOptionalViewer } from "../components/viewer";
import { CurrentCommitmentDocument, SignCommitmentDocument, type CommitmentDetailFragment } from "../generated/graphql";
import { useI18n } from "../i18n";
import { SignInButton } from "./Landing";

const INTENT_KEY = "council.commitmentIntent";

function readIntent(): { commitmentId: string; username: string } | null {
  try {
    const raw = sessionStorage.getItem(INTENT_KEY);
    return raw ? (JSON.parse(raw) as { commitmentId: string; username: string }) : null;
  } catch {
    return null;
  }
}

function writeIntent(value: { commitmentId: string; username: string } | null): void {
  try {
    if (value) sessionStorage.setItem(INTENT_KEY, JSON.stringify(value));
    else sessionStorage.removeItem(INTENT_KEY);
  } catch {
    // storage refused (private mode): the member just presses the button again
  }
}

function SignButton({ commitment, username }: { commitment: CommitmentDetailFragment; username: string }) {
  const { t } = useI18n();
  const reauthenticate = useReauthenticate();
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [intent] = useState(() => readIntent());
  const [{ fetching, error }, signCommitment] = useMutation(SignCommitmentDocument);
  const returned = intent?.commitmentId === commitment.id && intent.username === username;

  const sign = async () => {
    setErrors([]);
    const payload = (await signCommitment({ input: { commitmentId: commitment.id } })).data?.signCommitment;
    if (!payload) return;
    if (needsReauthentication(payload.errors)) {
      writeIntent({ commitmentId: commitment.id, username });
      await reauthenticate(); // leaves the page; comes back here signed in afresh
      return;
    }
    writeIntent(null);
    setErrors(payload.errors);
  };

  return (
    <section className="card" aria-labelledby="sign-title">
      <h2 id="sign-title">{t.commitment.yourSignature}</h2>
      <p>{t.commitment.signIntro}</p>
      {returned && (
        <p className="alert alert-info" role="status">
          {t.commitment.reauthenticated}
        </p>
      )}
      <p className="muted small">{t.commitment.passwordNote}</p>
      <button type="button" className="button" disabled={fetching} onClick={() => void sign()}>
        {t.commitment.sign}
      </button>
      <UserErrors errors={errors} />
      <RequestError error={error} />
    </section>
  );
}

function SignatoryList({ title, id, items }: { title: string; id: string; items: CommitmentDetailFragment["signatories"] }) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>
        {title} ({items.length})
      </h2>
      {items.length === 0 ? (
        <p className="muted">{t.common.none}</p>
      ) : (
        <ul className="plain-list">
          {items.map((s) => (
            <li key={s.member.id}>
              <strong>{s.member.displayName}</strong> · {s.organization.name}
              {s.role === "COUNTERSIGNATORY" && <span className="muted"> · {t.commitment.countersignatory}</span>}
              {s.signedAt && (
                <span className="muted small">
                  {" "}
                  · {t.commitment.signedOn} <DateTime iso={s.signedAt} />
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function CommitmentPage() {
  const { t } = useI18n();
  const viewer = useOptionalViewer();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: CurrentCommitmentDocument });
  if (fetching && !data) return <Loading />;
  if (error && !data) return <RequestError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  const commitment = data?.programme?.commitment ?? null;
  if (!commitment) {
    return (
      <article>
        <h1>{t.commitment.title}</h1>
        <p className="muted">{t.commitment.none}</p>
      </article>
    );
  }
  const signed = commitment.signatories.filter((s) => s.signedAt);
  const outstanding = commitment.signatories.filter((s) => !s.signedAt);
  const mine = viewer ? outstanding.find((s) => s.member.username === viewer.username) : undefined;
  return (
    <article>
      <p className="muted small">{t.commitment.title}</p>
      <h1>{commitment.title}</h1>
      <p>
        <span className="badge">
          {commitment.status === "COMPLETE" ? t.commitment.complete : t.commitment.open}
        </span>{" "}
        {t.commitment.count(commitment.signedCount, commitment.requiredCount)}
      </p>
      <section className="card" aria-labelledby="text-title">
        <h2 id="text-title">{t.commitment.text}</h2>
        <p className="commitment-text" lang="id">
          {commitment.text}
        </p>
        <p className="muted small">
          {t.commitment.hash}: <code className="hash">{commitment.textHash}</code>
        </p>
      </section>
      {mine && viewer && <SignButton commitment={commitment} username={viewer.username} />}
      {!viewer && outstanding.length > 0 && (
        <p>
          <SignInButton returnPath="/commitment" />
        </p>
      )}
      <SignatoryList title={t.commitment.signed} id="signed-title" items={signed} />
      <SignatoryList title={t.commitment.outstanding} id="outstanding-title" items={outstanding} />
    </article>
  );
}
