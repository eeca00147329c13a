/**
 * Provides the urql client and the graphql-ws client, rebuilt when the session
 * generation (sign-in, sign-out, expiry) or the language changes.
 */
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from "react";
import { Provider } from "urql";
import { useAuth, useSessionSnapshot } from "../auth/context";
import { useI18n } from "../i18n";
import { makeClients, type ApiClients } from "./client";

const ApiContext = createContext<ApiClients | null>(null);

export function ApiProvider({ children }: { children: ReactNode }) {
  const { session } = useAuth();
  const { generation } = useSessionSnapshot();
  const { lang } = useI18n();
  // A new generation is a new session state in the same Session object: new clients, empty cache.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- generation is the rebuild key, not read in the callback
  const clients = useMemo(() => makeClients(session, lang), [session, generation, lang]);
  // Close the previous socket once a new client replaces it (not in an effect
  // cleanup: StrictMode runs those twice and would close the live one).
  const previous = useRef<ApiClients | null>(null);
  useEffect(() => {
    if (previous.current && previous.current !== clients) void previous.current.ws.dispose();
    previous.current = clients;
  }, [clients]);
  return (
    <ApiContext.Provider value={clients}>
      <Provider value={clients.client}>{children}</Provider>
    </ApiContext.Provider>
  );
}

/** The urql client and the graphql-ws client of the current session and language. */
export function useApi(): ApiClients {
  const value = useContext(ApiContext);
  if (!value) throw new Error("useApi outside ApiProvider");
  return value;
}
