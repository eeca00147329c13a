/**
 * The signed-in member's task count, for the header's badge and "Tugas saya":
 * the MyTaskCount query first, then the myTasks subscription (the count now,
 * then each time it changes), resubscribing forever (api/live.ts). `version`
 * grows at each count the subscription pushes after its first, so a page can
 * refetch its list when the count changes.
 */
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useQuery } from "urql";
import { useLiveSubscription } from "../api/live";
import { MyTaskCountDocument, MyTaskCountUpdatesDocument, type TaskKind } from "../generated/graphql";
import { useI18n } from "../i18n";

export interface TaskCountValue {
  /** Tasks in all, or null before the first answer (or when the API could not say). */
  count: number | null;
  /** Tasks per kind, as the API lists them. */
  counts: readonly { kind: TaskKind; count: number }[];
  /** Grows at each change the subscription reports: a list refetches when it does. */
  version: number;
  /** The live updates' socket is down and about to subscribe again. */
  reconnecting: boolean;
}

const TaskCountContext = createContext<TaskCountValue | null>(null);

/** Provides the viewer's task count to the tree below (inside ViewerGate). */
export function TaskCountProvider({ children }: { children: ReactNode }) {
  const [{ data }] = useQuery({ query: MyTaskCountDocument });
  const live = useLiveSubscription(MyTaskCountUpdatesDocument, {});
  const pushed = live.data?.myTasks ?? null;
  // The identity of what the subscription last said: the first one is the count now, each later one a change.
  const key = pushed ? JSON.stringify(pushed) : null;
  const last = useRef<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (key === null) return;
    if (last.current === null) {
      last.current = key;
      return;
    }
    if (last.current !== key) {
      last.current = key;
      setVersion((v) => v + 1);
    }
  }, [key]);
  const value = useMemo<TaskCountValue>(
    () => ({
      count: pushed?.count ?? data?.viewer?.taskCount ?? null,
      counts: pushed?.counts ?? data?.viewer?.taskCounts ?? [],
      version,
      reconnecting: live.reconnecting,
    }),
    [pushed, data, version, live.reconnecting],
  );
  return <TaskCountContext.Provider value={value}>{children}</TaskCountContext.Provider>;
}

/** The task count, or null outside TaskCountProvider (signed out). */
export function useTaskCount(): TaskCountValue | null {
  return useContext(TaskCountContext);
}

/**
 * The count in a badge after a link's text (the header's "Tugas saya"): the
 * number is drawn, and read as words ("3 tugas") by a screen reader.
 */
export function TaskBadge({ count }: { count: number | null }) {
  const { t } = useI18n();
  if (count === null) return null;
  return (
    <>
      <span className="count-badge" aria-hidden="true" data-testid="task-count-badge" data-count={count}>
        {count}
      </span>
      <span className="visually-hidden">, {t.tasks.navCount(count)}</span>
    </>
  );
}
