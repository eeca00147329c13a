/**
 * /app/programme: the current programme (the API's choice: the one running
 * today in the city, else the latest year), public, signed in or not. Its
 * name, year and stage, the current phase, then one vertical timeline of its
 * phases and sessions by start date (a phase before a session starting the
 * same day), each session with its dates, kind, place, attendance count and
 * outputs; then its pillars. A link leads to the implementation dashboard. One column at every width: readable at 360 px.
 */
import { useCallback } from "react";
import { Link } from "react-router";
import { useQuery } from "urql";
import { Loading, RequestError } from "../../components/Errors";
import { formatDateRange } from "../../format";
import { ProgrammeDocument, type ProgrammeQuery } from "../../generated/graphql";
import { useI18n } from "../../i18n";

type Programme = NonNullable<ProgrammeQuery["programme"]>;
type Phase = Programme["phases"][number];
type Session = Programme["sessions"][number];
type Entry = { kind: "phase"; phase: Phase } | { kind: "session"; session: Session };

/** Phases and sessions in one list by start date; on the same day the phase comes first. */
function timeline(programme: Programme): Entry[] {
  const entries: Entry[] = [
    ...programme.phases.map((phase): Entry => ({ kind: "phase", phase })),
    ...programme.sessions.map((session): Entry => ({ kind: "session", session })),
  ];
  const startOf = (e: Entry) => (e.kind === "phase" ? e.phase.startsOn : e.session.startsOn);
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => {
      const byDate = startOf(a.entry).localeCompare(startOf(b.entry));
      if (byDate !== 0) return byDate;
      if (a.entry.kind !== b.entry.kind) return a.entry.kind === "phase" ? -1 : 1;
      return a.index - b.index;
    })
    .map(({ entry }) => entry);
}

function PhaseItem({ phase }: { phase: Phase }) {
  const { t, lang } = useI18n();
  return (
    <li className={`timeline-item timeline-phase timeline-${phase.status.toLowerCase()}`} data-testid="timeline-phase">
      <p className="timeline-date">{formatDateRange(phase.startsOn, phase.endsOn, lang)}</p>
      <h3 className="timeline-title">
        <span className="visually-hidden">{t.programme.phase}: </span>
        {phase.name}
      </h3>
      <span className="badge">{t.programme.status[phase.status]}</span>
    </li>
  );
}

function SessionItem({ session }: { session: Session }) {
  const { t, lang } = useI18n();
  const present = session.attendance.filter((a) => a.present).length;
  return (
    <li className="timeline-item timeline-session" data-testid="timeline-session">
      <p className="timeline-date">{formatDateRange(session.startsOn, session.endsOn, lang)}</p>
      <h3 className="timeline-title">{session.title}</h3>
      <p className="muted small">
        {t.programme.kind[session.kind]}
        {session.place ? ` · ${session.place}` : ""} · <span data-testid="session-attendance">{t.programme.attendance(present)}</span>
      </p>
      {session.outputs.length > 0 ? (
        <>
          <h4 className="timeline-subtitle">{t.programme.outputs}</h4>
          <ul className="timeline-outputs">
            {session.outputs.map((output) => (
              <li key={output.title}>
                {output.url ? <a href={output.url}>{output.title}</a> : output.title}
                {output.masterPlanVersion !== null && (
                  <span className="muted"> ({t.programme.masterPlanVersion(output.masterPlanVersion)})</span>
                )}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted small">{t.programme.noOutputs}</p>
      )}
    </li>
  );
}

export function ProgrammePage() {
  const { t } = useI18n();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: ProgrammeDocument, variables: {} });
  const reload = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  if (fetching && !data) return <Loading />;
  if (!data) return <RequestError error={error} onRetry={reload} />;
  const programme = data.programme;
  if (!programme) {
    return (
      <>
        <h1>{t.programme.title}</h1>
        <p className="muted">{t.programme.notFound}</p>
      </>
    );
  }
  return (
    <div className="programme">
      <h1>{programme.name}</h1>
      <dl className="facts">
        <dt>{t.programme.year}</dt>
        <dd>{programme.year}</dd>
        {programme.stage && (
          <>
            <dt>{t.programme.stage}</dt>
            <dd>{programme.stage}</dd>
          </>
        )}
        <dt>{t.programme.currentPhase}</dt>
        <dd data-testid="current-phase">{programme.currentPhase?.name ?? t.programme.noCurrentPhase}</dd>
      </dl>
      <p>
        <Link to="/dashboard" data-testid="dashboard-link">
          {t.dashboard.fromProgramme}
        </Link>
      </p>
      <section aria-labelledby="programme-timeline">
        <h2 id="programme-timeline">{t.programme.timeline}</h2>
        <ol className="timeline">
          {timeline(programme).map((entry) =>
            entry.kind === "phase" ? (
              <PhaseItem key={`phase-${entry.phase.code}`} phase={entry.phase} />
            ) : (
              <SessionItem key={entry.session.id} session={entry.session} />
            ),
          )}
        </ol>
      </section>
      <section aria-labelledby="programme-pillars">
        <h2 id="programme-pillars">{t.programme.pillars}</h2>
        <ul className="pillar-list" data-testid="programme-pillars">
          {programme.pillars.map((pillar) => (
            <li key={pillar.code}>{pillar.label}</li>
          ))}
        </ul>
      </section>
    </div>
  );
}
