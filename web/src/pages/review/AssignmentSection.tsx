/**
 * The proposal page's reviewer assignments (issue 15): who is assigned to
 * review the proposal (a member or a university), by when, the status
 * (pending, done, declined, with the reason), and
 *
 * - for the technical team, while the proposal is under review, the
 *   assignment form: members and/or universities, and a due date
 *   (assignReviewers; its UserErrors at the input they name: reviewerIds,
 *   organizationIds, dueOn);
 * - for an assignee (the member, or a member of the assigned university when
 *   no member is named), "Tolak penugasan" with a reason (declineAssignment).
 *
 * The form is offered when availableActions lists "assignReviewers", or to a
 * technical-team member while the proposal is in the review queue's state
 * (display only: the API decides). Its own query (ProposalAssignments), so
 * the rest of the proposal page never waits for it.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { RequestError, StatusMessage } from "../../components/Errors";
import { hasAny } from "../../components/roles";
import { useViewer } from "../../components/viewer";
import { formatDate } from "../../format";
import {
  AssignReviewersDocument,
  DeclineAssignmentDocument,
  ProposalAssignmentsDocument,
  type ProposalAssignmentsQuery,
  type ReviewAssignmentFieldsFragment,
} from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { FieldErrors, FormErrors } from "../opd/fieldErrors";
import { Field, usePayloadForm } from "../opd/formParts";
import { QUEUE_STATE } from "./ReviewQueue";

type AssignedProposal = NonNullable<ProposalAssignmentsQuery["proposal"]>;

/** What the form needs: the proposal (its reviews and assignments), the universities and the reviewers. */
interface Data {
  proposal: AssignedProposal;
  organizations: ProposalAssignmentsQuery["organizations"];
  reviewers: ProposalAssignmentsQuery["reviewers"];
}

interface Candidate {
  id: string;
  label: string;
}

/** Members to offer: the viewer when a reviewer, whoever reviewed or was assigned the proposal before, then every
 * member the API lists as assignable (Query.reviewers: university reviewers and the technical team). */
function memberCandidates(
  data: AssignedProposal,
  reviewers: ProposalAssignmentsQuery["reviewers"],
  viewer: ReturnType<typeof useViewer>,
  me: (name: string) => string,
): Candidate[] {
  const seen = new Map<string, Candidate>();
  if (hasAny(viewer.roles, ["TECHNICAL_TEAM", "UNIVERSITY_REVIEWER"])) {
    seen.set(viewer.id, { id: viewer.id, label: me(viewer.displayName) });
  }
  const add = (member: { id: string; displayName: string; organization: { name: string } }) => {
    if (!seen.has(member.id)) seen.set(member.id, { id: member.id, label: `${member.displayName} (${member.organization.name})` });
  };
  data.reviews.forEach((review) => add(review.reviewer));
  data.assignments.forEach((assignment) => assignment.reviewer && add(assignment.reviewer));
  reviewers.forEach(add);
  return [...seen.values()];
}

const ASSIGN_FIELDS = ["reviewerIds", "organizationIds", "dueOn"] as const;

function CheckGroup({
  id,
  legend,
  items,
  chosen,
  onToggle,
  empty,
  messages,
}: {
  id: string;
  legend: string;
  items: readonly Candidate[];
  chosen: readonly string[];
  onToggle: (id: string) => void;
  empty: string;
  messages: readonly string[];
}) {
  return (
    <fieldset id={id} tabIndex={-1} aria-describedby={messages.length > 0 ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      {items.length === 0 ? (
        <p className="muted small">{empty}</p>
      ) : (
        <ul className="plain-list check-list">
          {items.map((item) => (
            <li key={item.id} className="check">
              <input
                id={`${id}-${item.id}`}
                type="checkbox"
                checked={chosen.includes(item.id)}
                onChange={() => onToggle(item.id)}
              />
              <label htmlFor={`${id}-${item.id}`}>{item.label}</label>
            </li>
          ))}
        </ul>
      )}
      <FieldErrors id={`${id}-error`} messages={messages} />
    </fieldset>
  );
}

function AssignForm({ data, onDone }: { data: Data; onDone: () => void }) {
  const { t } = useI18n();
  const viewer = useViewer();
  const base = useId();
  const form = usePayloadForm(base, ASSIGN_FIELDS);
  const [reviewerIds, setReviewerIds] = useState<string[]>([]);
  const [organizationIds, setOrganizationIds] = useState<string[]>([]);
  const [dueOn, setDueOn] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const [{ fetching, error }, assign] = useMutation(AssignReviewersDocument);
  const toggle = (list: string[], set: (value: string[]) => void) => (id: string) =>
    set(list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    form.clear();
    setDone(null);
    const none = reviewerIds.length === 0 && organizationIds.length === 0;
    const ok = form.check({
      reviewerIds: none ? (m) => m.assignments.pickOne : null,
      dueOn: dueOn ? null : (m) => m.assignments.dueOnMissing,
    });
    if (!ok) return;
    const result = await assign({ input: { proposalId: data.proposal.id, reviewerIds, organizationIds, dueOn } });
    const payload = result.data?.assignReviewers;
    if (form.accept(payload)) {
      setDone(t.assignments.assigned(payload?.assignments?.length ?? reviewerIds.length + organizationIds.length));
      setReviewerIds([]);
      setOrganizationIds([]);
      setDueOn("");
      onDone();
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${base}-heading`} className="subform" data-testid="assign-form">
      <h3 id={`${base}-heading`}>{t.assignments.formTitle}</h3>
      <p className="muted">{t.assignments.formIntro}</p>
      <FormErrors errors={form.errors} fields={ASSIGN_FIELDS} />
      <CheckGroup
        id={`${base}-reviewerIds`}
        legend={t.assignments.reviewersLegend}
        items={memberCandidates(data.proposal, data.reviewers, viewer, t.assignments.me)}
        chosen={reviewerIds}
        onToggle={toggle(reviewerIds, setReviewerIds)}
        empty={t.assignments.noCandidates}
        messages={form.messagesFor("reviewerIds")}
      />
      <CheckGroup
        id={`${base}-organizationIds`}
        legend={t.assignments.organizationsLegend}
        items={data.organizations.map((o) => ({ id: o.id, label: o.name }))}
        chosen={organizationIds}
        onToggle={toggle(organizationIds, setOrganizationIds)}
        empty={t.assignments.noOrganizations}
        messages={form.messagesFor("organizationIds")}
      />
      <Field
        base={base}
        field="dueOn"
        label={t.assignments.dueOnLabel}
        hint={t.assignments.dueOnHint}
        type="date"
        value={dueOn}
        onChange={setDueOn}
        messages={form.messagesFor("dueOn")}
        required
      />
      <button type="submit" className="button" disabled={fetching}>
        {fetching ? t.assignments.sending : t.assignments.submit}
      </button>
      <StatusMessage>{done}</StatusMessage>
      <RequestError error={error} />
    </form>
  );
}

/** "Tolak penugasan": a disclosure with the reason, for the assignee of a pending assignment. */
function DeclineForm({ assignment, onDone }: { assignment: ReviewAssignmentFieldsFragment; onDone: (message: string) => void }) {
  const { t } = useI18n();
  const base = useId();
  const form = usePayloadForm(base, ["reason"]);
  const [reason, setReason] = useState("");
  const [{ fetching, error }, decline] = useMutation(DeclineAssignmentDocument);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    form.clear();
    if (!form.check({ reason: reason.trim() ? null : (m) => m.assignments.declineReasonMissing })) return;
    const result = await decline({ input: { assignmentId: assignment.id, reason: reason.trim() } });
    if (form.accept(result.data?.declineAssignment)) onDone(t.assignments.declined);
  };
  return (
    <details className="disclosure" data-testid="decline-assignment">
      <summary>{t.assignments.decline}</summary>
      <form onSubmit={(event) => void submit(event)} noValidate aria-label={t.assignments.declineTitle}>
        <FormErrors errors={form.errors} fields={["reason"]} />
        <Field
          base={base}
          field="reason"
          label={t.assignments.declineReasonLabel}
          value={reason}
          onChange={setReason}
          messages={form.messagesFor("reason")}
          multiline
          required
        />
        <button type="submit" className="button button-danger" disabled={fetching}>
          {t.assignments.declineSubmit}
        </button>
        <RequestError error={error} />
      </form>
    </details>
  );
}

function AssignmentItem({
  assignment,
  mine,
  onDeclined,
}: {
  assignment: ReviewAssignmentFieldsFragment;
  mine: boolean;
  onDeclined: (message: string) => void;
}) {
  const { t, lang } = useI18n();
  const who = assignment.reviewer
    ? `${assignment.reviewer.displayName} (${assignment.reviewer.organization.name})`
    : (assignment.organization?.name ?? t.common.none);
  return (
    <li data-testid="assignment" data-status={assignment.status}>
      <p>
        <span className="visually-hidden">{assignment.reviewer ? t.assignments.reviewer : t.assignments.organization}: </span>
        <strong>{who}</strong>{" "}
        <span className={assignment.status === "DECLINED" ? "badge status-late" : assignment.status === "DONE" ? "badge status-done" : "badge"}>
          {t.assignments.status[assignment.status]}
        </span>
      </p>
      <dl className="facts">
        <dt>{t.assignments.dueOn}</dt>
        <dd>
          <time dateTime={assignment.dueOn}>{formatDate(assignment.dueOn, lang)}</time> · {t.assignments.round(assignment.round)}
        </dd>
        {assignment.declineReason && (
          <>
            <dt>{t.assignments.declineReason}</dt>
            <dd>{assignment.declineReason}</dd>
          </>
        )}
      </dl>
      {mine && assignment.status === "PENDING" && <DeclineForm assignment={assignment} onDone={onDeclined} />}
    </li>
  );
}

/** The section (nothing when there is no assignment and the viewer may not assign). */
export function AssignmentSection({ proposalId, onChanged }: { proposalId: string; onChanged: () => void }) {
  const { t } = useI18n();
  const viewer = useViewer();
  const [{ data, error }, reexecute] = useQuery({ query: ProposalAssignmentsDocument, variables: { id: proposalId } });
  const [message, setMessage] = useState<string | null>(null);
  const proposal = data?.proposal;
  if (!data || !proposal) {
    // The page around works without this section: an error is said here, small, with "retry".
    return error ? <RequestError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} /> : null;
  }
  const canAssign =
    proposal.availableActions.includes("assignReviewers") ||
    (viewer.roles.includes("TECHNICAL_TEAM") && proposal.state === QUEUE_STATE);
  if (proposal.assignments.length === 0 && !canAssign) return null;
  const refresh = () => {
    reexecute({ requestPolicy: "network-only" });
    onChanged();
  };
  const isMine = (a: ReviewAssignmentFieldsFragment) =>
    a.reviewer ? a.reviewer.id === viewer.id : a.organization?.id === viewer.organization.id;
  return (
    <section className="card" aria-labelledby="assignments-title" data-testid="assignments">
      <h2 id="assignments-title">{t.assignments.title}</h2>
      <StatusMessage>{message}</StatusMessage>
      {proposal.assignments.length === 0 ? (
        <p className="muted">{t.assignments.none}</p>
      ) : (
        <ul className="plain-list">
          {proposal.assignments.map((assignment) => (
            <AssignmentItem
              key={assignment.id}
              assignment={assignment}
              mine={isMine(assignment)}
              onDeclined={(text) => {
                setMessage(text);
                refresh();
              }}
            />
          ))}
        </ul>
      )}
      {canAssign && <AssignForm data={{ proposal, organizations: data.organizations, reviewers: data.reviewers }} onDone={refresh} />}
    </section>
  );
}
