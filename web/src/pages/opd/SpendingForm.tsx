/**
 * The owning OPD's spending report on the proposal page: an amount (whole
 * rupiah above zero, typed as people write it: 250.000.000), a period
 * (YYYY, YYYY-MM or YYYY-Qn) and a note, which the API requires when the
 * total would go over the approved budget (INVALID_INPUT at field note).
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { RequestError } from "../../components/Errors";
import { isPeriod, parseRupiah } from "../../format";
import { ReportSpendingDocument } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { FormErrors } from "./fieldErrors";
import { Field, usePayloadForm } from "./formParts";
import type { OnDone } from "./MilestoneForms";

const FIELDS = ["amount", "period", "note"] as const;

export function SpendingForm({ proposalId, onDone }: { proposalId: string; onDone: OnDone }) {
  const { t } = useI18n();
  const base = useId();
  const form = usePayloadForm(base, FIELDS);
  const [amount, setAmount] = useState("");
  const [period, setPeriod] = useState("");
  const [note, setNote] = useState("");
  const [{ fetching, error }, report] = useMutation(ReportSpendingDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    form.clear();
    const rupiah = parseRupiah(amount);
    const ok = form.check({
      amount: rupiah === null || rupiah === "0" ? (m) => m.implementation.amountInvalid : null,
      period: isPeriod(period.trim()) ? null : (m) => m.implementation.periodInvalid,
    });
    if (!ok || rupiah === null) return;
    const result = await report({ input: { proposalId, amount: rupiah, period: period.trim(), note: note.trim() || null } });
    if (form.accept(result.data?.reportSpending)) {
      setAmount("");
      setNote("");
      onDone(t.implementation.spendingReported);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${base}-heading`} className="subform">
      <h3 id={`${base}-heading`}>{t.implementation.reportSpending}</h3>
      <FormErrors errors={form.errors} fields={FIELDS} />
      <Field
        base={base}
        field="amount"
        label={t.implementation.amountLabel}
        inputMode="numeric"
        hint={t.implementation.amountHint}
        value={amount}
        onChange={setAmount}
        messages={form.messagesFor("amount")}
        required
      />
      <Field
        base={base}
        field="period"
        label={t.implementation.periodLabel}
        hint={t.implementation.periodHint}
        value={period}
        onChange={setPeriod}
        messages={form.messagesFor("period")}
        required
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
      <div className="button-row">
        <button type="submit" className="button" disabled={fetching}>
          {fetching ? t.implementation.saving : t.implementation.reportSpending}
        </button>
      </div>
      <RequestError error={error} />
    </form>
  );
}
