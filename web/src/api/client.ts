/**
 * The GraphQL client: urql over HTTP POST /graphql, subscriptions over
 * graphql-ws (graphql-transport-ws) at ws(s)://<origin>/graphql.
 *
 * - Every request carries Accept-Language (id or en) so UserError messages
 *   and labels come in the UI language.
 * - The auth exchange adds "Authorization: Bearer <access token>", refreshes
 *   a token about to expire before sending, and on a 401 / UNAUTHENTICATED
 *   refreshes once and retries; when that cannot cure it the session expires
 *   (the app then goes back to sign-in).
 * - The socket reads the token lazily at each connection
 *   ({"Authorization": "Bearer ..."} in connection_init). The server closes it
 *   with 4401 when the token expires; graphql-ws treats 4401 as final, so
 *   useLiveSubscription (api/live.ts) drives the socket itself and subscribes
 *   again, forever, with a fresh token (urql's subscription exchange would
 *   keep the failed operation and not start it again).
 *
 * One client per (session generation, language): the document cache never
 * outlives a sign-in, a sign-out or a language switch.
 */
import { Client, cacheExchange, fetchExchange, type CombinedError } from "@urql/core";
import { authExchange } from "@urql/exchange-auth";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import type { Session } from "../auth/session";
import type { Lang } from "../i18n";

/** True for the API's "not signed in / token refused" answers (HTTP 401 or code UNAUTHENTICATED). */
export function isAuthError(error: CombinedError): boolean {
  return (
    (error.response as Response | undefined)?.status === 401 ||
    error.graphQLErrors.some((e) => (e.extensions as { code?: unknown } | undefined)?.code === "UNAUTHENTICATED")
  );
}

export interface ApiClients {
  client: Client;
  ws: WsClient;
}

/** Build the urql client and its graphql-ws client for one session generation and language. */
export function makeClients(session: Session, lang: Lang): ApiClients {
  const wsUrl = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/graphql`;
  const ws = createWsClient({
    url: wsUrl,
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    connectionParams: async () => {
      const token = await session.freshAccessToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
  });

  const client = new Client({
    url: "/graphql",
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
    fetchOptions: () => ({ headers: { "Accept-Language": lang } }),
    exchanges: [
      cacheExchange,
      authExchange((utils) =>
        Promise.resolve({
          addAuthToOperation(operation) {
            const token = session.accessToken;
            return token ? utils.appendHeaders(operation, { Authorization: `Bearer ${token}` }) : operation;
          },
          willAuthError() {
            return session.isExpiring();
          },
          didAuthError(error) {
            return isAuthError(error);
          },
          async refreshAuth() {
            const ok = await session.refresh();
            if (!ok) session.expire();
          },
        }),
      ),
      fetchExchange,
    ],
  });
  return { client, ws };
}
