/**
 * A quick win's milestones as the API orders them (by due date): title,
 * status, due date, done date, weight, description, note and evidence links.
 * The same list on the public dashboard and on the proposal page, where
 * `actions` adds the owning OPD's and the technical team's buttons under
 * each milestone. Evidence links are the API's URLs (GET /uploads/<id>,
 * served as attachments; readable by whoever may read the proposal).
 */
import type { ReactNode } from "react";
import { formatDate } from "../../format";
import type { EvidenceFileFieldsFragment, MilestoneFieldsFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";

/** Size in bytes, kB or MB, for a file link. */
function fileSize(size: number): string {
  if (size < 1000) return `${size} B`;
  return size >= 1_000_000 ? `${(size / 1_000_000).toFixed(1)} MB` : `${Math.round(size / 1000)} kB`;
}

export function EvidenceLinks({ files }: { files: readonly EvidenceFileFieldsFragment[] }) {
  const { t } = useI18n();
  if (files.length === 0) return null;
  return (
    <div className="evidence">
      <p className="evidence-title">{t.implementation.evidence}</p>
      <ul className="evidence-list" data-testid="evidence">
        {files.map((file) => (
          <li key={file.id}>
            <a href={file.url} download={file.filename}>
              {file.filename}
            </a>{" "}
            <span className="muted small">({fileSize(file.size)})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function MilestoneStatusBadge({ status }: { status: MilestoneFieldsFragment["status"] }) {
  const { t } = useI18n();
  return (
    <span className={`badge status-${status.toLowerCase().replace("_", "-")}`} data-testid="milestone-status">
      {t.implementation.status[status]}
    </span>
  );
}

export interface MilestoneListProps {
  milestones: readonly MilestoneFieldsFragment[];
  /** The heading level of each milestone's title (3 on the proposal page, 5 on the dashboard). */
  level?: 3 | 4 | 5;
  /** Buttons and forms under a milestone (the proposal page). */
  actions?: (milestone: MilestoneFieldsFragment) => ReactNode;
}

export function MilestoneList({ milestones, level = 3, actions }: MilestoneListProps) {
  const { t, lang } = useI18n();
  if (milestones.length === 0) return <p className="muted">{t.implementation.noMilestones}</p>;
  const Title = `h${level}` as const;
  return (
    <ol className="milestones" data-testid="milestones">
      {milestones.map((m) => (
        <li key={m.id} className={`milestone milestone-${m.status.toLowerCase().replace("_", "-")}`} data-testid="milestone">
          <Title className="milestone-title">{m.title}</Title>
          <p className="milestone-meta small">
            <MilestoneStatusBadge status={m.status} /> {t.implementation.dueOn}: {formatDate(m.dueOn, lang)}
            {m.doneOn && (
              <>
                {" "}
                · {t.implementation.doneOn}: {formatDate(m.doneOn, lang)}
              </>
            )}{" "}
            · {t.implementation.weight}: {m.weight}
          </p>
          {m.description && <p>{m.description}</p>}
          {m.note && (
            <p>
              <span className="visually-hidden">{t.implementation.note}: </span>
              <em>{m.note}</em>
            </p>
          )}
          <EvidenceLinks files={m.evidence} />
          {actions?.(m)}
        </li>
      ))}
    </ol>
  );
}
