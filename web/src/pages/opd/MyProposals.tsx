/**
 * /app/mine: the proposals of the viewer's organisation (filter
 * organizationId = viewer.organization.id), newest first, 50 at a time. Each
 * with its state (the workflow's label), pillar, budget in rupiah, last change
 * and implementation progress (once reported); "edit" when availableActions has
 * "updateProposal". The "new proposal" link is shown to everyone who reaches
 * this page: createProposal itself says no to anyone who may not.
 */
import { Link } from "react-router";
import { PagedList } from "../../components/PagedList";
import { OpenProposalLink, ProposalCard, StateBadge, proposalPath } from "../../components/ProposalCard";
import { ProposalFacts } from "../../components/ProposalFacts";
import { useViewer } from "../../components/viewer";
import { OpdProposalsDocument, type OpdProposalsQuery } from "../../generated/graphql";
import { useI18n } from "../../i18n";

type Row = OpdProposalsQuery["proposals"]["edges"][number]["node"];

function ProposalRow({ proposal }: { proposal: Row }) {
  const { t } = useI18n();
  return (
    <ProposalCard proposal={proposal} idPrefix="mine">
      <StateBadge proposal={proposal} />
      <ProposalFacts
        proposal={proposal}
        facts={[
          "pillar",
          "budget",
          // Only once something was reported (a draft has no implementation to speak of).
          proposal.progressPercent !== null && {
            label: t.proposal.progress,
            value: (
              <>
                <progress
                  max={100}
                  value={proposal.progressPercent}
                  aria-label={`${t.proposal.progress}: ${proposal.title}`}
                />{" "}
                {t.proposal.progressPercent(proposal.progressPercent)}
              </>
            ),
          },
          "updatedAt",
        ]}
      />
      <div className="button-row">
        <OpenProposalLink proposal={proposal} secondary />
        {proposal.availableActions.includes("updateProposal") && (
          <Link
            className="button"
            to={`${proposalPath(proposal.id)}/edit`}
            aria-label={`${t.proposal.edit}: ${proposal.title}`}
          >
            {t.proposal.edit}
          </Link>
        )}
      </div>
    </ProposalCard>
  );
}

export function MyProposals() {
  const { t } = useI18n();
  const viewer = useViewer();
  return (
    <>
      <h1>{t.opd.mineTitle}</h1>
      <p className="lead">{t.opd.mineIntro(viewer.organization.name)}</p>
      <p>
        <Link className="button" to="/proposals/new">
          {t.opd.newProposal}
        </Link>
      </p>
      <PagedList
        query={OpdProposalsDocument}
        variables={(after) => ({ organizationId: viewer.organization.id, after })}
        connection={(data) => data.proposals}
        empty={t.opd.empty}
      >
        {(node) => <ProposalRow proposal={node} />}
      </PagedList>
    </>
  );
}
