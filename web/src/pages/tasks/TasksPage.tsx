/**
 * /app/tasks, "Tugas saya": every signed-in role's home. The viewer's tasks
 * (viewer.tasks, derived by the API from the current state), 20 at a time
 * with "load more": each with its kind, the proposal (or the commitment) it
 * is about linking to its page, and its due time, relative and absolute,
 * overdue ones marked. Above them the count per kind, and the total in a
 * polite live region. The myTasks subscription (components/tasks.tsx) keeps
 * the count current; when it changes the list is fetched again.
 */
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { Loading, RequestError } from "../../components/Errors";
import { DateTime } from "../../components/Format";
import { proposalPath } from "../../components/ProposalCard";
import { useTaskCount } from "../../components/tasks";
import { formatRelative } from "../../format";
import { MyTasksDocument, type TaskFieldsFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";

const PAGE_SIZE = 20;

/** Now, again every minute: what "in 3 hours" and "overdue" are measured from. */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Where a task is done: its proposal's page, the commitment page, or nowhere. */
function taskPath(task: TaskFieldsFragment): string | null {
  if (task.proposal) return proposalPath(task.proposal.id);
  if (task.commitment) return "/commitment";
  return null;
}

function TaskItem({ task, index, now }: { task: TaskFieldsFragment; index: string; now: Date }) {
  const { t, lang } = useI18n();
  const overdue = task.dueAt !== null && new Date(task.dueAt).getTime() < now.getTime();
  const path = taskPath(task);
  const headingId = `task-${index}`;
  const title = task.proposal?.title ?? task.title;
  return (
    <li>
      <article
        className={overdue ? "card task task-overdue" : "card task"}
        aria-labelledby={headingId}
        data-testid="task"
        data-kind={task.kind}
      >
        <p className="task-kind">
          <span className="badge">{t.tasks.kind[task.kind]}</span>
          {overdue && (
            <span className="badge status-late" data-testid="task-overdue">
              {t.tasks.overdue}
            </span>
          )}
        </p>
        <h2 id={headingId} className="proposal-title">
          {path ? <Link to={path}>{title}</Link> : title}
        </h2>
        {task.milestone && <p>{t.tasks.milestone(task.milestone.title)}</p>}
        {!task.proposal && task.commitment && task.title !== title && <p>{task.title}</p>}
        <dl className="facts">
          <dt>{t.tasks.due}</dt>
          <dd data-testid="task-due">
            {task.dueAt ? (
              <>
                <strong>{formatRelative(task.dueAt, lang, now)}</strong> · <DateTime iso={task.dueAt} />
              </>
            ) : (
              t.tasks.noDue
            )}
          </dd>
          <dt>{t.tasks.since}</dt>
          <dd>
            <DateTime iso={task.createdAt} />
          </dd>
        </dl>
      </article>
    </li>
  );
}

/** One page of the list (20 tasks), and "load more" on the last one. */
function TaskPage({ after, last, onMore, now }: { after: string | null; last: boolean; onMore: (cursor: string) => void; now: Date }) {
  const { t } = useI18n();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: MyTasksDocument,
    variables: { first: PAGE_SIZE, after },
  });
  if (fetching && !data) {
    return (
      <li>
        <Loading />
      </li>
    );
  }
  const connection = data?.viewer?.tasks;
  if (!connection) {
    return (
      <li>
        <RequestError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />
      </li>
    );
  }
  return (
    <>
      {after === null && connection.totalCount === 0 && (
        <li>
          <p className="card" data-testid="tasks-empty">
            {t.tasks.empty}
          </p>
        </li>
      )}
      {connection.edges.map(({ node, cursor }) => (
        <TaskItem key={cursor} task={node} index={cursor} now={now} />
      ))}
      {last && connection.pageInfo.hasNextPage && connection.pageInfo.endCursor && (
        <li>
          <button type="button" className="button button-secondary" onClick={() => onMore(connection.pageInfo.endCursor!)}>
            {t.opdReview.loadMore}
          </button>
        </li>
      )}
    </>
  );
}

/** The pages shown: the first, then one more per "load more". */
function TaskList({ now }: { now: Date }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <ul className="proposal-list task-list">
      {cursors.map((after, index) => (
        <TaskPage
          key={after ?? "first"}
          after={after}
          last={index === cursors.length - 1}
          onMore={(cursor) => setCursors((list) => [...list, cursor])}
          now={now}
        />
      ))}
    </ul>
  );
}

/** The count per kind (kinds with tasks), as small cards. */
function TaskCounts() {
  const { t } = useI18n();
  const tasks = useTaskCount();
  const counts = (tasks?.counts ?? []).filter((c) => c.count > 0);
  if (counts.length === 0) return null;
  return (
    <ul className="task-counts" aria-label={t.tasks.countsLabel} data-testid="task-counts">
      {counts.map((c) => (
        <li key={c.kind} className="task-count" data-kind={c.kind}>
          <span className="task-count-number">{c.count}</span>
          <span className="task-count-label">{t.tasks.kind[c.kind]}</span>
        </li>
      ))}
    </ul>
  );
}

export function TasksPage() {
  const { t } = useI18n();
  const tasks = useTaskCount();
  const now = useNow();
  const version = tasks?.version ?? 0;
  return (
    <>
      <h1>{t.tasks.title}</h1>
      <p className="lead">{t.tasks.intro}</p>
      <p className="task-total" role="status" aria-live="polite" data-testid="task-total">
        {tasks?.count !== null && tasks?.count !== undefined ? t.tasks.total(tasks.count) : ""}
      </p>
      {tasks?.reconnecting && <p className="muted small">{t.tasks.reconnecting}</p>}
      <TaskCounts />
      {/* A new list (first page again, fetched anew) each time the live count changes. */}
      <TaskList key={version} now={now} />
      <p>
        <Link to="/settings/notifications" className="button button-secondary">
          {t.tasks.settingsLink}
        </Link>
      </p>
    </>
  );
}
