/**
 * Spending against the approved budget: a bar per period (what was reported
 * for it) and the running total as a line, with the approved budget as a
 * reference line (recharts, loaded on demand: see ./index.tsx). Amounts are
 * Numbers here, for drawing only (exact amounts are in the table beside it,
 * through formatRupiah). aria-hidden like KpiChart: the table is the text.
 */
import { Bar, CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, XAxis, YAxis } from "recharts";
import { formatRupiahShort } from "../../format";
import { useI18n } from "../../i18n";

export interface SpendingChartProps {
  /** Per period, in order: the period's amount and the running total (whole rupiah as Numbers). */
  rows: readonly { period: string; amount: number; cumulative: number }[];
  budgetApproved: number | null;
}

export default function SpendingChart({ rows, budgetApproved }: SpendingChartProps) {
  const { t, lang } = useI18n();
  return (
    <div className="chart" aria-hidden="true" data-testid="spending-chart">
      <ResponsiveContainer width="100%" height={200}>
        <ComposedChart data={[...rows]} margin={{ top: 16, right: 12, bottom: 4, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#d9dee5" strokeDasharray="3 3" />
          <XAxis dataKey="period" tick={{ fontSize: 12, fill: "#4a5260" }} />
          <YAxis
            width={52}
            domain={[0, "auto"]}
            tick={{ fontSize: 12, fill: "#4a5260" }}
            tickFormatter={(v: number) => formatRupiahShort(v, lang)}
          />
          {budgetApproved !== null && (
            <ReferenceLine
              y={budgetApproved}
              ifOverflow="extendDomain"
              stroke="#a3161a"
              strokeDasharray="6 3"
              label={{ value: t.dashboard.budgetApproved, position: "insideTopLeft", fontSize: 11, fill: "#a3161a" }}
            />
          )}
          <Bar dataKey="amount" fill="#7fa7cc" isAnimationActive={false} />
          <Line type="monotone" dataKey="cumulative" stroke="#0b4f8a" strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
