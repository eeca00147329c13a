/**
 * A KPI's measurements as a line over the periods, with the baseline and the
 * target as reference lines (recharts, loaded on demand: see ./index.tsx).
 * Drawn for sighted readers only (aria-hidden, no keyboard layer): the
 * measurements' table beside it is what a screen reader reads. Fits 360 px
 * (ResponsiveContainer, short axis labels); the axis takes in baseline and target.
 */
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, XAxis, YAxis } from "recharts";
import { formatNumber } from "../../format";
import { useI18n } from "../../i18n";

export interface KpiChartProps {
  points: readonly { period: string; value: number }[];
  baseline: number;
  target: number;
}

export default function KpiChart({ points, baseline, target }: KpiChartProps) {
  const { t, lang } = useI18n();
  return (
    <div className="chart" aria-hidden="true" data-testid="kpi-chart">
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={[...points]} margin={{ top: 16, right: 12, bottom: 4, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#d9dee5" strokeDasharray="3 3" />
          <XAxis dataKey="period" tick={{ fontSize: 12, fill: "#4a5260" }} />
          <YAxis
            width={48}
            domain={["auto", "auto"]}
            tick={{ fontSize: 12, fill: "#4a5260" }}
            tickFormatter={(v: number) => formatNumber(v, lang)}
          />
          <ReferenceLine
            y={baseline}
            ifOverflow="extendDomain"
            stroke="#4a5260"
            strokeDasharray="4 4"
            label={{ value: t.implementation.baseline, position: "insideBottomLeft", fontSize: 11, fill: "#4a5260" }}
          />
          <ReferenceLine
            y={target}
            ifOverflow="extendDomain"
            stroke="#1e6b34"
            strokeDasharray="6 3"
            label={{ value: t.implementation.target, position: "insideTopLeft", fontSize: 11, fill: "#1e6b34" }}
          />
          <Line type="monotone" dataKey="value" stroke="#0b4f8a" strokeWidth={2} dot={{ r: 4 }} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
