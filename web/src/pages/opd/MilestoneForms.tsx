/**
 * The milestone forms of the proposal page. The owning OPD adds a milestone
 * or edits one (title, description, due date, weight; status PLANNED or
 * IN_PROGRESS: DONE only by completing, LATE only by the timer), and
 * completes one (done date, note, evidence files uploaded first); the
 * technical team reopens a done one, with a reason. The API checks the rest
 * (who, which state, the dates) and its UserErrors are shown at their field.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import type { UploadedFile } from "../../api/uploads";
import { RequestError } from "../../components/Errors";
import {
  AddMilestoneDocument,
  CompleteMilestoneDocument,
  ReopenMilestoneDocument,
  UpdateMilestoneDocument,
  type MilestoneFieldsFragment,
} from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { EvidenceUpload } from "./EvidenceUpload";
import { FormErrors } from "./fieldErrors";
import { Field, usePayloadForm } from "./formParts";

/** Called after an accepted write, with the status line to show. */
export type OnDone = (message: string) => void;

const MILESTONE_FIELDS = ["title", "description", "dueOn", "weight", "status"] as const;

/** Add a milestone (no `milestone`) or edit one. */
export function MilestoneForm({
  proposalId,
  milestone,
  onDone,
  onCancel,
}: {
  proposalId: string;
  milestone?: MilestoneFieldsFragment;
  onDone: OnDone;
  onCancel?: () => void;
}) {
  const { t } = useI18n();
  const base = useId();
  const form = usePayloadForm(base, MILESTONE_FIELDS);
  const [title, setTitle] = useState(milestone?.title ?? "");
  const [description, setDescription] = useState(milestone?.description ?? "");
  const [dueOn, setDueOn] = useState(milestone?.dueOn ?? "");
  const [weight, setWeight] = useState(String(milestone?.weight ?? 1));
  const [status, setStatus] = useState<"PLANNED" | "IN_PROGRESS">(
    milestone?.status === "IN_PROGRESS" ? "IN_PROGRESS" : "PLANNED",
  );
  const [added, add] = useMutation(AddMilestoneDocument);
  const [updated, update] = useMutation(UpdateMilestoneDocument);
  const fetching = added.fetching || updated.fetching;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    form.clear();
    const ok = form.check({
      title: title.trim() ? null : (m) => m.implementation.required,
      dueOn: dueOn ? null : (m) => m.implementation.required,
      weight: /^\d+$/.test(weight.trim()) && Number(weight) >= 1 ? null : (m) => m.implementation.weightInvalid,
    });
    if (!ok) return;
    const fields = { title: title.trim(), description: description.trim(), dueOn, weight: Number(weight) };
    if (milestone) {
      const result = await update({ input: { milestoneId: milestone.id, ...fields, status } });
      if (form.accept(result.data?.updateMilestone)) onDone(t.implementation.milestoneSaved);
    } else {
      const result = await add({ input: { proposalId, ...fields } });
      if (form.accept(result.data?.addMilestone)) {
        setTitle("");
        setDescription("");
        setDueOn("");
        setWeight("1");
        onDone(t.implementation.milestoneAdded);
      }
    }
  };

  const heading = milestone ? t.implementation.editMilestone(milestone.title) : t.implementation.addMilestone;
  // Under the milestone's own h3 when editing; under the section's h2 when adding.
  const Heading = milestone ? "h4" : "h3";
  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${base}-heading`} className="subform">
      <Heading id={`${base}-heading`}>{heading}</Heading>
      <FormErrors errors={form.errors} fields={MILESTONE_FIELDS} />
      <Field
        base={base}
        field="title"
        label={t.implementation.titleLabel}
        value={title}
        onChange={setTitle}
        messages={form.messagesFor("title")}
        required
      />
      <Field
        base={base}
        field="description"
        label={t.implementation.descriptionLabel}
        value={description}
        onChange={setDescription}
        messages={form.messagesFor("description")}
        multiline
      />
      <Field
        base={base}
        field="dueOn"
        label={t.implementation.dueOnLabel}
        type="date"
        value={dueOn}
        onChange={setDueOn}
        messages={form.messagesFor("dueOn")}
        required
      />
      <Field
        base={base}
        field="weight"
        label={t.implementation.weightLabel}
        type="number"
        inputMode="numeric"
        hint={t.implementation.weightHint}
        value={weight}
        onChange={setWeight}
        messages={form.messagesFor("weight")}
      />
      {milestone && (
        <div className="field">
          <label htmlFor={`${base}-status`}>{t.implementation.statusLabel}</label>
          <select id={`${base}-status`} value={status} onChange={(event) => setStatus(event.target.value as typeof status)}>
            <option value="PLANNED">{t.implementation.status.PLANNED}</option>
            <option value="IN_PROGRESS">{t.implementation.status.IN_PROGRESS}</option>
          </select>
        </div>
      )}
      <div className="button-row">
        <button type="submit" className="button" disabled={fetching}>
          {fetching ? t.implementation.saving : milestone ? t.implementation.save : t.implementation.addMilestone}
        </button>
        {onCancel && (
          <button type="button" className="button button-secondary" onClick={onCancel}>
            {t.common.cancel}
          </button>
        )}
      </div>
      <RequestError error={added.error ?? updated.error} />
    </form>
  );
}

const COMPLETE_FIELDS = ["doneOn", "note", "evidenceIds"] as const;

/** Complete a milestone: done date (empty: today, the API's), note, evidence files. */
export function CompleteMilestoneForm({
  proposalId,
  milestone,
  onDone,
  onCancel,
}: {
  proposalId: string;
  milestone: MilestoneFieldsFragment;
  onDone: OnDone;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const base = useId();
  const form = usePayloadForm(base, COMPLETE_FIELDS);
  const [doneOn, setDoneOn] = useState("");
  const [note, setNote] = useState("");
  const [files, setFiles] = useState<UploadedFile[]>([]);
  const [{ fetching, error }, complete] = useMutation(CompleteMilestoneDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    form.clear();
    const result = await complete({
      input: {
        milestoneId: milestone.id,
        doneOn: doneOn || null,
        note: note.trim() || null,
        evidenceIds: files.length > 0 ? files.map((f) => f.id) : null,
      },
    });
    if (form.accept(result.data?.completeMilestone)) onDone(t.implementation.milestoneCompleted);
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${base}-heading`} className="subform">
      <h4 id={`${base}-heading`}>{t.implementation.completeTitle(milestone.title)}</h4>
      <FormErrors errors={form.errors} fields={COMPLETE_FIELDS} />
      <Field
        base={base}
        field="doneOn"
        label={t.implementation.doneOnLabel}
        type="date"
        hint={t.implementation.doneOnHint}
        value={doneOn}
        onChange={setDoneOn}
        messages={form.messagesFor("doneOn")}
      />
      <Field
        base={base}
        field="note"
        label={t.implementation.note}
        value={note}
        onChange={setNote}
        messages={form.messagesFor("note")}
        multiline
      />
      <EvidenceUpload proposalId={proposalId} files={files} onChange={setFiles} />
      <div className="button-row">
        <button type="submit" className="button" disabled={fetching}>
          {fetching ? t.implementation.saving : t.implementation.complete}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          {t.common.cancel}
        </button>
      </div>
      <RequestError error={error} />
    </form>
  );
}

const REOPEN_FIELDS = ["reason"] as const;

/** The technical team: reopen a done milestone, with a reason. */
export function ReopenMilestoneForm({
  milestone,
  onDone,
  onCancel,
}: {
  milestone: MilestoneFieldsFragment;
  onDone: OnDone;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const base = useId();
  const form = usePayloadForm(base, REOPEN_FIELDS);
  const [reason, setReason] = useState("");
  const [{ fetching, error }, reopen] = useMutation(ReopenMilestoneDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    form.clear();
    if (!form.check({ reason: reason.trim() ? null : (m) => m.implementation.required })) return;
    const result = await reopen({ input: { milestoneId: milestone.id, reason: reason.trim() } });
    if (form.accept(result.data?.reopenMilestone)) onDone(t.implementation.milestoneReopened);
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${base}-heading`} className="subform">
      <h4 id={`${base}-heading`}>{t.implementation.reopenTitle(milestone.title)}</h4>
      <FormErrors errors={form.errors} fields={REOPEN_FIELDS} />
      <Field
        base={base}
        field="reason"
        label={t.implementation.reasonLabel}
        value={reason}
        onChange={setReason}
        messages={form.messagesFor("reason")}
        multiline
        required
      />
      <div className="button-row">
        <button type="submit" className="button button-danger" disabled={fetching}>
          {t.implementation.reopen}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          {t.common.cancel}
        </button>
      </div>
      <RequestError error={error} />
    </form>
  );
}
