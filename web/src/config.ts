/**
 * The deployment's settings for the client, from GET /app/config.json (served
 * by the Council app): the OAuth client id, the issuer (the server's public
 * origin, whose /app/callback is the exact redirect URI), the city's time zone
 * and the language of the city's locale.
 */
export interface AppConfig {
  /** OAuth client_id of the public web client ("council-web"). */
  clientId: string;
  /** The token issuer, e.g. "http://127.0.0.1:8000" (no trailing slash). */
  issuer: string;
  /** IANA time zone of the city, e.g. "Asia/Jakarta". */
  timezone: string;
  /** The language of the city's locale ("id" for id-ID), the default until the member picks one; null if unknown. */
  language: "id" | "en" | null;
}

/**
 * Fetch /app/config.json.
 *
 * @throws Error when the document cannot be fetched or lacks a field.
 */
export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, {
    headers: { Accept: "application/json" },
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const body = (await response.json()) as Partial<AppConfig>;
  if (typeof body.clientId !== "string" || typeof body.issuer !== "string") {
    throw new Error("config.json: clientId and issuer are required");
  }
  return {
    clientId: body.clientId,
    issuer: body.issuer.replace(/\/+$/, ""),
    timezone: typeof body.timezone === "string" && body.timezone ? body.timezone : "Asia/Jakarta",
    language: body.language === "id" || body.language === "en" ? body.language : null,
  };
}

/**
 * The same page on the issuer's origin, when this page was opened elsewhere
 * (e.g. localhost instead of 127.0.0.1): the redirect URI is exact, so the
 * client only works on the issuer's origin. Null when already there.
 */
export function issuerOriginRedirect(config: AppConfig, here: Location = window.location): string | null {
  const origin = new URL(config.issuer).origin;
  if (origin === here.origin) return null;
  return `${origin}${here.pathname}${here.search}${here.hash}`;
}
