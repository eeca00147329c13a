/**
 * Spending against the approved budget: approved and realised (whole rupiah,
 * the API's strings, summed with BigInt), a bar of the realised share, the
 * chart of spending per period with its running total, and the reports as a
 * table in a <details> (the chart's text alternative).
 */
import { formatRupiah } from "../../format";
import type { SpendingFieldsFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { SpendingChart } from "../charts";
import { Money } from "../Format";
import { ProgressBar } from "../ProgressBar";

/** realised / approved in percent (may exceed 100), or null without an approved budget. */
export function realisedPercent(realised: string, approved: string | null): number | null {
  if (approved === null || BigInt(approved) === 0n) return null;
  return Number((BigInt(realised) * 10000n) / BigInt(approved)) / 100;
}

/** Spending per period, in the order periods first appear, with the running total. */
function perPeriod(spending: readonly SpendingFieldsFragment[]) {
  const sums = new Map<string, bigint>();
  for (const s of spending) sums.set(s.period, (sums.get(s.period) ?? 0n) + BigInt(s.amount));
  let total = 0n;
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([period, amount]) => {
      total += amount;
      return { period, amount: Number(amount), cumulative: Number(total), total: total.toString() };
    });
}

export function SpendingSummary({
  title,
  spending,
  budgetApproved,
  budgetRealised,
}: {
  /** The quick win's title (names the chart's table). */
  title: string;
  spending: readonly SpendingFieldsFragment[];
  budgetApproved: string | null;
  budgetRealised: string;
}) {
  const { t } = useI18n();
  const percent = realisedPercent(budgetRealised, budgetApproved);
  const rows = perPeriod(spending);
  const over = budgetApproved !== null && BigInt(budgetRealised) > BigInt(budgetApproved);
  return (
    <div className="spending" data-testid="spending">
      <dl className="facts facts-inline">
        <dt>{t.dashboard.budgetApproved}</dt>
        <dd data-testid="budget-approved">
          {budgetApproved === null ? t.implementation.noBudgetApproved : <Money amount={budgetApproved} />}
        </dd>
        <dt>{t.dashboard.budgetRealised}</dt>
        <dd data-testid="budget-realised">
          <Money amount={budgetRealised} />
        </dd>
      </dl>
      {percent !== null && <ProgressBar value={Math.min(percent, 100)} label={`${t.dashboard.budgetRealised} ${title}`} />}
      {over && <p className="alert alert-warning">{t.implementation.overBudget}</p>}
      {spending.length === 0 ? (
        <p className="muted small">{t.implementation.noSpending}</p>
      ) : (
        <>
          <SpendingChart rows={rows} budgetApproved={budgetApproved === null ? null : Number(budgetApproved)} />
          <details className="chart-table">
            <summary>{t.implementation.tableOf(t.implementation.spendingOf(title))}</summary>
            <table data-testid="spending-table">
              <thead>
                <tr>
                  <th scope="col">{t.implementation.period}</th>
                  <th scope="col">{t.implementation.amount}</th>
                  <th scope="col">{t.implementation.note}</th>
                </tr>
              </thead>
              <tbody>
                {spending.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">{s.period}</th>
                    <td className="number">{formatRupiah(s.amount)}</td>
                    <td>{s.note}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t.implementation.cumulative}</th>
                  <td className="number">{formatRupiah(budgetRealised)}</td>
                  <td />
                </tr>
              </tfoot>
            </table>
          </details>
        </>
      )}
    </div>
  );
}
