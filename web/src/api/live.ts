/**
 * Live data over graphql-ws, resubscribing forever: after the server closes
 * the socket (4401 when the token expired, a restart, a lost network) the
 * subscription starts again after a short backoff, with the token read anew
 * by the socket's connectionParams.
 */
import { stringifyDocument, type TypedDocumentNode } from "@urql/core";
import { useEffect, useRef, useState } from "react";
import { useApi } from "./provider";

export interface LiveState<Data> {
  /** The latest event's data, or null before the first one. */
  data: Data | null;
  /** True while the socket is down and a new subscription is waiting to start. */
  reconnecting: boolean;
}

const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000];

/**
 * Subscribe to `document` with `variables` (their JSON is the identity of the
 * subscription) unless `pause`; keeps subscribing after errors and closes.
 */
export function useLiveSubscription<Data, Variables extends Record<string, unknown>>(
  document: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  pause = false,
): LiveState<Data> {
  const { ws } = useApi();
  const [state, setState] = useState<LiveState<Data>>({ data: null, reconnecting: false });
  const key = JSON.stringify(variables);
  const query = useRef(stringifyDocument(document));

  useEffect(() => {
    if (pause) return undefined;
    let stopped = false;
    let failures = 0;
    let unsubscribe: (() => void) | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const start = () => {
      if (stopped) return;
      const retry = () => {
        if (stopped) return;
        setState((s) => ({ ...s, reconnecting: true }));
        const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)] ?? 10_000;
        failures += 1;
        timer = setTimeout(start, delay);
      };
      unsubscribe = ws.subscribe<Data>(
        { query: query.current, variables: JSON.parse(key) as Variables },
        {
          next(result) {
            failures = 0;
            if (result.data) setState({ data: result.data, reconnecting: false });
          },
          error: retry,
          complete: retry,
        },
      );
    };
    start();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      unsubscribe?.();
    };
  }, [ws, key, pause]);

  return state;
}
