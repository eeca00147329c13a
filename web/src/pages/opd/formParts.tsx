/**
 * The pieces the implementation forms share (milestones, KPIs, spending):
 * a labelled input with its hint and messages, and usePayloadForm, which
 * holds a form's errors: the client's own checks (shown in the language in
 * force) and a payload's UserErrors, each at the input its field names
 * (input ids are `${base}-${field}`), the rest above the form, the first
 * faulty input focused.
 */
import { useState, type HTMLInputTypeAttribute } from "react";
import type { UserErrorLike } from "../../components/Errors";
import { useI18n } from "../../i18n";
import { FieldErrors, describedBy, errorsFor, useOnLangChange, type LocalMessage } from "./fieldErrors";

export interface PayloadForm {
  errors: readonly UserErrorLike[];
  /** The messages of `field`: the local check's, then the API's. */
  messagesFor: (field: string) => string[];
  /** Run the local checks ({field: message or null}); false (and the first faulty input focused) when one failed. */
  check: (problems: Record<string, LocalMessage | null>) => boolean;
  /** Show a payload's errors; true when it has none (the write was accepted). */
  accept: (payload: { errors: readonly UserErrorLike[] } | null | undefined) => boolean;
  /** Forget every message (before sending). */
  clear: () => void;
}

export function usePayloadForm(base: string, fields: readonly string[]): PayloadForm {
  const { t } = useI18n();
  const [errors, setErrors] = useState<readonly UserErrorLike[]>([]);
  const [local, setLocal] = useState<Record<string, LocalMessage | null>>({});
  useOnLangChange(() => setErrors([]));
  const focus = (field: string | undefined) => {
    if (field) document.getElementById(`${base}-${field}`)?.focus();
  };
  return {
    errors,
    messagesFor: (field) => {
      const own = local[field];
      return [...(own ? [own(t)] : []), ...errorsFor(errors, field).map((e) => e.message)];
    },
    check: (problems) => {
      setLocal(problems);
      const first = fields.find((field) => problems[field]);
      focus(first);
      return first === undefined;
    },
    accept: (payload) => {
      if (!payload) return false;
      setErrors(payload.errors);
      if (payload.errors.length === 0) return true;
      focus(fields.find((field) => errorsFor(payload.errors, field).length > 0));
      return false;
    },
    clear: () => {
      setErrors([]);
      setLocal({});
    },
  };
}

export interface FieldProps {
  base: string;
  field: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  messages: readonly string[];
  hint?: string;
  type?: HTMLInputTypeAttribute;
  inputMode?: "text" | "numeric" | "decimal";
  multiline?: boolean;
  required?: boolean;
}

/** A labelled input (or textarea) with its hint and messages, described by both. */
export function Field({ base, field, label, value, onChange, messages, hint, type = "text", inputMode, multiline, required }: FieldProps) {
  const id = `${base}-${field}`;
  const invalid = messages.length > 0;
  const common = {
    id,
    value,
    required,
    "aria-invalid": invalid ? true : undefined,
    "aria-describedby": describedBy(hint ? `${id}-hint` : null, `${id}-error`, invalid),
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...common} rows={3} onChange={(event) => onChange(event.target.value)} />
      ) : (
        <input {...common} type={type} inputMode={inputMode} onChange={(event) => onChange(event.target.value)} />
      )}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldErrors id={`${id}-error`} messages={messages} />
    </div>
  );
}
