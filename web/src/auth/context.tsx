/** React access to the configuration and the in-memory session. */
import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";
import type { AppConfig } from "../config";
import type { Session, SessionSnapshot } from "./session";

interface AuthValue {
  config: AppConfig;
  session: Session;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ config, session, children }: AuthValue & { children: ReactNode }) {
  return <AuthContext.Provider value={{ config, session }}>{children}</AuthContext.Provider>;
}

/** The configuration of /app/config.json and the session object. */
export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** The session's status, re-rendering on sign-in, refresh, expiry and sign-out. */
export function useSessionSnapshot(): SessionSnapshot {
  const { session } = useAuth();
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}
