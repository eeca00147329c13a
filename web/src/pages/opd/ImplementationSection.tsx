/**
 * After the vote, on the proposal page: the quick win's milestones (with
 * evidence), KPIs (chart and table) and spending against the approved
 * budget, for every reader; and for the owning OPD while the proposal is in
 * a state its workflow marks `progress`, the forms to add, edit and complete
 * milestones (uploading evidence), define KPIs, record measurements and
 * report spending. The technical team gets "reopen" on a done milestone.
 *
 * Who sees the forms is the API's answer: availableActions lists
 * addMilestone, defineKpi and reportSpending exactly when those mutations
 * would be accepted (the owning OPD, a state its workflow marks `progress`).
 * Reopen is per milestone, so it is offered to the technical team's role and
 * the mutation decides; refusals are shown at the form.
 */
import { useState } from "react";
import { StatusMessage } from "../../components/Errors";
import { KpiCard } from "../../components/implementation/KpiCard";
import { MilestoneList } from "../../components/implementation/MilestoneList";
import { SpendingSummary } from "../../components/implementation/SpendingSummary";
import { ProgressBar } from "../../components/ProgressBar";
import { useOptionalViewer } from "../../components/viewer";
import type { MilestoneFieldsFragment, ProposalDetailFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { DefineKpiForm, MeasurementForm } from "./KpiForms";
import { CompleteMilestoneForm, MilestoneForm, ReopenMilestoneForm } from "./MilestoneForms";
import { SpendingForm } from "./SpendingForm";

/** The owning OPD's operations on a quick win in implementation that availableActions lists (one means all). */
const OPD_ACTIONS = ["addMilestone", "defineKpi", "reportSpending"];

type Open = { id: string; form: "edit" | "complete" | "reopen" } | null;
type Part = "milestones" | "kpis" | "spending";

/** Whether the viewer is shown the owning OPD's forms, and the technical team's reopen button. */
function usePermissions(proposal: ProposalDetailFragment) {
  const viewer = useOptionalViewer();
  const actions = proposal.availableActions;
  return {
    manage: actions.some((a) => OPD_ACTIONS.includes(a)),
    reopen: actions.includes("reopenMilestone") || (viewer !== null && viewer.roles.includes("TECHNICAL_TEAM")),
  };
}

export function ImplementationSection({ proposal, onDone }: { proposal: ProposalDetailFragment; onDone?: () => void }) {
  const { t } = useI18n();
  const may = usePermissions(proposal);
  const [open, setOpen] = useState<Open>(null);
  // The last accepted write's status line, in the card of the part it changed.
  const [notice, setNotice] = useState<{ part: Part; message: string } | null>(null);
  const started = proposal.milestones.length + proposal.kpis.length + proposal.spending.length > 0;
  if (!started && !may.manage && proposal.budgetApproved === null) return null;

  const doneIn = (part: Part) => (message: string) => {
    setOpen(null);
    setNotice({ part, message });
    onDone?.();
  };
  const done = doneIn("milestones");
  const noticeIn = (part: Part) => <StatusMessage>{notice?.part === part ? notice.message : null}</StatusMessage>;
  const toggle = (id: string, form: "edit" | "complete" | "reopen") =>
    setOpen((current) => (current?.id === id && current.form === form ? null : { id, form }));

  const actions = (m: MilestoneFieldsFragment) => {
    const buttons = [
      may.manage && m.status !== "DONE" && { form: "edit" as const, label: t.implementation.edit },
      may.manage && m.status !== "DONE" && { form: "complete" as const, label: t.implementation.complete },
      may.reopen && m.status === "DONE" && { form: "reopen" as const, label: t.implementation.reopen },
    ].filter((b): b is { form: "edit" | "complete" | "reopen"; label: string } => Boolean(b));
    if (buttons.length === 0) return null;
    const shown = open?.id === m.id ? open.form : null;
    const cancel = () => setOpen(null);
    return (
      <>
        <div className="button-row">
          {buttons.map((b) => (
            <button
              key={b.form}
              type="button"
              className="button button-secondary button-small"
              aria-expanded={shown === b.form}
              aria-label={`${b.label}: ${m.title}`}
              onClick={() => toggle(m.id, b.form)}
            >
              {b.label}
            </button>
          ))}
        </div>
        {shown === "edit" && <MilestoneForm proposalId={proposal.id} milestone={m} onDone={done} onCancel={cancel} />}
        {shown === "complete" && <CompleteMilestoneForm proposalId={proposal.id} milestone={m} onDone={done} onCancel={cancel} />}
        {shown === "reopen" && <ReopenMilestoneForm milestone={m} onDone={done} onCancel={cancel} />}
      </>
    );
  };

  return (
    <>
      <section className="card" aria-labelledby="milestones-title" data-testid="milestones-section">
        <h2 id="milestones-title">{t.implementation.milestones}</h2>
        {noticeIn("milestones")}
        {proposal.milestones.length > 0 && (
          <>
            <ProgressBar value={proposal.progressPercent} label={t.implementation.progress} testId="milestone-progress" />
            <p className="small muted">{t.implementation.fromMilestones}</p>
          </>
        )}
        <MilestoneList milestones={proposal.milestones} actions={actions} />
        {may.manage && <MilestoneForm proposalId={proposal.id} onDone={done} />}
      </section>
      <section className="card" aria-labelledby="kpis-title" data-testid="kpis-section">
        <h2 id="kpis-title">{t.implementation.kpis}</h2>
        {noticeIn("kpis")}
        {proposal.kpis.length === 0 ? (
          <p className="muted">{t.implementation.noKpis}</p>
        ) : (
          <ul className="kpis">
            {proposal.kpis.map((kpi) => (
              <KpiCard key={kpi.id} kpi={kpi} />
            ))}
          </ul>
        )}
        {may.manage && proposal.kpis.length > 0 && <MeasurementForm kpis={proposal.kpis} onDone={doneIn("kpis")} />}
        {may.manage && <DefineKpiForm proposalId={proposal.id} onDone={doneIn("kpis")} />}
      </section>
      <section className="card" aria-labelledby="spending-title" data-testid="spending-section">
        <h2 id="spending-title">{t.implementation.spending}</h2>
        {noticeIn("spending")}
        <SpendingSummary
          title={proposal.title}
          spending={proposal.spending}
          budgetApproved={proposal.budgetApproved}
          budgetRealised={proposal.budgetRealised}
        />
        {may.manage && <SpendingForm proposalId={proposal.id} onDone={doneIn("spending")} />}
      </section>
    </>
  );
}
