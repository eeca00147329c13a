/**
 * Form helpers of the OPD and review pages: a payload's UserErrors shown next
 * to the input they name (UserError.field: "title", "budget",
 * "scores.feasibility", "percent", ...), the rest above the form. Messages are
 * shown as the API sent them (already in the request's language); each block
 * has role="alert" so a screen reader announces it.
 */
import { useEffect, useEffectEvent, useRef } from "react";
import { UserErrors, type UserErrorLike } from "../../components/Errors";
import { useI18n, type Messages } from "../../i18n";

/** A message of the client's own checks, rendered in the language in force (so a switch re-renders it). */
export type LocalMessage = (t: Messages) => string;

/**
 * Run `clear` when the UI language changes: the API's messages came in the
 * language of their request, so they go (sending again brings them back in
 * the new language) rather than stay in the old one.
 */
export function useOnLangChange(clear: () => void): void {
  const { lang } = useI18n();
  const first = useRef(lang);
  // An effect event: only the language matters, not a new `clear` at each render.
  const onLangChange = useEffectEvent(clear);
  useEffect(() => {
    if (first.current !== lang) {
      first.current = lang;
      onLangChange();
    }
  }, [lang]);
}

/** The errors naming `field`, or a part of it ("scores" also takes "scores.impact"). */
export function errorsFor(errors: readonly UserErrorLike[], field: string): UserErrorLike[] {
  return errors.filter((e) => e.field === field || (e.field ?? "").startsWith(`${field}.`));
}

/** The errors naming none of `fields` (no field, or a field the form has no input for). */
export function unplacedErrors(errors: readonly UserErrorLike[], fields: readonly string[]): UserErrorLike[] {
  return errors.filter((e) => !e.field || !fields.some((f) => e.field === f || e.field!.startsWith(`${f}.`)));
}

/**
 * The messages of one input (local checks first, then the API's), with `id`
 * for the input's aria-describedby; nothing when there are none.
 */
export function FieldErrors({ id, messages }: { id: string; messages: readonly (string | null | undefined)[] }) {
  const shown = messages.filter((m): m is string => Boolean(m));
  if (shown.length === 0) return null;
  return (
    <div id={id} role="alert">
      {shown.map((message, index) => (
        <p key={index} className="field-error">
          {message}
        </p>
      ))}
    </div>
  );
}

/** The ids for aria-describedby: the hint's, and the error block's when it has messages. */
export function describedBy(hintId: string | null, errorId: string, hasErrors: boolean): string | undefined {
  const ids = [hintId, hasErrors ? errorId : null].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** The errors no input shows, in the shared alert block. */
export function FormErrors({ errors, fields }: { errors: readonly UserErrorLike[]; fields: readonly string[] }) {
  return <UserErrors errors={unplacedErrors(errors, fields)} />;
}
