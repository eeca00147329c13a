/**
 * One pillar on the dashboard (Programme.pillarProgress): how many quick
 * wins and how many completed, the pillar's progress (weighted by approved
 * budget, the API's roll-up), approved against realised budget, then its
 * quick wins. A pillar without quick wins is one short card.
 */
import type { DashboardQuery, DashboardQuickWinFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { Money } from "../Format";
import { ProgressBar } from "../ProgressBar";
import { QuickWinCard } from "./QuickWinCard";

type PillarProgress = NonNullable<DashboardQuery["programme"]>["pillarProgress"][number];

export function PillarSection({ row, quickWins }: { row: PillarProgress; quickWins: readonly DashboardQuickWinFragment[] }) {
  const { t } = useI18n();
  const id = `pillar-${row.pillar.code}`;
  if (row.quickWins === 0 && quickWins.length === 0) {
    // A pillar without quick wins: its name and one line, not a card of zeros.
    return (
      <section className="card pillar pillar-empty" aria-labelledby={id} data-testid="pillar" data-pillar={row.pillar.code}>
        <h2 id={id}>{row.pillar.label}</h2>
        <p className="muted" data-testid="pillar-count">
          {t.dashboard.noQuickWins}
        </p>
      </section>
    );
  }
  return (
    <section className="pillar" aria-labelledby={id} data-testid="pillar" data-pillar={row.pillar.code}>
      <div className="card pillar-summary">
        <h2 id={id}>{row.pillar.label}</h2>
        <p data-testid="pillar-count">{t.dashboard.quickWinCount(row.quickWins, row.completed)}</p>
        <ProgressBar value={row.progressPercent} label={`${t.implementation.progress} ${row.pillar.label}`} testId="pillar-progress" />
        <dl className="facts facts-inline">
          <dt>{t.dashboard.budgetApproved}</dt>
          <dd data-testid="pillar-budget-approved">
            <Money amount={row.budgetApproved} />
          </dd>
          <dt>{t.dashboard.budgetRealised}</dt>
          <dd data-testid="pillar-budget-realised">
            <Money amount={row.budgetRealised} />
          </dd>
        </dl>
      </div>
      {quickWins.length > 0 && (
        <ul className="quick-win-list">
          {quickWins.map((quickWin) => (
            <QuickWinCard key={quickWin.id} quickWin={quickWin} />
          ))}
        </ul>
      )}
    </section>
  );
}
