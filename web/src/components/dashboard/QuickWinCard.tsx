/**
 * One quick win on the public dashboard: its title (to the proposal page),
 * OPD and state, the progress bar (Proposal.progressPercent: the milestones'
 * weighted roll-up, else the latest report), its milestones, KPI charts and
 * spending against the approved budget.
 */
import { Link } from "react-router";
import type { DashboardQuickWinFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { KpiCard } from "../implementation/KpiCard";
import { MilestoneList } from "../implementation/MilestoneList";
import { SpendingSummary } from "../implementation/SpendingSummary";
import { StateBadge, proposalPath } from "../ProposalCard";
import { ProgressBar } from "../ProgressBar";

export function QuickWinCard({ quickWin }: { quickWin: DashboardQuickWinFragment }) {
  const { t } = useI18n();
  return (
    <li className="card quick-win" data-testid="quick-win">
      <h3 className="proposal-title">
        <Link to={proposalPath(quickWin.id)}>{quickWin.title}</Link>
      </h3>
      <p className="small muted">{quickWin.organization.name}</p>
      <p>
        <StateBadge proposal={quickWin} />
      </p>
      <ProgressBar
        value={quickWin.progressPercent}
        label={`${t.implementation.progress} ${quickWin.title}`}
        testId="quick-win-progress"
      />
      <h4>{t.implementation.milestones}</h4>
      <MilestoneList milestones={quickWin.milestones} level={5} />
      <h4>{t.implementation.kpis}</h4>
      {quickWin.kpis.length === 0 ? (
        <p className="muted small">{t.implementation.noKpis}</p>
      ) : (
        <ul className="kpis">
          {quickWin.kpis.map((kpi) => (
            <KpiCard key={kpi.id} kpi={kpi} level={5} />
          ))}
        </ul>
      )}
      <h4>{t.implementation.spending}</h4>
      <SpendingSummary
        title={quickWin.title}
        spending={quickWin.spending}
        budgetApproved={quickWin.budgetApproved}
        budgetRealised={quickWin.budgetRealised}
      />
    </li>
  );
}
