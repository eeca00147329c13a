/**
 * Formatting of the API's values for people: rupiah amounts, dates in the
 * city's time zone, means of rubric scores.
 *
 * The Rupiah scalar is a string of decimal digits (whole rupiah, it may exceed
 * 2^53), so amounts go through BigInt, never through Number.
 */
import type { Lang } from "./i18n";

const DIGITS = /^\d+$/;

/**
 * Format whole rupiah for people: "15750000000" → "Rp 15.750.000.000".
 *
 * Uses Intl id-ID digit grouping (a dot) over a BigInt in both languages: the
 * issue asks for the Indonesian money format. A value that is not a string of
 * digits is returned unchanged.
 */
export function formatRupiah(amount: string): string {
  if (!DIGITS.test(amount)) return amount;
  const grouped = new Intl.NumberFormat("id-ID", { useGrouping: true, maximumFractionDigits: 0 }).format(
    BigInt(amount),
  );
  return `Rp ${grouped}`;
}

/**
 * Read a rupiah amount typed by a person: "15.750.000.000", "15750000000",
 * "Rp 15.750.000.000" or "15 750 000 000" → "15750000000" (digits only).
 *
 * Returns null when the text is not a whole, non-negative amount (a comma
 * decimal part, letters, a minus sign): rupiah here are whole.
 */
export function parseRupiah(text: string): string | null {
  const cleaned = text.trim().replace(/^rp\.?\s*/i, "").replace(/[.\s\u00a0]/g, "");
  if (!DIGITS.test(cleaned)) return null;
  return BigInt(cleaned).toString();
}

/** Intl locale for a UI language: id-ID, or en-GB (day before month, 24-hour clock). */
export function locale(lang: Lang): string {
  return lang === "id" ? "id-ID" : "en-GB";
}

/**
 * Format an ISO 8601 instant (the DateTime scalar, UTC) in the city's time zone
 * with the zone's short name, e.g. "Rabu, 2 Desember 2026 pukul 14.30 WIB".
 *
 * @param iso     the API's DateTime (an ISO 8601 string)
 * @param timeZone IANA zone from /app/config.json (Asia/Jakarta for Pekanbaru)
 */
export function formatDateTime(iso: string, lang: Lang, timeZone: string, withWeekday = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = new Intl.DateTimeFormat(locale(lang), {
    timeZone,
    weekday: withWeekday ? "long" : undefined,
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(date);
  return `${text} ${zoneName(date, timeZone)}`;
}

/**
 * The zone's short name as Indonesians write it (WIB, WITA, WIT), in both UI
 * languages: en-GB would say "GMT+7" for Asia/Jakarta.
 */
export function zoneName(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("id-ID", { timeZone, timeZoneName: "short" }).formatToParts(date);
  return parts.find((part) => part.type === "timeZoneName")?.value ?? timeZone;
}

/** Format a number with one decimal in the UI language (id: "4,5"; en: "4.5"). */
export function formatDecimal(value: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}

/** Arithmetic mean of the numbers, or null for an empty list. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/**
 * Format a range of calendar dates (the Date scalar, "2018-07-04"; both days
 * inclusive, already the city's dates) in the UI language: "4–5 Juli 2018",
 * "22 Oktober 2018" for one day. The dates carry no time, so they are read and
 * written at UTC midnight: no time zone can move them to another day.
 */
export function formatDateRange(startsOn: string, endsOn: string, lang: Lang): string {
  const start = new Date(`${startsOn}T00:00:00Z`);
  const end = new Date(`${endsOn}T00:00:00Z`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return `${startsOn} – ${endsOn}`;
  const format = new Intl.DateTimeFormat(locale(lang), { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" });
  return startsOn === endsOn ? format.format(start) : format.formatRange(start, end);
}

/**
 * Format a calendar date (the Date scalar, "2026-12-01", already the city's
 * date) in the UI language: "1 Desember 2026". Read at UTC midnight, as
 * formatDateRange does, so no time zone moves it to another day.
 */
export function formatDate(date: string, lang: Lang): string {
  const value = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(value.getTime())) return date;
  return new Intl.DateTimeFormat(locale(lang), { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" }).format(
    value,
  );
}

/** A percentage (0–100, may have decimals) with at most one decimal: id "42,5%", en "42.5%". */
export function formatPercent(value: number, lang: Lang): string {
  return `${new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 1 }).format(value)}%`;
}

/** A measured value (a KPI's, a Float) with up to two decimals in the UI language: id "1.234,5". */
export function formatNumber(value: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 2 }).format(value);
}

/**
 * A rupiah amount for a chart's axis, short: id "1,5 M" (miliar), en "1.5B".
 * Only for axis ticks (a Number is exact enough there); amounts people read go
 * through formatRupiah.
 */
export function formatRupiahShort(amount: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { notation: "compact", maximumFractionDigits: 1 }).format(amount);
}

/**
 * Read a decimal number typed by a person: "12,5", "12.5", "-3" → the number;
 * null when the text is empty or not a number. A comma is a decimal comma
 * (Bahasa Indonesia); thousands separators are not accepted.
 */
export function parseDecimal(text: string): number | null {
  const cleaned = text.trim().replace(",", ".");
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

/** True for the API's period strings: "2026", "2026-07" or "2026-Q3". */
export function isPeriod(text: string): boolean {
  return /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/.test(text);
}

/**
 * How far an instant is from `now`, in words in the UI language: id "dalam 3 hari", "2 jam yang lalu";
 * en "in 3 days", "2 hours ago". Minutes under an hour, hours under two days, then days.
 */
export function formatRelative(iso: string, lang: Lang, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const minutes = Math.round((date.getTime() - now.getTime()) / 60_000);
  const format = new Intl.RelativeTimeFormat(locale(lang), { numeric: "auto" });
  if (Math.abs(minutes) < 60) return format.format(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return format.format(hours, "hour");
  return format.format(Math.round(hours / 24), "day");
}
