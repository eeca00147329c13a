/**
 * Error display: UserErrors of a payload as the API sent them (already in the
 * request's language), and a localised generic message for network or
 * unexpected errors. Both use role="alert" so screen readers announce them.
 */
import type { CombinedError } from "@urql/core";
import { useI18n } from "../i18n";

/** The UserError fields the client shows. */
export interface UserErrorLike {
  code: string;
  field?: string | null;
  message: string;
}

/** A payload's errors next to the form that caused them; nothing when empty. */
export function UserErrors({ errors, id }: { errors: readonly UserErrorLike[] | null | undefined; id?: string }) {
  const { t } = useI18n();
  if (!errors || errors.length === 0) return null;
  return (
    <div className="alert alert-error" role="alert" id={id}>
      <p className="alert-title">{t.common.errorsHeading}</p>
      <ul>
        {errors.map((error, index) => (
          <li key={`${error.code}-${index}`} data-code={error.code}>
            {error.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A network or unexpected GraphQL error, as a localised generic message (never the raw text). */
export function RequestError({ error, onRetry }: { error: CombinedError | Error | null | undefined; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  const network = "networkError" in error && Boolean(error.networkError);
  return (
    <div className="alert alert-error" role="alert">
      <p>{network ? t.common.networkError : t.common.genericError}</p>
      {onRetry && (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          {t.common.retry}
        </button>
      )}
    </div>
  );
}

/** A polite status line (role="status"): success messages, "sending…". */
export function StatusMessage({ children }: { children: React.ReactNode }) {
  if (!children) return null;
  return (
    <p className="alert alert-success" role="status">
      {children}
    </p>
  );
}

/** The loading line. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t.common.loading}
    </p>
  );
}

/** The page for a proposal the API does not know (or does not show the viewer). */
export function ProposalNotFound() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t.common.notFoundTitle}</h1>
      <p>{t.common.proposalNotFound}</p>
    </>
  );
}
