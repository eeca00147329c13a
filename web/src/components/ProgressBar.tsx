/**
 * A progress bar (a native <progress>, named for screen readers) with its
 * percentage as text beside it. `value` null: nothing measured yet (an empty
 * bar and "none yet").
 */
import { formatPercent } from "../format";
import { useI18n } from "../i18n";

export function ProgressBar({ value, label, testId }: { value: number | null; label: string; testId?: string }) {
  const { t, lang } = useI18n();
  const shown = value === null ? t.implementation.noProgress : formatPercent(value, lang);
  return (
    <div className="progress-row" data-testid={testId}>
      <progress max={100} value={value ?? 0} aria-label={`${label}: ${shown}`} />
      <span className="progress-value">{shown}</span>
    </div>
  );
}
