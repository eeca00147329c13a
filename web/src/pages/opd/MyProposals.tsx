/**
 * /app/mine: the proposals of the viewer's organisation (filter
 * organizationId = viewer.organization.id), newest first, 50 at a time. Each
 * with its state (the workflow's label), pillar, budget in rupiah, last change
 * and implementation progress; "edit" when availableActions has
 * "updateProposal". The "new proposal" link is shown to everyone who reaches
 * this page: createProposal itself says no to anyone who may not.
 */
import { useState } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { Loading, RequestError } from "../../components/Errors";
import { DateTime, Money, PillarLabel } from "../../components/Format";
import { useViewer } from "../../components/viewer";
import { useWorkflow } from "../../components/workflow";
import { OpdProposalsDocument, type OpdProposalsQuery } from "../../generated/graphql";
import { useI18n } from "../../i18n";

type Row = OpdProposalsQuery["proposals"]["edges"][number]["node"];

function ProposalRow({ proposal }: { proposal: Row }) {
  const { t } = useI18n();
  const workflow = useWorkflow(proposal.workflowName, proposal.workflowVersion);
  const headingId = `mine-${proposal.id}`;
  const path = `/proposals/${encodeURIComponent(proposal.id)}`;
  return (
    <li>
      <article className="card" aria-labelledby={headingId}>
        <h2 id={headingId} className="proposal-title">
          <Link to={path}>{proposal.title}</Link>
        </h2>
        <p>
          <span className="badge" data-testid="proposal-state">
            {workflow.stateLabel(proposal.state)}
          </span>
        </p>
        <dl className="facts">
          <dt>{t.proposal.pillar}</dt>
          <dd>
            <PillarLabel pillar={proposal.pillar} />
          </dd>
          <dt>{t.proposal.budget}</dt>
          <dd>
            <Money amount={proposal.budget} />
          </dd>
          <dt>{t.proposal.progress}</dt>
          <dd>
            {proposal.progressPercent === null ? (
              t.opdReview.noProgressYet
            ) : (
              <>
                <progress
                  max={100}
                  value={proposal.progressPercent}
                  aria-label={`${t.proposal.progress}: ${proposal.title}`}
                />{" "}
                {t.proposal.progressPercent(proposal.progressPercent)}
              </>
            )}
          </dd>
          <dt>{t.proposal.updatedAt}</dt>
          <dd>
            <DateTime iso={proposal.updatedAt} />
          </dd>
        </dl>
        <div className="button-row">
          <Link className="button button-secondary" to={path} aria-label={`${t.proposal.open}: ${proposal.title}`}>
            {t.proposal.open}
          </Link>
          {proposal.availableActions.includes("updateProposal") && (
            <Link className="button" to={`${path}/edit`} aria-label={`${t.proposal.edit}: ${proposal.title}`}>
              {t.proposal.edit}
            </Link>
          )}
        </div>
      </article>
    </li>
  );
}

/** One page of 50 (after the cursor); the last page offers the next one. */
function RowsPage({
  organizationId,
  after,
  last,
  onMore,
}: {
  organizationId: string;
  after: string | null;
  last: boolean;
  onMore: (cursor: string) => void;
}) {
  const { t } = useI18n();
  const [{ data, fetching, error }, reexecute] = useQuery({
    query: OpdProposalsDocument,
    variables: { organizationId, after },
  });
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
  const { edges, pageInfo, totalCount } = data.proposals;
  return (
    <>
      {after === null && totalCount === 0 && (
        <li>
          <p>{t.opd.empty}</p>
        </li>
      )}
      {edges.map(({ node }) => (
        <ProposalRow key={node.id} proposal={node} />
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

export function MyProposals() {
  const { t } = useI18n();
  const viewer = useViewer();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return (
    <>
      <h1>{t.opd.mineTitle}</h1>
      <p className="lead">{t.opd.mineIntro(viewer.organization.name)}</p>
      <p>
        <Link className="button" to="/proposals/new">
          {t.opd.newProposal}
        </Link>
      </p>
      <ul className="proposal-list">
        {cursors.map((after, index) => (
          <RowsPage
            key={after ?? "first"}
            organizationId={viewer.organization.id}
            after={after}
            last={index === cursors.length - 1}
            onMore={(cursor) => setCursors((list) => [...list, cursor])}
          />
        ))}
      </ul>
    </>
  );
}
