/**
 * The charts, loaded on demand: recharts is a large library that only the
 * dashboard and a quick win's page need, so it lives in its own chunk.
 * While it loads a box of the chart's height keeps the page from jumping.
 */
import { lazy, Suspense } from "react";
import type { KpiChartProps } from "./KpiChart";
import type { SpendingChartProps } from "./SpendingChart";

const KpiChartImpl = lazy(() => import("./KpiChart"));
const SpendingChartImpl = lazy(() => import("./SpendingChart"));

function Placeholder() {
  return <div className="chart chart-placeholder" aria-hidden="true" />;
}

export function KpiChart(props: KpiChartProps) {
  return (
    <Suspense fallback={<Placeholder />}>
      <KpiChartImpl {...props} />
    </Suspense>
  );
}

export function SpendingChart(props: SpendingChartProps) {
  return (
    <Suspense fallback={<Placeholder />}>
      <SpendingChartImpl {...props} />
    </Suspense>
  );
}
