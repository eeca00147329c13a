/**
 * What survives the redirect to the sign-in page, in sessionStorage: the PKCE
 * code verifier, the state and the path to come back to, and a vote that
 * could not be sent because the session was gone. Nothing else (no token)
 * is ever written to web storage.
 */
import type { VoteChoice } from "../generated/graphql";

const FLOW_KEY = "council.signin";
const PENDING_VOTE_KEY = "council.pendingVote";

/** An authorization request in progress (RFC 6749 §4.1.1, RFC 7636). */
export interface SignInFlow {
  codeVerifier: string;
  state: string;
  /** Path under /app to return to after the callback, e.g. "/proposals/UHJ...". */
  returnPath: string;
}

/** A vote to cast once the same member is signed in again. */
export interface PendingVote {
  proposalId: string;
  choice: VoteChoice;
  username: string;
}

function read<T>(key: string): T | null {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage refused (private mode quota): the flow then fails visibly at the callback
  }
}

export const saveFlow = (flow: SignInFlow): void => write(FLOW_KEY, flow);
/** The saved flow, removed from storage (a code is exchanged once). */
export function takeFlow(): SignInFlow | null {
  const flow = read<SignInFlow>(FLOW_KEY);
  write(FLOW_KEY, null);
  return flow;
}

export const savePendingVote = (vote: PendingVote): void => write(PENDING_VOTE_KEY, vote);
export const readPendingVote = (): PendingVote | null => read<PendingVote>(PENDING_VOTE_KEY);
export const clearPendingVote = (): void => write(PENDING_VOTE_KEY, null);
