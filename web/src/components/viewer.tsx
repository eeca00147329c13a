/**
 * The signed-in member (the Viewer query), loaded once per session and given
 * to every page below the gate. While it loads the gate shows a loading line;
 * a 401 there expires the session (through the auth exchange).
 */
import { createContext, useContext, useEffect, type ReactNode } from "react";
import { useQuery } from "urql";
import { clearPendingVote, readPendingVote } from "../auth/storage";
import { ViewerDocument, type ViewerQuery } from "../generated/graphql";
import { Loading, RequestError } from "./Errors";

export type Viewer = NonNullable<ViewerQuery["viewer"]>;

const ViewerContext = createContext<Viewer | null>(null);

/** Loads the viewer and renders `children` with it; `anonymous` when the API says nobody is signed in. */
export function ViewerGate({ children, anonymous }: { children: ReactNode; anonymous: ReactNode }) {
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ViewerDocument, requestPolicy: "cache-first" });
  const viewer = data?.viewer ?? null;
  useEffect(() => {
    // A vote left pending by another member (signed out mid-vote) is not this member's to cast.
    const pending = readPendingVote();
    if (viewer && pending && pending.username !== viewer.username) clearPendingVote();
  }, [viewer]);
  if (fetching && !data) return <Loading />;
  if (error && !data) return <RequestError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!viewer) return <>{anonymous}</>;
  return <ViewerContext.Provider value={viewer}>{children}</ViewerContext.Provider>;
}

/** The signed-in member (inside ViewerGate). */
export function useViewer(): Viewer {
  const viewer = useContext(ViewerContext);
  if (!viewer) throw new Error("useViewer outside ViewerGate");
  return viewer;
}

/** The signed-in member, or null outside ViewerGate (the header on public pages). */
export function useOptionalViewer(): Viewer | null {
  return useContext(ViewerContext);
}
