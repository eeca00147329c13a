/**
 * The OAuth 2.0 side of the web client, on oauth4webapi: a public client
 * (no secret, RFC 6749 §2.1) using the authorization code grant with PKCE S256
 * (RFC 7636), refresh tokens (RFC 6749 §6, rotated by the server) and
 * revocation (RFC 7009). The server's metadata (RFC 8414) says where its
 * endpoints are. Our server may be plain http on loopback, hence
 * allowInsecureRequests.
 */
import * as oauth from "oauth4webapi";
import type { AppConfig } from "../config";

/** Every scope the web client asks for; the server grants what the member's roles allow (never admin). */
export const SCOPES = "proposals:read proposals:write reviews:write votes:write implementation:write";

/** Tokens as the token endpoint gave them, with the expiry as a clock time. */
export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  /** Milliseconds since the epoch (Date.now()) when the access token expires. */
  expiresAt: number;
  /** Seconds the access token lives, as the server said (expires_in). */
  lifetime: number;
  scope: string;
}

/** The callback carried an OAuth error (e.g. access_denied when the member refused consent). */
export class AuthorizationDenied extends Error {
  constructor(readonly error: string, description?: string) {
    super(description ?? error);
  }
}

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const clientAuth = oauth.None();

/** An OAuth client bound to one authorization server (the issuer of config.json). */
export class OAuthClient {
  private server: Promise<oauth.AuthorizationServer> | null = null;
  readonly client: oauth.Client;
  readonly redirectUri: string;

  constructor(private readonly config: AppConfig) {
    this.client = { client_id: config.clientId };
    this.redirectUri = `${config.issuer}/app/callback`;
  }

  /** The server's RFC 8414 metadata, fetched once. */
  metadata(): Promise<oauth.AuthorizationServer> {
    if (!this.server) {
      const issuer = new URL(this.config.issuer);
      this.server = oauth
        .discoveryRequest(issuer, { algorithm: "oauth2", ...insecure })
        .then((response) => oauth.processDiscoveryResponse(issuer, response))
        .catch((error: unknown) => {
          this.server = null;
          throw error;
        });
    }
    return this.server;
  }

  /**
   * The /oauth/authorize URL for a new sign-in (response_type=code, S256).
   *
   * @param uiLocales "id" or "en": the sign-in and consent pages follow it.
   * @param fresh when set, ask the server for a password typed now (step-up,
   *   RFC 9470 §4): max_age=0 and prompt=login (OpenID Connect Core §3.1.2.1).
   * @returns the URL, and the verifier and state to keep until the callback.
   */
  async authorizationUrl(
    uiLocales: string,
    fresh = false,
  ): Promise<{ url: URL; codeVerifier: string; state: string }> {
    const as = await this.metadata();
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint ?? `${this.config.issuer}/oauth/authorize`);
    url.searchParams.set("response_type", "code");
    url.searchParams.set("client_id", this.client.client_id);
    url.searchParams.set("redirect_uri", this.redirectUri);
    url.searchParams.set("scope", SCOPES);
    url.searchParams.set("state", state);
    url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set("code_challenge_method", "S256");
    url.searchParams.set("ui_locales", uiLocales);
    if (fresh) {
      url.searchParams.set("max_age", "0");
      url.searchParams.set("prompt", "login");
    }
    return { url, codeVerifier, state };
  }

  /**
   * Exchange the code of the callback URL for tokens (RFC 6749 §4.1.3).
   *
   * @throws AuthorizationDenied when the callback carries an error.
   * @throws oauth4webapi errors on a wrong state or a refused exchange.
   */
  async exchangeCode(callbackUrl: URL, state: string, codeVerifier: string): Promise<Tokens> {
    const as = await this.metadata();
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, this.client, callbackUrl, state);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) {
        throw new AuthorizationDenied(error.error, error.error_description ?? undefined);
      }
      throw error;
    }
    const response = await oauth.authorizationCodeGrantRequest(
      as, this.client, clientAuth, params, this.redirectUri, codeVerifier, insecure,
    );
    return toTokens(await oauth.processAuthorizationCodeResponse(as, this.client, response));
  }

  /**
   * Use a refresh token (RFC 6749 §6). The server rotates it: the answer
   * holds the new one, the old one no longer works.
   */
  async refresh(refreshToken: string): Promise<Tokens> {
    const as = await this.metadata();
    const response = await oauth.refreshTokenGrantRequest(as, this.client, clientAuth, refreshToken, insecure);
    const tokens = toTokens(await oauth.processRefreshTokenResponse(as, this.client, response));
    return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
  }

  /** Revoke a token (RFC 7009 §2.1); the public client names itself with client_id in the form. */
  async revoke(token: string, hint: "access_token" | "refresh_token"): Promise<void> {
    const as = await this.metadata();
    const response = await oauth.revocationRequest(as, this.client, clientAuth, token, {
      ...insecure,
      additionalParameters: { token_type_hint: hint },
    });
    await oauth.processRevocationResponse(response);
  }
}

function toTokens(response: oauth.TokenEndpointResponse): Tokens {
  const lifetime = typeof response.expires_in === "number" && response.expires_in > 0 ? response.expires_in : 600;
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? null,
    expiresAt: Date.now() + lifetime * 1000,
    lifetime,
    scope: response.scope ?? "",
  };
}
