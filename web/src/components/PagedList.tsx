/**
 * A list of proposals fetched 50 at a time (a connection with a cursor): each
 * page is its own query, the last one offers the next ("load more"), and the
 * pages already shown stay.
 */
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { Fragment, useState, type ReactNode } from "react";
import { useQuery, type AnyVariables } from "urql";
import { useI18n } from "../i18n";
import { Loading, RequestError } from "./Errors";

interface Connection<N> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: readonly { node: N }[];
}

export interface PagedListProps<Q, V extends AnyVariables, N> {
  query: TypedDocumentNode<Q, V>;
  /** The query's variables for the page after `after` (null: the first page). */
  variables: (after: string | null) => V;
  /** The connection in the query's answer. */
  connection: (data: Q) => Connection<N>;
  /** Said when the first page is empty. */
  empty: string;
  /** One item (an li). */
  children: (node: N) => ReactNode;
}

interface PageProps<Q, V extends AnyVariables, N> extends PagedListProps<Q, V, N> {
  after: string | null;
  last: boolean;
  onMore: (cursor: string) => void;
}

/** One page's items, or its loading line, its error, the empty text, and "load more". */
function Page<Q, V extends AnyVariables, N extends { id: string }>({
  query,
  variables,
  connection,
  empty,
  children,
  after,
  last,
  onMore,
}: PageProps<Q, V, N>) {
  const { t } = useI18n();
  const [{ data, fetching, error }, reexecute] = useQuery({ query, variables: variables(after) });
  if (fetching && !data) {
    return (
      <li>
        <Loading />
      </li>
    );
  }
  if (!data) {
    return (
      <li>
        <RequestError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />
      </li>
    );
  }
  const { edges, pageInfo, totalCount } = connection(data);
  return (
    <>
      {after === null && totalCount === 0 && (
        <li>
          <p>{empty}</p>
        </li>
      )}
      {edges.map(({ node }) => (
        <Fragment key={node.id}>{children(node)}</Fragment>
      ))}
      {last && pageInfo.hasNextPage && pageInfo.endCursor && (
        <li>
          <button type="button" className="button button-secondary" onClick={() => onMore(pageInfo.endCursor!)}>
            {t.opdReview.loadMore}
          </button>
        </li>
      )}
    </>
  );
}

/** The list (ul.proposal-list) of pages: the first one, then one more per "load more". */
export function PagedList<Q, V extends AnyVariables, N extends { id: string }>(props: PagedListProps<Q, V, N>) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const onMore = (cursor: string) => setCursors((list) => [...list, cursor]);
  return (
    <ul className="proposal-list">
      {cursors.map((after, index) => (
        <Page key={after ?? "first"} {...props} after={after} last={index === cursors.length - 1} onMore={onMore} />
      ))}
    </ul>
  );
}
