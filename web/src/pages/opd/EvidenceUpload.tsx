/**
 * Evidence files for a milestone or a progress report: choosing a file
 * uploads it at once (POST /uploads, api/uploads.ts) and lists it under
 * "files to attach"; the form's mutation then sends their ids
 * (evidenceIds). The server decides what it takes (PDF, JPEG, PNG by
 * content; the size; who may) and its refusals are shown as it words them.
 */
import { useId, useState } from "react";
import { useAuth } from "../../auth/context";
import { uploadEvidence, type UploadedFile } from "../../api/uploads";
import { UserErrors, type UserErrorLike } from "../../components/Errors";
import { useI18n } from "../../i18n";

export function EvidenceUpload({
  proposalId,
  files,
  onChange,
}: {
  proposalId: string;
  files: readonly UploadedFile[];
  onChange: (files: UploadedFile[]) => void;
}) {
  const { t, lang } = useI18n();
  const { session } = useAuth();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [last, setLast] = useState<UploadedFile | null>(null);
  const [errors, setErrors] = useState<UserErrorLike[]>([]);

  const upload = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setErrors([]);
    setLast(null);
    try {
      const result = await uploadEvidence(session, lang, proposalId, file);
      if (result.ok) {
        onChange([...files, result.file]);
        setLast(result.file);
      } else {
        setErrors(result.errors.map((e) => (e.message ? e : { ...e, message: t.common.genericError })));
      }
    } catch {
      setErrors([{ code: "NETWORK", message: t.common.networkError }]);
    } finally {
      setBusy(false);
      input.value = "";
    }
  };

  // "Uploading…", then "<name> uploaded." while that file is still to be attached (the form's reset clears it).
  const status = busy
    ? t.implementation.uploading
    : last && files.some((f) => f.id === last.id)
      ? t.implementation.uploaded(last.filename)
      : null;
  return (
    <div className="field evidence-upload">
      <label htmlFor={id}>{t.implementation.evidenceLabel}</label>
      <input
        id={id}
        type="file"
        accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
        disabled={busy}
        onChange={(event) => void upload(event.currentTarget)}
      />
      {status && (
        <p className="hint" role="status">
          {status}
        </p>
      )}
      <UserErrors errors={errors} />
      {files.length > 0 && (
        <>
          <p className="evidence-title">{t.implementation.pendingFiles}</p>
          <ul className="evidence-list" data-testid="pending-evidence">
            {files.map((file) => (
              <li key={file.id}>
                {file.filename}{" "}
                <button
                  type="button"
                  className="button button-secondary button-small"
                  onClick={() => onChange(files.filter((f) => f.id !== file.id))}
                >
                  {t.implementation.removeFile(file.filename)}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
