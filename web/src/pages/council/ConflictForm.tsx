/**
 * "Declare a conflict of interest" (declareConflict), shown when
 * availableActions has "declareConflict": the member leaves the open ballot
 * (a vote already cast is withdrawn) and the reason is shown on the ballot.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { RequestError, UserErrors, type UserErrorLike } from "../../components/Errors";
import { DeclareConflictDocument } from "../../generated/graphql";
import { useI18n } from "../../i18n";

export function ConflictForm({ proposalId, onDone }: { proposalId: string; onDone?: () => void }) {
  const { t } = useI18n();
  const id = useId();
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState(false);
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [done, setDone] = useState(false);
  const [{ fetching, error }, declare] = useMutation(DeclareConflictDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors([]);
    if (!reason.trim()) {
      setMissing(true);
      return;
    }
    setMissing(false);
    const result = await declare({ input: { proposalId, reason: reason.trim() } });
    const payload = result.data?.declareConflict;
    if (!payload) return;
    if (payload.errors.length > 0) {
      setErrors(payload.errors);
      return;
    }
    setDone(true);
    setReason("");
    onDone?.();
  };

  if (done) return null; // the page says it (onDone)

  // A disclosure: most members never need it, and on a phone it would push the page down.
  return (
    <details className="card disclosure" open={missing || errors.length > 0 || undefined}>
      <summary>
        <h2 id={`${id}-title`}>{t.conflict.title}</h2>
      </summary>
      <p className="muted">{t.conflict.intro}</p>
      <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${id}-title`}>
        <div className="field">
          <label htmlFor={`${id}-reason`}>{t.conflict.reason}</label>
          <textarea
            id={`${id}-reason`}
            rows={3}
            value={reason}
            required
            aria-invalid={missing ? true : undefined}
            aria-describedby={missing ? `${id}-missing` : undefined}
            onChange={(event) => setReason(event.target.value)}
          />
          {missing && (
            <p className="field-error" id={`${id}-missing`} role="alert">
              {t.conflict.reasonMissing}
            </p>
          )}
        </div>
        <button type="submit" className="button button-secondary" disabled={fetching}>
          {t.conflict.submit}
        </button>
      </form>
      <UserErrors errors={errors} />
      <RequestError error={error} />
    </details>
  );
}
