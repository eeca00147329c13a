/**
 * /app/dashboard: the public implementation dashboard, signed in or not.
 * The current programme's overall progress (Programme.progress: quick wins
 * weighted by approved budget), then per pillar (Programme.pillarProgress, in
 * the programme's order) the counts, progress and budgets, and the pillar's
 * quick wins (proposals in implementation or completed: milestones, KPI
 * charts, spending); last the closed ballots with tally and result. What a
 * visitor sees is the API's rule (published proposals); nothing is computed
 * here that the API rolls up.
 */
import { useCallback } from "react";
import { useQuery } from "urql";
import { ClosedBallots, type ClosedBallot } from "../../components/dashboard/ClosedBallots";
import { PillarSection } from "../../components/dashboard/PillarSection";
import { Loading, RequestError } from "../../components/Errors";
import { ProgressBar } from "../../components/ProgressBar";
import { DashboardDocument, type DashboardQuickWinFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";

export function DashboardPage() {
  const { t } = useI18n();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: DashboardDocument });
  const reload = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  if (fetching && !data) return <Loading />;
  if (!data) return <RequestError error={error} onRetry={reload} />;
  const programme = data.programme;
  if (!programme) {
    return (
      <>
        <h1>{t.dashboard.title}</h1>
        <p>{t.programme.notFound}</p>
      </>
    );
  }
  const ofProgramme = (p: { programme: { id: string } }) => p.programme.id === programme.id;
  const quickWins: DashboardQuickWinFragment[] = [...data.implementation.edges, ...data.completed.edges]
    .map((e) => e.node)
    .filter(ofProgramme);
  const closed = data.decided.edges
    .map((e) => e.node)
    .filter(ofProgramme)
    .filter((p): p is ClosedBallot => Boolean(p.ballot?.closed));

  return (
    <>
      <h1>{t.dashboard.title}</h1>
      <p className="lead">
        {programme.name} {programme.year}
      </p>
      <p>{t.dashboard.intro}</p>
      <section className="card" aria-labelledby="overall-title">
        <h2 id="overall-title">{t.dashboard.overall}</h2>
        {programme.progress === null ? (
          <p className="muted">{t.dashboard.noQuickWinsYet}</p>
        ) : (
          <>
            <ProgressBar value={programme.progress} label={t.dashboard.overall} testId="programme-progress" />
            <p className="small muted">{t.dashboard.overallHint}</p>
          </>
        )}
      </section>
      {programme.pillarProgress.map((row) => (
        <PillarSection
          key={row.pillar.code}
          row={row}
          quickWins={quickWins.filter((q) => q.pillar.code === row.pillar.code)}
        />
      ))}
      <ClosedBallots items={closed} />
      {error && <RequestError error={error} onRetry={reload} />}
    </>
  );
}
