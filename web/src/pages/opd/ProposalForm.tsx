/**
 * /app/proposals/new and /app/proposals/:id/edit: the OPD draft form.
 *
 * Fields: pillar (the `pillars` of the draft's programme, or of the current programme for a new one), title,
 * summary, budget in whole rupiah ("15.750.000.000" or "15750000000" are both
 * read, the API gets the digit string). A new draft is created with
 * createProposal and then opens in the edit view; the edit view saves with
 * updateProposal and shows the form only while availableActions has
 * "updateProposal". Below it the workflow moves the viewer may make now
 * (submit, withdraw: availableTransitions, through the shared TransitionActions);
 * after one, the proposal page opens with the outcome as its status line.
 * The API's UserErrors are shown at the field they name.
 */
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Loading, ProposalNotFound, RequestError, StatusMessage, type UserErrorLike } from "../../components/Errors";
import { proposalPath } from "../../components/ProposalCard";
import { TransitionActions } from "../../components/TransitionActions";
import { useWorkflow } from "../../components/workflow";
import { formatRupiah, parseRupiah } from "../../format";
import {
  CreateDraftDocument,
  OpdDraftDocument,
  PillarsDocument,
  UpdateDraftDocument,
  type ProposalBasicsFragment,
} from "../../generated/graphql";
import { useI18n } from "../../i18n";
import type { ProposalPageState } from "../council/ProposalPage";
import { FieldErrors, FormErrors, describedBy, errorsFor, useOnLangChange, type LocalMessage } from "./fieldErrors";

/** The fields of the form, in the order errors are focused. */
const FIELDS = ["pillar", "title", "summary", "budget"] as const;
type Field = (typeof FIELDS)[number];

/** What the inputs hold (the budget as typed). */
interface Values {
  /** A pillar code of the programme, "" before one is chosen. */
  pillar: string;
  title: string;
  summary: string;
  budget: string;
}

const EMPTY: Values = { pillar: "", title: "", summary: "", budget: "" };

/** Whole rupiah as typed in Indonesia, without "Rp": "15750000000" → "15.750.000.000". */
function groupedRupiah(amount: string): string {
  return formatRupiah(amount).replace(/^Rp\s*/, "");
}

/** Where a saved or created draft may go next (router state of the edit view). */
interface EditState {
  created?: boolean;
}

interface DraftFieldsProps {
  initial: Values;
  saving: boolean;
  errors: readonly UserErrorLike[];
  submitLabel: string;
  onSubmit: (values: Values & { budgetDigits: string }) => Promise<void>;
  /** The draft's programme (its pillars are offered); none for a new draft: the current programme. */
  programmeId?: string;
  /** The draft's pillar label, shown until the pillars have loaded. */
  pillarLabel?: string;
  /** Told whether the inputs differ from `initial` (the edit view holds the transitions back meanwhile). */
  onDirtyChange?: (dirty: boolean) => void;
}

/** Whether the inputs say something else than `initial` (spaces around text and the budget's grouping aside). */
function differs(values: Values, initial: Values): boolean {
  const budget = (v: Values) => parseRupiah(v.budget) ?? v.budget.trim();
  return (
    values.pillar !== initial.pillar ||
    values.title.trim() !== initial.title.trim() ||
    values.summary.trim() !== initial.summary.trim() ||
    budget(values) !== budget(initial)
  );
}

/**
 * The four inputs and the save button; local checks before sending (every
 * field filled, a readable budget: all of them at once), the API's
 * UserErrors for the rest.
 */
function DraftFields({
  initial,
  saving,
  errors,
  submitLabel,
  onSubmit,
  onDirtyChange,
  programmeId,
  pillarLabel,
}: DraftFieldsProps) {
  const { t } = useI18n();
  const base = useId();
  const id = useCallback((field: Field) => `${base}-${field}`, [base]);
  const [values, setValues] = useState<Values>(initial);
  const [local, setLocal] = useState<Partial<Record<Field, LocalMessage>>>({});
  const [{ data: pillarData, error: pillarError }] = useQuery({
    query: PillarsDocument,
    variables: { programmeId },
    requestPolicy: "cache-first",
  });

  const dirty = differs(values, initial);
  useEffect(() => {
    onDirtyChange?.(dirty);
  }, [dirty, onDirtyChange]);
  // Gone (saved: a new version mounts afresh; no longer editable): nothing is pending.
  useEffect(() => () => onDirtyChange?.(false), [onDirtyChange]);

  // After the API answers with errors, put the focus on the first input it names.
  useEffect(() => {
    const first = FIELDS.find((field) => errorsFor(errors, field).length > 0);
    if (first) document.getElementById(id(first))?.focus();
  }, [errors, id]);

  const set = (field: Field) => (value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    if (local[field]) setLocal((l) => ({ ...l, [field]: undefined }));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Partial<Record<Field, LocalMessage>> = {};
    if (!values.pillar) problems.pillar = (m) => m.opdReview.pillarMissing;
    if (!values.title.trim()) problems.title = (m) => m.opdReview.titleMissing;
    if (!values.summary.trim()) problems.summary = (m) => m.opdReview.summaryMissing;
    const digits = parseRupiah(values.budget);
    if (digits === null) problems.budget = (m) => m.opd.budgetInvalid;
    setLocal(problems);
    const first = FIELDS.find((field) => problems[field]);
    if (first) {
      document.getElementById(id(first))?.focus();
      return;
    }
    void onSubmit({ ...values, budgetDigits: digits! });
  };

  const messages = (field: Field) => [local[field]?.(t), ...errorsFor(errors, field).map((e) => e.message)];
  const invalid = (field: Field) => messages(field).some(Boolean);
  const aria = (field: Field, hint = false) => ({
    "aria-invalid": invalid(field) ? true : undefined,
    "aria-describedby": describedBy(hint ? `${id(field)}-hint` : null, `${id(field)}-error`, invalid(field)),
  });

  return (
    <form className="card" onSubmit={submit} noValidate>
      <FormErrors errors={errors} fields={FIELDS} />
      <div className="field">
        <label htmlFor={id("pillar")}>{t.opd.pillarLabel}</label>
        <select
          id={id("pillar")}
          value={values.pillar}
          required
          {...aria("pillar")}
          onChange={(event) => set("pillar")(event.target.value)}
        >
          <option value="">{t.opd.pillarChoose}</option>
          {(pillarData?.pillars ?? []).map((pillar) => (
            <option key={pillar.code} value={pillar.code}>
              {/* The programme's own words, as everywhere else in the client (PillarLabel). */}
              {pillar.label}
            </option>
          ))}
          {/* The draft's pillar before the list has loaded, so the select keeps its value. */}
          {!pillarData && values.pillar && <option value={values.pillar}>{pillarLabel ?? values.pillar}</option>}
        </select>
        <FieldErrors id={`${id("pillar")}-error`} messages={messages("pillar")} />
      </div>
      <RequestError error={pillarError} />
      <div className="field">
        <label htmlFor={id("title")}>{t.opd.titleLabel}</label>
        <input
          id={id("title")}
          type="text"
          value={values.title}
          required
          autoComplete="off"
          {...aria("title")}
          onChange={(event) => set("title")(event.target.value)}
        />
        <FieldErrors id={`${id("title")}-error`} messages={messages("title")} />
      </div>
      <div className="field">
        <label htmlFor={id("summary")}>{t.opd.summaryLabel}</label>
        <textarea
          id={id("summary")}
          value={values.summary}
          rows={6}
          required
          {...aria("summary")}
          onChange={(event) => set("summary")(event.target.value)}
        />
        <FieldErrors id={`${id("summary")}-error`} messages={messages("summary")} />
      </div>
      <div className="field">
        <label htmlFor={id("budget")}>{t.opd.budgetLabel}</label>
        <input
          id={id("budget")}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          value={values.budget}
          required
          {...aria("budget", true)}
          onChange={(event) => set("budget")(event.target.value)}
          onBlur={() => {
            const digits = parseRupiah(values.budget);
            if (digits !== null) setValues((v) => ({ ...v, budget: groupedRupiah(digits) }));
          }}
        />
        <p className="hint" id={`${id("budget")}-hint`}>
          {t.opd.budgetHint}
        </p>
        <FieldErrors id={`${id("budget")}-error`} messages={messages("budget")} />
      </div>
      <div className="button-row">
        <button type="submit" className="button" disabled={saving}>
          {saving ? t.opdReview.saving : submitLabel}
        </button>
      </div>
    </form>
  );
}

/** /app/proposals/new: a new draft of the viewer's organisation. */
function NewDraft() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [{ fetching, error }, create] = useMutation(CreateDraftDocument);
  useOnLangChange(() => setErrors([]));
  return (
    <>
      <h1>{t.opd.newTitle}</h1>
      <p className="lead">{t.opdReview.newIntro}</p>
      <DraftFields
        initial={EMPTY}
        saving={fetching}
        errors={errors}
        submitLabel={t.opd.saveDraft}
        onSubmit={async (values) => {
          setErrors([]);
          const result = await create({
            input: {
              pillar: values.pillar,
              title: values.title.trim(),
              summary: values.summary.trim(),
              budget: values.budgetDigits,
            },
          });
          const payload = result.data?.createProposal;
          if (!payload) return;
          if (payload.errors.length > 0) setErrors(payload.errors);
          else if (payload.proposal) {
            const state: EditState = { created: true };
            void navigate(`${proposalPath(payload.proposal.id)}/edit`, { replace: true, state });
          }
        }}
      />
      <RequestError error={error} />
      <p>
        <Link to="/mine">{t.opdReview.backToMine}</Link>
      </p>
    </>
  );
}

/** The edit form of a loaded draft, and the moves the viewer may make on it. */
function EditDraft({ proposal, created }: { proposal: ProposalBasicsFragment; created: boolean }) {
  const { t } = useI18n();
  const workflow = useWorkflow(proposal.workflowName, proposal.workflowVersion);
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [saved, setSaved] = useState<"created" | "saved" | null>(created ? "created" : null);
  // Unsaved edits: the transitions below would move the saved version, so they wait for "Simpan draf".
  const [dirty, setDirty] = useState(false);
  const [{ fetching, error }, update] = useMutation(UpdateDraftDocument);
  useOnLangChange(() => setErrors([]));
  const navigate = useNavigate();
  const editable = proposal.availableActions.includes("updateProposal");
  const path = proposalPath(proposal.id);

  return (
    <>
      <h1>{t.opd.editTitle}</h1>
      <p>
        <span className="badge" data-testid="proposal-state">
          {workflow.stateLabel(proposal.state)}
        </span>{" "}
        <span className="muted">{proposal.organization.name}</span>
      </p>
      <StatusMessage>{saved === "created" ? t.opdReview.draftCreated : saved === "saved" ? t.opd.saved : null}</StatusMessage>
      {editable ? (
        <DraftFields
          // A new version from the server (another tab, a save) starts the inputs afresh.
          key={proposal.version}
          initial={{
            pillar: proposal.pillar.code,
            title: proposal.title,
            summary: proposal.summary,
            budget: groupedRupiah(proposal.budget),
          }}
          programmeId={proposal.programme.id}
          pillarLabel={proposal.pillar.label}
          saving={fetching}
          errors={errors}
          submitLabel={t.opd.saveDraft}
          onDirtyChange={setDirty}
          onSubmit={async (values) => {
            setErrors([]);
            setSaved(null);
            const result = await update({
              input: {
                proposalId: proposal.id,
                pillar: values.pillar,
                title: values.title.trim(),
                summary: values.summary.trim(),
                budget: values.budgetDigits,
              },
            });
            const payload = result.data?.updateProposal;
            if (!payload) return;
            if (payload.errors.length > 0) setErrors(payload.errors);
            else setSaved("saved");
          }}
        />
      ) : (
        <section className="card" aria-labelledby="draft-locked">
          <h2 id="draft-locked">{proposal.title}</h2>
          <p>{t.opdReview.notEditable}</p>
        </section>
      )}
      <RequestError error={error} />
      <TransitionActions
        proposal={proposal}
        held={dirty ? t.opd.unsavedChanges : null}
        // After submit or withdraw the draft is no longer this form's: show the proposal page, with the outcome.
        onDone={(moved) => {
          const state: ProposalPageState = { movedTo: moved.state };
          void navigate(proposalPath(moved.id), { replace: true, state });
        }}
      />
      <p className="button-row">
        <Link to={path}>{t.opdReview.viewProposal}</Link>
        <Link to="/mine">{t.opdReview.backToMine}</Link>
      </p>
    </>
  );
}

/** /app/proposals/:id/edit: loads the draft, then EditDraft. */
function EditDraftPage() {
  const { id = "" } = useParams();
  const location = useLocation();
  const created = Boolean((location.state as EditState | null)?.created);
  const [{ data, fetching, error }, reexecute] = useQuery({ query: OpdDraftDocument, variables: { id } });
  if (fetching && !data) return <Loading />;
  if (!data) return <RequestError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />;
  if (!data.proposal) return <ProposalNotFound />;
  return <EditDraft proposal={data.proposal} created={created} />;
}

export function ProposalForm({ mode }: { mode: "new" | "edit" }) {
  return mode === "new" ? <NewDraft /> : <EditDraftPage />;
}
