/**
 * Evidence files: POST /uploads?proposalId=<Proposal id>&filename=<name> with
 * the raw bytes as the body and the session's bearer token (the one the urql
 * client sends; scope implementation:write). The server checks the type by
 * content (PDF, JPEG, PNG), the size and who may upload, and answers
 * 201 {"id", "filename", "contentType", "size", "sha256", "url"}, or
 * {"errors": [{"code", "message"}]} (400/401/403/404/413/415) in the language
 * of Accept-Language. The id is what completeMilestone's evidenceIds take.
 */
import type { Session } from "../auth/session";
import type { UserErrorLike } from "../components/Errors";
import type { Lang } from "../i18n";

/** The server's answer for a stored file. */
export interface UploadedFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  url: string;
}

export type UploadResult = { ok: true; file: UploadedFile } | { ok: false; errors: UserErrorLike[] };

async function send(token: string | null, lang: Lang, proposalId: string, file: File): Promise<Response> {
  const query = new URLSearchParams({ proposalId, filename: file.name });
  const headers: Record<string, string> = { "Accept-Language": lang, "Content-Type": "application/octet-stream" };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`/uploads?${query.toString()}`, { method: "POST", headers, body: file });
}

/**
 * Upload `file` as evidence of `proposalId`. A 401 refreshes the session once
 * and sends again (as the GraphQL client's auth exchange does). Network
 * failures reject (the caller shows its generic network message).
 */
export async function uploadEvidence(session: Session, lang: Lang, proposalId: string, file: File): Promise<UploadResult> {
  let response = await send(await session.freshAccessToken(), lang, proposalId, file);
  if (response.status === 401 && (await session.refresh())) {
    response = await send(session.accessToken, lang, proposalId, file);
  }
  const body = (await response.json().catch(() => null)) as
    | (Partial<UploadedFile> & { errors?: { code?: string; message?: string }[] })
    | null;
  if (response.ok && body && typeof body.id === "string") return { ok: true, file: body as UploadedFile };
  const errors = (body?.errors ?? []).map((e) => ({ code: e.code ?? "ERROR", field: null, message: e.message ?? "" }));
  return { ok: false, errors: errors.length > 0 ? errors : [{ code: `HTTP_${response.status}`, field: null, message: "" }] };
}
