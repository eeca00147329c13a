/**
 * The closed ballots on the dashboard: per proposal, the result, the tally
 * (yes, no, abstain) and the turnout, newest closing first. A list, not a
 * table, so that it reads at 360 px.
 */
import { Link } from "react-router";
import type { DashboardQuery } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { DateTime } from "../Format";
import { proposalPath } from "../ProposalCard";

type Decided = DashboardQuery["decided"]["edges"][number]["node"];
export type ClosedBallot = Decided & { ballot: NonNullable<Decided["ballot"]> };

export function ClosedBallots({ items }: { items: readonly ClosedBallot[] }) {
  const { t } = useI18n();
  const sorted = [...items].sort((a, b) => (b.ballot.closedAt ?? "").localeCompare(a.ballot.closedAt ?? ""));
  return (
    <section className="card" aria-labelledby="ballots-title">
      <h2 id="ballots-title">{t.dashboard.ballots}</h2>
      {sorted.length === 0 ? (
        <p className="muted">{t.dashboard.noBallots}</p>
      ) : (
        <ul className="plain-list" data-testid="closed-ballots">
          {sorted.map(({ id, title, pillar, ballot }) => (
            <li key={ballot.id} data-testid="closed-ballot">
              <h3 className="ballot-title">
                <Link to={proposalPath(id)}>{title}</Link>
              </h3>
              <p className="small muted">
                {pillar.label} · {t.dashboard.round(ballot.round)}
                {ballot.closedAt && (
                  <>
                    {" "}
                    · {t.dashboard.closedOn} <DateTime iso={ballot.closedAt} />
                  </>
                )}
              </p>
              <p>
                <strong data-testid="ballot-result">{ballot.result ? t.result[ballot.result] : t.common.none}</strong>
                {" · "}
                {ballot.tally ? (
                  <span data-testid="ballot-tally">
                    {t.choice.YES} {ballot.tally.yes}, {t.choice.NO} {ballot.tally.no}, {t.choice.ABSTAIN} {ballot.tally.abstain}
                  </span>
                ) : (
                  t.dashboard.hiddenTally
                )}
              </p>
              <p className="small muted">{t.dashboard.turnout(ballot.votesCast, ballot.eligibleCount)}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
