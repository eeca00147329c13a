/**
 * The owning OPD's KPI forms on the proposal page: define a KPI (name, unit,
 * baseline, target, direction UP or DOWN) and record a measurement (a KPI of
 * the proposal, a period YYYY, YYYY-MM or YYYY-Qn, a value, a note). Numbers
 * take a decimal comma or point; the API checks the rest.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { RequestError } from "../../components/Errors";
import { isPeriod, parseDecimal } from "../../format";
import { DefineKpiDocument, RecordMeasurementDocument, type KpiDirection, type KpiFieldsFragment } from "../../generated/graphql";
import { useI18n } from "../../i18n";
import { FormErrors } from "./fieldErrors";
import { Field, usePayloadForm } from "./formParts";
import type { OnDone } from "./MilestoneForms";

const KPI_FIELDS = ["name", "unit", "baseline", "target", "direction"] as const;

export function DefineKpiForm({ proposalId, onDone }: { proposalId: string; onDone: OnDone }) {
  const { t } = useI18n();
  const base = useId();
  const form = usePayloadForm(base, KPI_FIELDS);
  const [name, setName] = useState("");
  const [unit, setUnit] = useState("");
  const [baseline, setBaseline] = useState("");
  const [target, setTarget] = useState("");
  const [direction, setDirection] = useState<KpiDirection>("UP");
  const [{ fetching, error }, define] = useMutation(DefineKpiDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    form.clear();
    const baselineValue = parseDecimal(baseline);
    const targetValue = parseDecimal(target);
    const ok = form.check({
      name: name.trim() ? null : (m) => m.implementation.required,
      unit: unit.trim() ? null : (m) => m.implementation.required,
      baseline: baselineValue === null ? (m) => m.implementation.numberInvalid : null,
      target: targetValue === null ? (m) => m.implementation.numberInvalid : null,
    });
    if (!ok || baselineValue === null || targetValue === null) return;
    const result = await define({
      input: { proposalId, name: name.trim(), unit: unit.trim(), baseline: baselineValue, target: targetValue, direction },
    });
    if (form.accept(result.data?.defineKpi)) {
      setName("");
      setUnit("");
      setBaseline("");
      setTarget("");
      onDone(t.implementation.kpiDefined);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${base}-heading`} className="subform">
      <h3 id={`${base}-heading`}>{t.implementation.defineKpi}</h3>
      <FormErrors errors={form.errors} fields={KPI_FIELDS} />
      <Field
        base={base}
        field="name"
        label={t.implementation.nameLabel}
        value={name}
        onChange={setName}
        messages={form.messagesFor("name")}
        required
      />
      <Field
        base={base}
        field="unit"
        label={t.implementation.unitLabel}
        value={unit}
        onChange={setUnit}
        messages={form.messagesFor("unit")}
        required
      />
      <Field
        base={base}
        field="baseline"
        label={t.implementation.baselineLabel}
        inputMode="decimal"
        value={baseline}
        onChange={setBaseline}
        messages={form.messagesFor("baseline")}
        required
      />
      <Field
        base={base}
        field="target"
        label={t.implementation.targetLabel}
        inputMode="decimal"
        value={target}
        onChange={setTarget}
        messages={form.messagesFor("target")}
        required
      />
      <fieldset>
        <legend>{t.implementation.directionLabel}</legend>
        {(["UP", "DOWN"] as const).map((value) => (
          <label key={value} className="radio">
            <input
              type="radio"
              name={`${base}-direction`}
              id={value === "UP" ? `${base}-direction` : undefined}
              value={value}
              checked={direction === value}
              onChange={() => setDirection(value)}
            />{" "}
            {value === "UP" ? t.implementation.directionUp : t.implementation.directionDown}
          </label>
        ))}
      </fieldset>
      <div className="button-row">
        <button type="submit" className="button" disabled={fetching}>
          {fetching ? t.implementation.saving : t.implementation.defineKpi}
        </button>
      </div>
      <RequestError error={error} />
    </form>
  );
}

const MEASUREMENT_FIELDS = ["kpiId", "period", "value", "note"] as const;

export function MeasurementForm({ kpis, onDone }: { kpis: readonly KpiFieldsFragment[]; onDone: OnDone }) {
  const { t } = useI18n();
  const base = useId();
  const form = usePayloadForm(base, MEASUREMENT_FIELDS);
  const [kpiId, setKpiId] = useState(kpis[0]?.id ?? "");
  const [period, setPeriod] = useState("");
  const [value, setValue] = useState("");
  const [note, setNote] = useState("");
  const [{ fetching, error }, record] = useMutation(RecordMeasurementDocument);
  const chosen = kpis.some((k) => k.id === kpiId) ? kpiId : (kpis[0]?.id ?? "");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    form.clear();
    const number = parseDecimal(value);
    const ok = form.check({
      period: isPeriod(period.trim()) ? null : (m) => m.implementation.periodInvalid,
      value: number === null ? (m) => m.implementation.numberInvalid : null,
    });
    if (!ok || number === null) return;
    const result = await record({ input: { kpiId: chosen, period: period.trim(), value: number, note: note.trim() || null } });
    if (form.accept(result.data?.recordMeasurement)) {
      setValue("");
      setNote("");
      onDone(t.implementation.measurementRecorded);
    }
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby={`${base}-heading`} className="subform">
      <h3 id={`${base}-heading`}>{t.implementation.recordMeasurement}</h3>
      <FormErrors errors={form.errors} fields={MEASUREMENT_FIELDS} />
      <div className="field">
        <label htmlFor={`${base}-kpiId`}>{t.implementation.kpiLabel}</label>
        <select id={`${base}-kpiId`} value={chosen} onChange={(event) => setKpiId(event.target.value)}>
          {kpis.map((kpi) => (
            <option key={kpi.id} value={kpi.id}>
              {kpi.name} ({kpi.unit})
            </option>
          ))}
        </select>
      </div>
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
        field="value"
        label={t.implementation.valueLabel}
        inputMode="decimal"
        value={value}
        onChange={setValue}
        messages={form.messagesFor("value")}
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
          {fetching ? t.implementation.saving : t.implementation.recordMeasurement}
        </button>
      </div>
      <RequestError error={error} />
    </form>
  );
}
