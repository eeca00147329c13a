/**
 * A proposal in a list (the agenda, an OPD's proposals, the review queue) and
 * the small pieces every proposal view shares: its path, its state badge and
 * the "open" link. One markup, so every list reads (and is named) the same.
 */
import type { ReactNode } from "react";
import { Link } from "react-router";
import { useI18n } from "../i18n";
import { useWorkflow } from "./workflow";

/** The proposal page's path (under /app/). */
export function proposalPath(id: string): string {
  return `/proposals/${encodeURIComponent(id)}`;
}

/** The state, as the proposal's workflow labels it, in a badge (data-testid "proposal-state"). */
export function StateBadge({
  proposal,
}: {
  proposal: { state: string; workflowName: string; workflowVersion: number };
}) {
  const workflow = useWorkflow(proposal.workflowName, proposal.workflowVersion);
  return (
    <p>
      <span className="badge" data-testid="proposal-state">
        {workflow.stateLabel(proposal.state)}
      </span>
    </p>
  );
}

/** "Open" (named "Open: <title>"), a button-styled link to the proposal page. */
export function OpenProposalLink({
  proposal,
  secondary = false,
}: {
  proposal: { id: string; title: string };
  secondary?: boolean;
}) {
  const { t } = useI18n();
  return (
    <Link
      className={secondary ? "button button-secondary" : "button"}
      to={proposalPath(proposal.id)}
      aria-label={`${t.proposal.open}: ${proposal.title}`}
    >
      {t.proposal.open}
    </Link>
  );
}

/**
 * A list item: an article named by its heading, the title linking to the
 * proposal page; the page's facts and buttons come as children.
 */
export function ProposalCard({
  proposal,
  idPrefix,
  testId,
  headingLevel = 2,
  children,
}: {
  proposal: { id: string; title: string };
  /** Makes the heading's id (`${idPrefix}-${id}`) unique on the page. */
  idPrefix: string;
  testId?: string;
  /** The title's heading level (default 2; 3 below a section's h2). */
  headingLevel?: 2 | 3;
  children: ReactNode;
}) {
  const headingId = `${idPrefix}-${proposal.id}`;
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <li>
      <article className="card" aria-labelledby={headingId} data-testid={testId}>
        <Heading id={headingId} className="proposal-title">
          <Link to={proposalPath(proposal.id)}>{proposal.title}</Link>
        </Heading>
        {children}
      </article>
    </li>
  );
}
