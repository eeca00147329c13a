/**
 * One KPI: its name, baseline → target (unit, direction), achievement bar
 * (the API's achievementPercent: the share of the way from baseline to
 * target, 0–100), the chart of its measurements and, for screen readers and
 * anyone who wants the numbers, the measurements as a table in a <details>.
 */
import type { ReactNode } from "react";
import { formatNumber } from "../../format";
import type { KpiFieldsFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { KpiChart } from "../charts";
import { ProgressBar } from "../ProgressBar";
import { DateTime } from "../Format";

export function KpiCard({ kpi, level = 3, children }: { kpi: KpiFieldsFragment; level?: 3 | 4 | 5; children?: ReactNode }) {
  const { t, lang } = useI18n();
  const Title = `h${level}` as const;
  const unit = kpi.unit;
  return (
    <li className="kpi" data-testid="kpi">
      <Title className="kpi-title">{kpi.name}</Title>
      <p className="small muted">
        {t.implementation.kpiSummary(
          formatNumber(kpi.baseline, lang),
          formatNumber(kpi.target, lang),
          unit,
          t.implementation.direction[kpi.direction],
        )}
      </p>
      <ProgressBar value={kpi.achievementPercent} label={`${t.implementation.achievement} ${kpi.name}`} testId="kpi-achievement" />
      {kpi.measurements.length === 0 ? (
        <p className="muted small">{t.implementation.noMeasurements}</p>
      ) : (
        <>
          <KpiChart points={kpi.measurements} baseline={kpi.baseline} target={kpi.target} />
          <details className="chart-table">
            <summary>{t.implementation.tableOf(kpi.name)}</summary>
            <table data-testid="kpi-table">
              <caption className="visually-hidden">
                {kpi.name} ({unit})
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t.implementation.period}</th>
                  <th scope="col">
                    {t.implementation.value} ({unit})
                  </th>
                  <th scope="col">{t.implementation.note}</th>
                </tr>
              </thead>
              <tbody>
                {kpi.measurements.map((m) => (
                  <tr key={m.period}>
                    <th scope="row">{m.period}</th>
                    <td className="number">{formatNumber(m.value, lang)}</td>
                    <td>
                      {m.note}
                      <span className="visually-hidden">
                        {" "}
                        <DateTime iso={m.recordedAt} />
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
      {children}
    </li>
  );
}
