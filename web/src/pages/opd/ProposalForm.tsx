/** /app/proposals/new and /app/proposals/:id/edit: the OPD draft form (placeholder until the OPD pages land). */
import { useI18n } from "../../i18n";

export function ProposalForm({ mode }: { mode: "new" | "edit" }) {
  const { t } = useI18n();
  return (
    <>
      <h1>{mode === "new" ? t.opd.newTitle : t.opd.editTitle}</h1>
      <p>{t.opd.placeholder}</p>
    </>
  );
}
