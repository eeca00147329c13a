/**
 * Step-up authentication (RFC 9470) for deliberate acts, such as signing the
 * commitment: the server accepts them only when the member typed the password
 * recently (the access token's auth_time, COUNCIL_STEP_UP_MAX_AGE, 10 minutes
 * by default). Otherwise the mutation's payload carries the error code
 * REAUTHENTICATION_REQUIRED (HTTP 200, with the header
 * `WWW-Authenticate: Bearer error="insufficient_user_authentication", max_age=600`);
 * the page then sends the person through the sign-in form again and back,
 * where they repeat the act:
 *
 *   const reauthenticate = useReauthenticate();
 *   const payload = (await signCommitment({ input })).data?.signCommitment;
 *   if (payload && needsReauthentication(payload.errors)) {
 *     await reauthenticate(); // leaves the page; comes back to it signed in afresh
 *     return;
 *   }
 *
 * A refresh or a silent sign-in keeps the old auth_time: only the password helps.
 */
import { useCallback } from "react";
import { useLocation } from "react-router";
import { useAuth } from "./context";

/** The UserError code of a deliberate act that needs a recent password. */
export const REAUTHENTICATION_REQUIRED = "REAUTHENTICATION_REQUIRED";

/** True when a mutation payload's errors ask for the password again. */
export function needsReauthentication(errors: readonly { code: string }[] | null | undefined): boolean {
  return (errors ?? []).some((error) => error.code === REAUTHENTICATION_REQUIRED);
}

/**
 * A function that starts the sign-in again with the password typed now
 * (max_age=0, prompt=login) and comes back to `returnTo`: by default the
 * current page (path and query under /app).
 */
export function useReauthenticate(): (returnTo?: string) => Promise<void> {
  const { session } = useAuth();
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;
  return useCallback((returnTo?: string) => session.reauthenticate(returnTo ?? here), [session, here]);
}
