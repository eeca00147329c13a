/** /app/proposals/:id (placeholder in the foundation). */
import { useI18n } from "../../i18n";

export function ProposalPage() {
  const { t } = useI18n();
  return <h1>{t.proposal.title}</h1>;
}
