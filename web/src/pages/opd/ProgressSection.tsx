/**
 * The implementation progress section of the proposal page: the reports so
 * far (oldest first, as the API gives them), and the report form (percent
 * 0–100 and a note) when availableActions has "reportProgress". The API
 * decides the rest (the range, never backwards, who may report) and its
 * UserErrors are shown at the field they name. Evidence files may go with a
 * report (uploaded first, EvidenceUpload). Once the quick win has milestones
 * its progress is their roll-up and the API refuses reports, so the form
 * goes. Nothing is shown for a proposal without reports that the viewer may
 * not report on.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { DateTime } from "../../components/Format";
import { RequestError, StatusMessage, type UserErrorLike } from "../../components/Errors";
import { ReportImplementationProgressDocument, type ProposalDetailFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import type { UploadedFile } from "../../api/uploads";
import { EvidenceLinks } from "../../components/implementation/MilestoneList";
import { EvidenceUpload } from "./EvidenceUpload";
import { FieldErrors, FormErrors, describedBy, errorsFor, useOnLangChange } from "./fieldErrors";

const FIELDS = ["percent", "note", "evidenceIds"] as const;

export interface ProgressSectionProps {
  proposal: Pick<ProposalDetailFragment, "id" | "progress" | "progressPercent" | "availableActions" | "milestones">;
  /** Called after a report was accepted. */
  onDone?: () => void;
}

/** The report form: percent (a whole number; the API checks 0–100 and never backwards) and a note. */
function ProgressForm({ proposalId, current, onDone }: { proposalId: string; current: number | null; onDone?: () => void }) {
  const { t } = useI18n();
  const base = useId();
  const [percent, setPercent] = useState(current === null ? "" : String(current));
  const [note, setNote] = useState("");
  const [files, setFiles] = useState<UploadedFile[]>([]);
  const [percentUnreadable, setPercentUnreadable] = useState(false);
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [done, setDone] = useState(false);
  const [{ fetching, error }, report] = useMutation(ReportImplementationProgressDocument);
  useOnLangChange(() => setErrors([]));
  const percentId = `${base}-percent`;
  const noteId = `${base}-note`;
  const percentMessages = [percentUnreadable ? t.opdReview.percentInvalid : null, ...errorsFor(errors, "percent").map((e) => e.message)];
  const noteMessages = errorsFor(errors, "note").map((e) => e.message);
  const percentInvalid = percentMessages.some(Boolean);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    setErrors([]);
    const text = percent.trim();
    if (!/^\d{1,3}$/.test(text)) {
      setPercentUnreadable(true);
      document.getElementById(percentId)?.focus();
      return;
    }
    setPercentUnreadable(false);
    const result = await report({
      input: {
        proposalId,
        percent: Number(text),
        note: note.trim() || null,
        evidenceIds: files.length > 0 ? files.map((f) => f.id) : null,
      },
    });
    const payload = result.data?.reportProgress;
    if (!payload) return;
    if (payload.errors.length > 0) {
      setErrors(payload.errors);
      const first = FIELDS.find((field) => errorsFor(payload.errors, field).length > 0);
      if (first) document.getElementById(`${base}-${first}`)?.focus();
      return;
    }
    setNote("");
    setFiles([]);
    setDone(true);
    onDone?.();
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${base}-title`}>
      <h3 id={`${base}-title`}>{t.opd.report}</h3>
      <FormErrors errors={errors} fields={FIELDS} />
      <div className="field">
        <label htmlFor={percentId}>{t.opd.percentLabel}</label>
        <input
          id={percentId}
          type="number"
          inputMode="numeric"
          min={0}
          max={100}
          step={1}
          required
          value={percent}
          aria-invalid={percentInvalid ? true : undefined}
          aria-describedby={describedBy(`${percentId}-hint`, `${percentId}-error`, percentInvalid)}
          onChange={(event) => setPercent(event.target.value)}
        />
        <p className="hint" id={`${percentId}-hint`}>
          {t.opd.percentHint}
        </p>
        <FieldErrors id={`${percentId}-error`} messages={percentMessages} />
      </div>
      <div className="field">
        <label htmlFor={noteId}>{t.opd.noteLabel}</label>
        <textarea
          id={noteId}
          rows={3}
          value={note}
          aria-invalid={noteMessages.length > 0 ? true : undefined}
          aria-describedby={describedBy(null, `${noteId}-error`, noteMessages.length > 0)}
          onChange={(event) => setNote(event.target.value)}
        />
        <FieldErrors id={`${noteId}-error`} messages={noteMessages} />
      </div>
      <EvidenceUpload proposalId={proposalId} files={files} onChange={setFiles} />
      <div className="button-row">
        <button type="submit" className="button" disabled={fetching}>
          {fetching ? t.opdReview.saving : t.opd.report}
        </button>
      </div>
      <StatusMessage>{done ? t.opd.reported : null}</StatusMessage>
      <RequestError error={error} />
    </form>
  );
}

export function ProgressSection({ proposal, onDone }: ProgressSectionProps) {
  const { t } = useI18n();
  const mayReport = proposal.availableActions.includes("reportProgress") && proposal.milestones.length === 0;
  if (proposal.progress.length === 0 && !mayReport) return null;
  return (
    <section className="card" aria-labelledby="progress-title">
      <h2 id="progress-title">{t.opd.progressTitle}</h2>
      {proposal.progressPercent !== null && (
        <p>
          <progress max={100} value={proposal.progressPercent} aria-labelledby="progress-title" />{" "}
          <strong>{t.proposal.progressPercent(proposal.progressPercent)}</strong>
        </p>
      )}
      {proposal.progress.length === 0 ? (
        <p className="muted">{t.opd.noProgress}</p>
      ) : (
        <ol className="history" data-testid="progress-reports">
          {proposal.progress.map((report) => (
            <li key={report.id}>
              <p>
                <strong>{t.proposal.progressPercent(report.percent)}</strong>
                {report.note && <> — {report.note}</>}
              </p>
              <p className="muted small">
                {report.author.displayName} · <DateTime iso={report.createdAt} />
              </p>
              <EvidenceLinks files={report.evidence} />
            </li>
          ))}
        </ol>
      )}
      {mayReport && <ProgressForm proposalId={proposal.id} current={proposal.progressPercent} onDone={onDone} />}
    </section>
  );
}
