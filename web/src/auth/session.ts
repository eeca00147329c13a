/**
 * The sign-in session, in memory only: the access and refresh tokens live in
 * this object and nowhere else (no localStorage, sessionStorage or cookie), so
 * a reload signs the person out.
 *
 * - signIn(): saves the PKCE verifier, state and return path in sessionStorage
 *   and goes to /oauth/authorize (the server's sign-in and consent pages);
 * - reauthenticate(): the same, asking for the password again (step-up: the
 *   server answered REAUTHENTICATION_REQUIRED to a deliberate act);
 * - completeSignIn(): at /app/callback, exchanges the code;
 * - a timer refreshes the access token at 80 % of its lifetime, always keeping
 *   the newest (rotated) refresh token; refresh() is single-flight;
 * - expire(): a refresh failed or a 401 could not be cured: status "expired",
 *   the app then goes back to sign-in keeping the current path;
 * - signOut(): revokes the refresh and the access token (RFC 7009), forgets them.
 */
import { getLang } from "../i18n";
import { OAuthClient, type Tokens } from "./oauth";
import { saveFlow, takeFlow } from "./storage";

/** anonymous: never signed in (or reloaded); expired: the session ended by itself; signedOut: the person left. */
export type SessionStatus = "anonymous" | "signedIn" | "expired" | "signedOut";

export interface SessionSnapshot {
  status: SessionStatus;
  /** Bumped at each sign-in and sign-out: the GraphQL client is rebuilt on a change (no cache across people). */
  generation: number;
  scope: string;
}

type Listener = () => void;

/** Share of the access token's lifetime after which it is refreshed. */
const REFRESH_AT = 0.8;

export class Session {
  private tokens: Tokens | null = null;
  private refreshing: Promise<boolean> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<Listener>();
  private snapshot: SessionSnapshot = { status: "anonymous", generation: 0, scope: "" };
  private completing: Promise<string> | null = null;

  constructor(readonly oauth: OAuthClient) {}

  /** For useSyncExternalStore. */
  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.snapshot;

  /** The current access token, or null (read at each request and socket connection). */
  get accessToken(): string | null {
    return this.tokens?.accessToken ?? null;
  }

  /** True when there is a token that expires within 10 seconds (refresh before sending). */
  isExpiring(): boolean {
    return this.tokens !== null && this.tokens.expiresAt - Date.now() < 10_000;
  }

  /**
   * An access token good for at least 10 more seconds, refreshing first when
   * needed; null when anonymous or when the refresh failed.
   */
  async freshAccessToken(): Promise<string | null> {
    if (!this.tokens) return null;
    if (this.isExpiring()) await this.refresh();
    return this.accessToken;
  }

  /**
   * Go to the authorization endpoint; comes back to `returnPath` (a path under /app).
   */
  async signIn(returnPath: string): Promise<void> {
    await this.authorize(returnPath, false);
  }

  /**
   * Sign in again with the password typed now (max_age=0, prompt=login), for
   * an act the server only accepts after a recent password (step-up, RFC
   * 9470): the new tokens' auth_time is now. Comes back to `returnPath`,
   * where the person repeats the act. The current tokens are left as they
   * are (the page is left; they live only in memory).
   */
  async reauthenticate(returnPath: string): Promise<void> {
    await this.authorize(returnPath, true);
  }

  private async authorize(returnPath: string, fresh: boolean): Promise<void> {
    const { url, codeVerifier, state } = await this.oauth.authorizationUrl(getLang(), fresh);
    saveFlow({ codeVerifier, state, returnPath: safeReturnPath(returnPath) });
    window.location.assign(url.toString());
  }

  /**
   * Finish the sign-in at /app/callback: exchange the code, keep the tokens.
   * Runs once per page even if called twice (React StrictMode).
   *
   * @returns the path under /app to go back to.
   * @throws AuthorizationDenied (refused consent) or an OAuth error.
   */
  completeSignIn(callbackUrl: URL): Promise<string> {
    if (!this.completing) {
      this.completing = (async () => {
        const flow = takeFlow();
        if (!flow) throw new Error("no sign-in in progress");
        const tokens = await this.oauth.exchangeCode(callbackUrl, flow.state, flow.codeVerifier);
        this.setTokens(tokens);
        this.emit({ status: "signedIn", generation: this.snapshot.generation + 1, scope: tokens.scope });
        return flow.returnPath;
      })();
    }
    return this.completing;
  }

  /**
   * Refresh the access token now (single-flight). False when there is no
   * refresh token or the server refused it; the caller then calls expire().
   */
  refresh(): Promise<boolean> {
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) return Promise.resolve(false);
    if (!this.refreshing) {
      this.refreshing = this.oauth
        .refresh(refreshToken)
        .then((tokens) => {
          if (this.tokens?.refreshToken !== refreshToken) return this.tokens !== null;
          this.setTokens(tokens);
          this.emit({ ...this.snapshot, scope: tokens.scope });
          return true;
        })
        .catch(() => false)
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  /** The session ended by itself (refresh refused, 401 not cured): forget the tokens. */
  expire(): void {
    if (this.snapshot.status !== "signedIn") return;
    this.clear();
    this.emit({ status: "expired", generation: this.snapshot.generation + 1, scope: "" });
  }

  /** Revoke both tokens (RFC 7009), forget them; status "signedOut". Revocation errors are ignored. */
  async signOut(): Promise<void> {
    const tokens = this.tokens;
    this.clear();
    if (tokens) {
      const revocations: Promise<void>[] = [this.oauth.revoke(tokens.accessToken, "access_token")];
      if (tokens.refreshToken) revocations.unshift(this.oauth.revoke(tokens.refreshToken, "refresh_token"));
      await Promise.allSettled(revocations);
    }
    this.emit({ status: "signedOut", generation: this.snapshot.generation + 1, scope: "" });
  }

  private setTokens(tokens: Tokens): void {
    this.tokens = tokens;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(1_000, tokens.lifetime * 1000 * REFRESH_AT);
    this.timer = setTimeout(() => {
      void this.refresh().then((ok) => {
        if (!ok) this.expire();
      });
    }, delay);
  }

  private clear(): void {
    this.tokens = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private emit(next: SessionSnapshot): void {
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }
}

/** Keep only a path of this app (no scheme, no other host): the return path must not be an open redirect. */
export function safeReturnPath(path: string): string {
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/callback")) return "/";
  return path;
}
