/**
 * /app/settings/notifications: the viewer's notification preferences
 * (viewer.notificationPreferences): the e-mail address, the e-mails'
 * language, a daily digest instead of one e-mail each, and per kind of
 * notification on or off (no choice stored means on: the API's rule). Saved
 * with updateNotificationPreferences; its UserErrors are shown at the input
 * they name ("email", "language", "dailyDigest", "settings"), the rest above.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { Loading, RequestError, StatusMessage } from "../../components/Errors";
import {
  NotificationPreferencesDocument,
  UpdateNotificationPreferencesDocument,
  type NotificationKind,
  type NotificationPreferencesFieldsFragment,
} from "../../generated/graphql";
import { LANGS, useI18n } from "../../i18n";
import { FieldErrors, FormErrors, describedBy } from "../opd/fieldErrors";
import { usePayloadForm } from "../opd/formParts";

/** Every kind, in the order the page lists them (the contract's NotificationKind). */
const KINDS: readonly NotificationKind[] = [
  "BALLOT_OPENED",
  "VOTE_REMINDER",
  "REVIEW_ASSIGNED",
  "REVIEW_REMINDER",
  "ESCALATION",
  "PROPOSAL_DECIDED",
  "REVISION_REQUESTED",
];

const FIELDS = ["email", "language", "dailyDigest", "settings"] as const;

/** A plain shape check before sending (the API has the last word): something@something.something. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function PreferencesForm({ preferences }: { preferences: NotificationPreferencesFieldsFragment }) {
  const { t } = useI18n();
  const base = useId();
  const form = usePayloadForm(base, FIELDS);
  const [email, setEmail] = useState(preferences.email ?? "");
  const [language, setLanguage] = useState(preferences.language === "en" ? "en" : "id");
  const [digest, setDigest] = useState(preferences.dailyDigest);
  const [enabled, setEnabled] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(KINDS.map((kind) => [kind, preferences.settings.find((s) => s.kind === kind)?.email ?? true])),
  );
  const [saved, setSaved] = useState(false);
  const [{ fetching, error }, update] = useMutation(UpdateNotificationPreferencesDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    form.clear();
    setSaved(false);
    const trimmed = email.trim();
    if (!form.check({ email: trimmed === "" || EMAIL.test(trimmed) ? null : (m) => m.notifications.emailInvalid })) return;
    const result = await update({
      input: {
        email: trimmed,
        language,
        dailyDigest: digest,
        settings: KINDS.map((kind) => ({ kind, email: enabled[kind] ?? true })),
      },
    });
    if (form.accept(result.data?.updateNotificationPreferences)) setSaved(true);
  };

  const emailId = `${base}-email`;
  const emailMessages = form.messagesFor("email");
  const languageMessages = form.messagesFor("language");
  const digestMessages = form.messagesFor("dailyDigest");
  const settingsMessages = form.messagesFor("settings");
  return (
    <form className="card" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="notifications-title">
      <FormErrors errors={form.errors} fields={FIELDS} />
      <div className="field">
        <label htmlFor={emailId}>{t.notifications.emailLabel}</label>
        <input
          id={emailId}
          type="email"
          inputMode="email"
          autoComplete="email"
          value={email}
          aria-invalid={emailMessages.length > 0 ? true : undefined}
          aria-describedby={describedBy(`${emailId}-hint`, `${emailId}-error`, emailMessages.length > 0)}
          onChange={(event) => setEmail(event.target.value)}
        />
        <p className="hint" id={`${emailId}-hint`}>
          {t.notifications.emailHint}
        </p>
        <FieldErrors id={`${emailId}-error`} messages={emailMessages} />
      </div>
      <fieldset id={`${base}-language`} tabIndex={-1}>
        <legend>{t.notifications.languageLegend}</legend>
        <div className="chip-row">
          {LANGS.map((code) => (
            <label key={code} className="chip" lang={code}>
              <input
                type="radio"
                name={`${base}-language`}
                value={code}
                checked={language === code}
                onChange={() => setLanguage(code)}
              />
              <span className="chip-face">{code === "id" ? t.lang.id : t.lang.en}</span>
            </label>
          ))}
        </div>
        <FieldErrors id={`${base}-language-error`} messages={languageMessages} />
      </fieldset>
      <div className="field check">
        <input
          id={`${base}-dailyDigest`}
          type="checkbox"
          role="switch"
          checked={digest}
          aria-describedby={`${base}-dailyDigest-hint`}
          onChange={(event) => setDigest(event.target.checked)}
        />
        <label htmlFor={`${base}-dailyDigest`}>{t.notifications.digestLabel}</label>
        <p className="hint" id={`${base}-dailyDigest-hint`}>
          {t.notifications.digestHint}
        </p>
        <FieldErrors id={`${base}-dailyDigest-error`} messages={digestMessages} />
      </div>
      <fieldset id={`${base}-settings`} tabIndex={-1} data-testid="notification-kinds">
        <legend>{t.notifications.kindsLegend}</legend>
        <ul className="plain-list check-list">
          {KINDS.map((kind) => (
            <li key={kind} className="check">
              <input
                id={`${base}-kind-${kind}`}
                type="checkbox"
                role="switch"
                checked={enabled[kind] ?? true}
                onChange={(event) => setEnabled((state) => ({ ...state, [kind]: event.target.checked }))}
              />
              <label htmlFor={`${base}-kind-${kind}`}>{t.notifications.kind[kind]}</label>
            </li>
          ))}
        </ul>
        <FieldErrors id={`${base}-settings-error`} messages={settingsMessages} />
      </fieldset>
      <button type="submit" className="button" disabled={fetching}>
        {fetching ? t.notifications.saving : t.notifications.save}
      </button>
      <StatusMessage>{saved && t.notifications.saved}</StatusMessage>
      <RequestError error={error} />
    </form>
  );
}

export function NotificationSettings() {
  const { t } = useI18n();
  const [{ data, fetching, error }, reexecute] = useQuery({ query: NotificationPreferencesDocument });
  const preferences = data?.viewer?.notificationPreferences ?? null;
  return (
    <>
      <h1 id="notifications-title">{t.notifications.title}</h1>
      <p className="lead">{t.notifications.intro}</p>
      {fetching && !data ? (
        <Loading />
      ) : !data ? (
        <RequestError error={error} onRetry={() => reexecute({ requestPolicy: "network-only" })} />
      ) : preferences ? (
        <PreferencesForm preferences={preferences} />
      ) : (
        <p>{t.notifications.unavailable}</p>
      )}
    </>
  );
}
