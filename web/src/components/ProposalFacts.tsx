/**
 * A proposal's facts as a description list (dl.facts): the common ones by
 * name (their label and display are the same on every page), and a page's own
 * as { label, value }, in the order given.
 */
import { Fragment, type ReactNode } from "react";
import { useI18n } from "../i18n";
import { DateTime, Money, PillarLabel } from "./Format";

interface FactSource {
  organization: { name: string };
  pillar: { code: string; label: string };
  budget: string;
  author: { displayName: string };
  updatedAt: string;
}

export type FactName = keyof FactSource;

/** A page's own fact; `testId` goes on its value (dd). */
export interface OwnFact {
  label: string;
  value: ReactNode;
  testId?: string;
}

/** The named facts read these fields of `proposal` (a name whose field is missing shows nothing). */
export function ProposalFacts({
  proposal,
  facts,
}: {
  proposal: Partial<FactSource>;
  /** Facts in display order; false or null leaves one out. */
  facts: readonly (FactName | OwnFact | false | null)[];
}) {
  const { t } = useI18n();
  const source = proposal;
  const named: Record<FactName, () => OwnFact> = {
    organization: () => ({ label: t.proposal.organization, value: source.organization?.name }),
    pillar: () => ({ label: t.proposal.pillar, value: source.pillar && <PillarLabel pillar={source.pillar} /> }),
    budget: () => ({ label: t.proposal.budget, value: source.budget && <Money amount={source.budget} /> }),
    author: () => ({ label: t.proposal.author, value: source.author?.displayName }),
    updatedAt: () => ({ label: t.proposal.updatedAt, value: source.updatedAt && <DateTime iso={source.updatedAt} /> }),
  };
  return (
    <dl className="facts">
      {facts.map((fact, index) => {
        if (!fact) return null;
        const { label, value, testId } = typeof fact === "string" ? named[fact]() : fact;
        return (
          <Fragment key={index}>
            <dt>{label}</dt>
            <dd data-testid={testId}>{value}</dd>
          </Fragment>
        );
      })}
    </dl>
  );
}
