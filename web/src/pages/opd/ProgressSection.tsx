/**
 * The implementation progress section of the proposal page: the progress
 * list, and the report form when availableActions has "reportProgress".
 * (Placeholder: the list only, until the OPD pages land.)
 */
import type { ProposalDetailFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";

export interface ProgressSectionProps {
  proposal: ProposalDetailFragment;
}

export function ProgressSection({ proposal }: ProgressSectionProps) {
  const { t } = useI18n();
  if (proposal.progress.length === 0 && !proposal.availableActions.includes("reportProgress")) return null;
  return (
    <section className="card" aria-labelledby="progress-title">
      <h2 id="progress-title">{t.opd.progressTitle}</h2>
      {proposal.progress.length === 0 ? (
        <p className="muted">{t.opd.noProgress}</p>
      ) : (
        <ul className="plain-list">
          {proposal.progress.map((report) => (
            <li key={report.id}>
              {t.proposal.progressPercent(report.percent)} — {report.note}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
