/** /app/mine: the viewer's organisation's proposals (placeholder until the OPD pages land). */
import { Link } from "react-router";
import { useI18n } from "../../i18n";

export function MyProposals() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t.opd.mineTitle}</h1>
      <p>{t.opd.placeholder}</p>
      <p>
        <Link to="/proposals/new">{t.opd.newProposal}</Link>
      </p>
    </>
  );
}
