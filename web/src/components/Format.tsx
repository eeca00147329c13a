/** Small display components for the API's values (money, instants, pillars). */
import { useAuth } from "../auth/context";
import { formatDateTime, formatRupiah } from "../format";
import { useI18n } from "../i18n";

/** Whole rupiah (the Rupiah scalar, a digit string) as "Rp 15.750.000.000". */
export function Money({ amount }: { amount: string }) {
  return <span className="money">{formatRupiah(amount)}</span>;
}

/** An instant in the city's time zone (config.json), with the zone's name (WIB), in a <time>. */
export function DateTime({ iso, weekday = false }: { iso: string; weekday?: boolean }) {
  const { lang } = useI18n();
  const { config } = useAuth();
  return <time dateTime={iso}>{formatDateTime(iso, lang, config.timezone, weekday)}</time>;
}

/** A pillar's label as the API gives it (its programme's words, in the request's language). */
export function PillarLabel({ pillar }: { pillar: { code: string; label: string } }) {
  return <>{pillar.label}</>;
}
