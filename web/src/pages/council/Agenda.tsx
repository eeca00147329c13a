/** /app/agenda: proposals in quick_win_approval (placeholder in the foundation). */
import { useI18n } from "../../i18n";

export function Agenda() {
  const { t } = useI18n();
  return <h1>{t.agenda.title}</h1>;
}
