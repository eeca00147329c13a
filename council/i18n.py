"""Messages in English and Bahasa Indonesia, and ``Accept-Language`` negotiation.

Bahasa Indonesia (``id``) is the city's language; English (``en``) the
fallback when a request prefers neither. Templates use ``str.format`` fields.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "not_found": {"en": "{kind} not found", "id": "{kind} tidak ditemukan"},
    "forbidden": {"en": "You may not do this", "id": "Anda tidak berwenang melakukan ini"},
    "unauthenticated": {"en": "Sign in first", "id": "Silakan masuk terlebih dahulu"},
    "reauthentication_required": {
        "en": "Enter your password again: this needs a sign-in within the last {minutes} minutes",
        "id": "Masukkan kata sandi Anda lagi: tindakan ini memerlukan masuk dalam {minutes} menit terakhir",
    },
    "invalid_token": {"en": "The access token is invalid or expired", "id": "Token akses tidak sah atau kedaluwarsa"},
    "missing_scope": {
        "en": "The access token lacks the scope {scope}",
        "id": "Token akses tidak memiliki cakupan {scope}",
    },
    "missing_role": {
        "en": "Only {roles} may do this",
        "id": "Hanya {roles} yang boleh melakukan ini",
    },
    "not_owner": {
        "en": "Only the owning organisation may do this",
        "id": "Hanya organisasi pemilik yang boleh melakukan ini",
    },
    "malformed_id": {"en": "Malformed ID {value!r}", "id": "ID tidak valid {value!r}"},
    "wrong_id_type": {
        "en": "ID {value!r} is not a {expected} ID",
        "id": "ID {value!r} bukan ID {expected}",
    },
    "required": {"en": "{name} is required", "id": "{name} wajib diisi"},
    "too_long": {
        "en": "{name} is longer than {max} characters",
        "id": "{name} lebih dari {max} karakter",
    },
    "body_too_large": {
        "en": "The request body is larger than {max} bytes",
        "id": "Isi permintaan lebih dari {max} bita",
    },
    "too_many": {"en": "{name} lists more than {max} items", "id": "{name} berisi lebih dari {max} butir"},
    "evidence_unknown": {
        "en": "{name} names a file that is not an unattached upload of this proposal by its OPD",
        "id": "{name} menyebut berkas yang bukan unggahan OPD pemilik usulan ini yang belum dilampirkan",
    },
    "file_too_large": {
        "en": "The file is larger than the limit of {max} bytes",
        "id": "Berkas melebihi batas {max} bita",
    },
    "file_type": {
        "en": "Only PDF, PNG and JPEG files are accepted (the type is read from the content, not the name)",
        "id": "Hanya berkas PDF, PNG, dan JPEG yang diterima (jenisnya dibaca dari isi, bukan dari nama)",
    },
    "no_evidence": {
        "en": "Evidence files cannot be uploaded in state {state}",
        "id": "Berkas bukti tidak dapat diunggah pada status {state}",
    },
    "blank": {"en": "{name} must not be blank", "id": "{name} tidak boleh kosong"},
    "budget_range": {
        "en": "{name} must be a whole number of rupiah from Rp 0 to Rp {max}",
        "id": "{name} harus bilangan bulat rupiah dari Rp 0 sampai Rp {max}",
    },
    "unknown_pillar": {
        "en": "Unknown pillar {value!r}; the programme's pillars are {codes}",
        "id": "Pilar tidak dikenal {value!r}; pilar program ini: {codes}",
    },
    "not_a_signatory": {
        "en": "You are not one of this commitment's signatories",
        "id": "Anda bukan salah satu penanda tangan komitmen ini",
    },
    "no_signatories": {
        "en": "A commitment needs signatories: no active OPD head nor council chair",
        "id": "Komitmen memerlukan penanda tangan: tidak ada kepala OPD maupun ketua dewan yang aktif",
    },
    "unknown_member": {"en": "Unknown member {value!r}", "id": "Anggota tidak dikenal {value!r}"},
    "no_programme": {
        "en": "There is no programme yet; load a seed file with one first",
        "id": "Belum ada program; muat berkas seed dengan program terlebih dahulu",
    },
    "score_range": {
        "en": "The {name} score must be from 1 to 5",
        "id": "Nilai {name} harus dari 1 sampai 5",
    },
    "percent_range": {
        "en": "{name} must be from 0 to 100%",
        "id": "{name} harus dari 0 sampai 100%",
    },
    "progress_backwards": {
        "en": "Progress cannot go back from {last}% to {percent}%",
        "id": "Kemajuan tidak boleh turun dari {last}% ke {percent}%",
    },
    "progress_from_milestones": {
        "en": "This quick win's progress comes from its milestones: complete a milestone instead "
        "(its note can say what this report would have)",
        "id": "Kemajuan quick win ini dihitung dari tahapannya: selesaikan sebuah tahapan "
        "(catatannya dapat memuat isi laporan ini)",
    },
    "weight_range": {
        "en": "{name} must be a whole number from 1 to {max}",
        "id": "{name} harus bilangan bulat dari 1 sampai {max}",
    },
    "date_range": {
        "en": "{name} must be a date from {min} to {max}",
        "id": "{name} harus tanggal dari {min} sampai {max}",
    },
    "date_in_future": {
        "en": "{name} cannot be after today ({today})",
        "id": "{name} tidak boleh setelah hari ini ({today})",
    },
    "milestone_status": {
        "en": "{name} may only be set to PLANNED or IN_PROGRESS here (DONE: completeMilestone)",
        "id": "{name} hanya dapat diubah menjadi PLANNED atau IN_PROGRESS di sini (DONE: completeMilestone)",
    },
    "milestone_late_status": {
        "en": "A late milestone stays late until its due date moves ahead or it is completed",
        "id": "Tahapan yang terlambat tetap terlambat sampai tenggatnya dimundurkan atau tahapan itu diselesaikan",
    },
    "milestone_done": {
        "en": "The milestone is done; only the technical team may reopen it",
        "id": "Tahapan ini sudah selesai; hanya tim teknis yang dapat membukanya kembali",
    },
    "milestone_not_done": {
        "en": "Only a completed milestone can be reopened",
        "id": "Hanya tahapan yang sudah selesai yang dapat dibuka kembali",
    },
    "not_editable": {
        "en": "A proposal in state {state} cannot be edited",
        "id": "Usulan dengan status {state} tidak dapat diubah",
    },
    "not_reviewable": {
        "en": "A proposal in state {state} is not open for review",
        "id": "Usulan dengan status {state} tidak sedang ditinjau",
    },
    "no_progress": {
        "en": "Progress cannot be reported in state {state}",
        "id": "Kemajuan tidak dapat dilaporkan pada status {state}",
    },
    "not_in_implementation": {
        "en": "KPIs, measurements and spending are reported during implementation, not in state {state}",
        "id": "KPI, pengukuran, dan belanja dilaporkan selama pelaksanaan, bukan pada status {state}",
    },
    "bad_period": {
        "en": "{name} must be a year (2018), a month (2018-07) or a quarter (2018-Q3), years {min} to {max}; "
        "got {value!r}",
        "id": "{name} harus tahun (2018), bulan (2018-07) atau triwulan (2018-Q3), tahun {min} sampai {max}; "
        "diterima {value!r}",
    },
    "not_finite": {"en": "{name} must be a finite number", "id": "{name} harus bilangan berhingga"},
    "bad_direction": {"en": "{name} must be UP or DOWN", "id": "{name} harus UP atau DOWN"},
    "target_equals_baseline": {
        "en": "The target must differ from the baseline",
        "id": "Target harus berbeda dari nilai awal",
    },
    "direction_mismatch": {
        "en": "Direction {direction} does not match the target: UP needs a target above the baseline, DOWN below",
        "id": "Arah {direction} tidak sesuai dengan target: UP memerlukan target di atas nilai awal, DOWN di bawahnya",
    },
    "kpi_name_taken": {
        "en": "This proposal already has a KPI named {value!r}",
        "id": "Usulan ini sudah memiliki KPI bernama {value!r}",
    },
    "measurement_exists": {
        "en": "This KPI already has a measurement for {period}",
        "id": "KPI ini sudah memiliki pengukuran untuk {period}",
    },
    "amount_range": {
        "en": "{name} must be a whole number of rupiah from Rp 1 to Rp {max}",
        "id": "{name} harus bilangan bulat rupiah dari Rp 1 sampai Rp {max}",
    },
    "over_budget_note": {
        "en": "Spending would reach Rp {realised}, above the approved budget of Rp {approved}: say why in a note",
        "id": "Belanja akan mencapai Rp {realised}, melebihi anggaran disetujui Rp {approved}: jelaskan di catatan",
    },
    "duplicate_title": {
        "en": "Your organisation already has a proposal titled {title!r}",
        "id": "Organisasi Anda sudah memiliki usulan berjudul {title!r}",
    },
    "invalid_email": {
        "en": "{value!r} is not an e-mail address (name@domain.example)",
        "id": "{value!r} bukan alamat surel (nama@domain.example)",
    },
    "unknown_language": {
        "en": "Unknown language {value!r} (one of {known})",
        "id": "Bahasa tidak dikenal {value!r} (salah satu dari {known})",
    },
    "unknown_kind": {"en": "Unknown notification kind {value!r}", "id": "Jenis pemberitahuan tidak dikenal {value!r}"},
    "given_twice": {"en": "{name}: {value} is given twice", "id": "{name}: {value} disebut dua kali"},
    "unknown_trigger": {
        "en": "Workflow {workflow} has no transition {trigger!r}",
        "id": "Alur kerja {workflow} tidak memiliki transisi {trigger!r}",
    },
    "invalid_transition": {
        "en": "Transition {trigger!r} is not possible from state {state}",
        "id": "Transisi {trigger!r} tidak dapat dilakukan dari status {state}",
    },
    "comment_required": {
        "en": "Transition {trigger!r} requires a comment",
        "id": "Transisi {trigger!r} memerlukan komentar",
    },
    "conflict": {
        "en": "The proposal was changed by someone else at the same time; reload and try again",
        "id": "Usulan diubah oleh pihak lain pada saat yang sama; muat ulang lalu coba lagi",
    },
    "guard_failed": {"en": "Guard {guard} failed", "id": "Syarat {guard} tidak terpenuhi"},
    # Why a guard does not hold: one message per guard of council.workflow.guards, ``guard.`` + its
    # name (GuardFailure.key), with the guard's parameters from the workflow file and the proposal's
    # numbers now (GuardFailure.params). The same text explains Proposal.blockedTransitions and
    # refuses transitionProposal (GUARD_FAILED); guard_failed above is the fallback of render.
    "guard.min_reviews": {
        "en": "Needs at least {count} reviews this round, including {university} from a university "
        "(so far {have}, {have_university} from a university)",
        "id": "Perlu sekurang-kurangnya {count} kajian dalam putaran ini, termasuk {university} dari universitas "
        "(baru {have}, {have_university} dari universitas)",
    },
    "guard.quorum_met": {
        "en": "Quorum not reached: {voted} of {required} votes",
        "id": "Kuorum belum tercapai: {voted} dari {required} suara",
    },
    "guard.majority_yes": {
        "en": "No majority yet: {yes} yes against {no} no",
        "id": "Belum ada mayoritas: {yes} setuju melawan {no} tidak setuju",
    },
    "guard.deadline_passed": {
        "en": "The ballot's deadline has not passed yet",
        "id": "Batas waktu pemungutan suara belum lewat",
    },
    "guard.progress_complete": {
        "en": "Needs progress of 100%, from the milestones or the latest report (now {percent}%)",
        "id": "Perlu kemajuan 100%, dari tahapan atau laporan terakhir (saat ini {percent}%)",
    },
    "guard.has_plan_programme": {
        "en": "Needs a link to an acceleration programme of the master plan",
        "id": "Perlu ditautkan ke program percepatan dalam masterplan",
    },
    "master_plan_finalized": {
        "en": "The master plan is finalised and read-only",
        "id": "Masterplan sudah final dan hanya dapat dibaca",
    },
    "master_plan_empty": {
        "en": "The master plan has no version to finalise",
        "id": "Masterplan belum memiliki versi untuk difinalkan",
    },
    "plan_programme_other_programme": {
        "en": "The acceleration programme belongs to another programme's master plan",
        "id": "Program percepatan ini milik masterplan program lain",
    },
    "plan_programme_pillar": {
        "en": "The acceleration programme is for pillar {pillar}, the proposal's pillar is {proposal_pillar}",
        "id": "Program percepatan ini untuk pilar {pillar}, sedangkan pilar usulan adalah {proposal_pillar}",
    },
    "voting_closed": {
        "en": "Voting on this proposal is closed",
        "id": "Pemungutan suara untuk usulan ini sudah ditutup",
    },
    "no_vote_ahead": {
        "en": "No vote on this proposal lies ahead any more, so a conflict of interest can no longer be declared",
        "id": "Tidak ada lagi pemungutan suara untuk usulan ini, "
        "sehingga benturan kepentingan tidak dapat dinyatakan lagi",
    },
    "no_ballot": {
        "en": "This proposal has no open ballot",
        "id": "Usulan ini tidak memiliki pemungutan suara yang terbuka",
    },
    "conflict_of_interest": {
        "en": "You may not vote on a proposal of your own organisation",
        "id": "Anda tidak boleh memberikan suara untuk usulan organisasi Anda sendiri",
    },
    "recused": {
        "en": "You declared a conflict of interest on this proposal",
        "id": "Anda telah menyatakan benturan kepentingan atas usulan ini",
    },
    "not_in_electorate": {
        "en": "You were not a voting member of the council when this ballot opened",
        "id": "Anda belum menjadi anggota dewan yang berhak memilih saat pemungutan suara ini dibuka",
    },
    # The API's input fields as a sentence names them (``{name}``; capitalised at the
    # start of one by render). Keys are ``field.`` + the raw input path of UserError.field.
    "field.title": {"en": "title", "id": "judul"},
    "field.summary": {"en": "summary", "id": "ringkasan"},
    "field.budget": {"en": "budget", "id": "anggaran"},
    "field.pillar": {"en": "pillar", "id": "pilar"},
    "field.comment": {"en": "comment", "id": "komentar"},
    "field.reason": {"en": "reason", "id": "alasan"},
    "field.percent": {"en": "progress", "id": "kemajuan"},
    "field.note": {"en": "note", "id": "catatan"},
    "field.name": {"en": "name", "id": "nama"},
    "field.unit": {"en": "unit", "id": "satuan"},
    "field.baseline": {"en": "baseline", "id": "nilai awal"},
    "field.target": {"en": "target", "id": "target"},
    "field.direction": {"en": "direction", "id": "arah"},
    "field.period": {"en": "period", "id": "periode"},
    "field.value": {"en": "value", "id": "nilai"},
    "field.amount": {"en": "amount", "id": "jumlah"},
    "field.kpiId": {"en": "KPI", "id": "KPI"},
    "field.choice": {"en": "vote choice", "id": "pilihan suara"},
    "field.recommendation": {"en": "recommendation", "id": "rekomendasi"},
    "field.scores.feasibility": {"en": "feasibility", "id": "kelayakan"},
    "field.scores.impact": {"en": "impact", "id": "dampak"},
    "field.scores.costEffectiveness": {"en": "cost-effectiveness", "id": "efektivitas biaya"},
    "field.scores.alignment": {"en": "alignment", "id": "keselarasan"},
    "field.trigger": {"en": "transition", "id": "transisi"},
    "field.proposalId": {"en": "proposal", "id": "usulan"},
    "field.id": {"en": "ID", "id": "ID"},
    "field.after": {"en": "cursor", "id": "kursor"},
    "field.filter.organizationId": {"en": "organisation", "id": "organisasi"},
    "field.filter.search": {"en": "search text", "id": "teks pencarian"},
    "field.programmeId": {"en": "programme", "id": "program"},
    "field.commitmentId": {"en": "commitment", "id": "komitmen"},
    "field.text": {"en": "text", "id": "teks"},
    "field.milestoneId": {"en": "milestone", "id": "tahapan"},
    "field.description": {"en": "description", "id": "uraian"},
    "field.dueOn": {"en": "due date", "id": "tenggat"},
    "field.doneOn": {"en": "completion date", "id": "tanggal selesai"},
    "field.weight": {"en": "weight", "id": "bobot"},
    "field.status": {"en": "status", "id": "status"},
    "field.email": {"en": "e-mail address", "id": "alamat surel"},
    "field.language": {"en": "language", "id": "bahasa"},
    "field.settings": {"en": "notification settings", "id": "pengaturan pemberitahuan"},
    "field.evidenceIds": {"en": "evidence files", "id": "berkas bukti"},
    "field.url": {"en": "URL", "id": "URL"},
    "field.events": {"en": "events", "id": "peristiwa"},
    "field.organizationId": {"en": "organisation", "id": "organisasi"},
    "field.endpointId": {"en": "webhook endpoint", "id": "endpoint webhook"},
    "field.assignmentId": {"en": "review assignment", "id": "penugasan kajian"},
    "field.reviewerIds": {"en": "reviewers", "id": "pengkaji"},
    "field.organizationIds": {"en": "universities", "id": "universitas"},
    "field.dailyDigest": {"en": "daily digest", "id": "ringkasan harian"},
    # What {kind} names in not_found.
    "kind.proposal": {"en": "proposal", "id": "usulan"},
    "kind.kpi": {"en": "KPI", "id": "KPI"},
    "kind.programme": {"en": "programme", "id": "program"},
    "kind.commitment": {"en": "commitment", "id": "komitmen"},
    "kind.milestone": {"en": "milestone", "id": "tahapan"},
    "kind.evidence": {"en": "evidence file", "id": "berkas bukti"},
    "kind.organization": {"en": "organisation", "id": "organisasi"},
    "kind.webhook_endpoint": {"en": "webhook endpoint", "id": "endpoint webhook"},
    "kind.review_assignment": {"en": "review assignment", "id": "penugasan kajian"},
    # The OAuth sign-in and consent pages (council/oauth2/pages.py).
    "page.sign_in_title": {"en": "Sign in to Council", "id": "Masuk ke Council"},
    "page.sign_in_intro": {
        "en": "{client} asks to use Council on your behalf. Sign in to continue.",
        "id": "{client} meminta izin menggunakan Council atas nama Anda. Masuk untuk melanjutkan.",
    },
    "page.username": {"en": "Username", "id": "Nama pengguna"},
    "page.password": {"en": "Password", "id": "Kata sandi"},
    "page.sign_in": {"en": "Sign in", "id": "Masuk"},
    "page.bad_credentials": {
        "en": "The username or password is not correct.",
        "id": "Nama pengguna atau kata sandi salah.",
    },
    "page.throttled": {
        "en": "Too many failed sign-in attempts. Try again in {minutes} minute(s).",
        "id": "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.",
    },
    "page.consent_title": {"en": "Allow access?", "id": "Izinkan akses?"},
    "page.consent_intro": {
        "en": "{client} will be able to do the following as {username}:",
        "id": "{client} akan dapat melakukan hal berikut sebagai {username}:",
    },
    "page.dropped": {
        "en": "Not granted, since your roles do not allow it:",
        "id": "Tidak diberikan karena peran Anda tidak mengizinkannya:",
    },
    "page.allow": {"en": "Allow", "id": "Izinkan"},
    "page.deny": {"en": "Deny", "id": "Tolak"},
    "page.error_title": {
        "en": "This sign-in request cannot be processed",
        "id": "Permintaan masuk ini tidak dapat diproses",
    },
    "page.form_expired": {
        "en": "The form has expired or was sent from another site. Go back to the application and start again.",
        "id": "Formulir sudah kedaluwarsa atau dikirim dari situs lain. Kembali ke aplikasi dan mulai lagi.",
    },
    # What each scope lets a client do, on the consent page.
    "scope.proposals:read": {
        "en": "read proposals, including those not yet published",
        "id": "membaca usulan, termasuk yang belum dipublikasikan",
    },
    "scope.proposals:write": {
        "en": "create, edit and move forward your organisation's proposals",
        "id": "membuat, mengubah, dan memproses usulan organisasi Anda",
    },
    "scope.reviews:write": {"en": "submit technical reviews", "id": "mengirim kajian teknis"},
    "scope.votes:write": {"en": "vote on quick wins", "id": "memberikan suara untuk quick win"},
    "scope.implementation:write": {"en": "report implementation progress", "id": "melaporkan kemajuan pelaksanaan"},
    "scope.admin": {"en": "administer Council", "id": "mengelola Council"},
    # Webhooks (council/webhooks): URLs refused by the SSRF rule, events, endpoints.
    "webhook_url_invalid": {"en": "{value!r} is not a valid URL", "id": "{value!r} bukan URL yang sah"},
    "webhook_url_scheme": {
        "en": "{value!r}: a webhook URL must use https",
        "id": "{value!r}: URL webhook harus memakai https",
    },
    "webhook_url_http": {
        "en": "{value!r}: plain http is allowed only to this machine (loopback) in development mode; use https",
        "id": "{value!r}: http biasa hanya diizinkan ke mesin ini (loopback) dalam mode pengembangan; gunakan https",
    },
    "webhook_url_unresolved": {"en": "The host {host} cannot be resolved", "id": "Host {host} tidak dapat di-resolve"},
    "webhook_url_private": {
        "en": "{host} resolves to the private address {address}, which webhooks may not reach",
        "id": "{host} mengarah ke alamat privat {address}, yang tidak boleh dijangkau webhook",
    },
    "webhook_url_loopback": {
        "en": "{host} resolves to the loopback address {address}, which webhooks may not reach outside development",
        "id": "{host} mengarah ke alamat loopback {address}, yang tidak boleh dijangkau webhook di luar mode "
        "pengembangan",
    },
    "webhook_url_link_local": {
        "en": "{host} resolves to the link-local address {address}, which webhooks may not reach",
        "id": "{host} mengarah ke alamat link-local {address}, yang tidak boleh dijangkau webhook",
    },
    "webhook_url_multicast": {
        "en": "{host} resolves to the multicast address {address}, which webhooks may not reach",
        "id": "{host} mengarah ke alamat multicast {address}, yang tidak boleh dijangkau webhook",
    },
    "webhook_url_reserved": {
        "en": "{host} resolves to the reserved address {address}, which webhooks may not reach",
        "id": "{host} mengarah ke alamat cadangan {address}, yang tidak boleh dijangkau webhook",
    },
    "webhook_event_unknown": {
        "en": "Unknown event {value!r}; the events are {known}",
        "id": "Peristiwa {value!r} tidak dikenal; peristiwa yang ada: {known}",
    },
    "webhook_endpoint_disabled": {
        "en": "The webhook endpoint is already disabled",
        "id": "Endpoint webhook ini sudah dinonaktifkan",
    },
    "internal": {
        "en": "Internal error (reference {ref}); it has been logged",
        "id": "Kesalahan internal (rujukan {ref}); telah dicatat",
    },
    # Reviewer assignment (issue 15, council.reviews.assignments)
    "date_past": {"en": "{name} is in the past", "id": "{name} sudah lewat"},
    "already_assigned": {
        "en": "{name}: already assigned in this review round",
        "id": "{name}: sudah ditugaskan pada putaran kajian ini",
    },
    "not_a_reviewer": {
        "en": "{name}: a reviewer needs the university reviewer or technical team role",
        "id": "{name}: peninjau harus berperan peninjau universitas atau tim teknis",
    },
    "not_a_university": {
        "en": "{name}: only a university can be assigned",
        "id": "{name}: hanya universitas yang dapat ditugaskan",
    },
    "not_pending": {
        "en": "{name}: the assignment is already done or declined",
        "id": "{name}: penugasan sudah selesai atau ditolak",
    },
    "not_assigned": {
        "en": "Only assigned reviewers and the technical team may review this proposal",
        "id": "Hanya peninjau yang ditugaskan dan tim teknis yang dapat meninjau usulan ini",
    },
}


def negotiate(accept_language: str | None) -> str:
    """Pick ``id`` or ``en`` from an ``Accept-Language`` header (RFC 9110 §12.5.4).

    Returns the supported language with the highest q-value; ``en`` when the
    header is absent or names neither.
    """
    if not accept_language:
        return DEFAULT_LANGUAGE
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        lang = tag.strip().lower().split("-")[0]
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


def label(kind: str, value: str, lang: str) -> str:
    """What a message calls ``value`` in ``lang``: ``MESSAGES[f"{kind}.{value}"]``, else ``value`` itself.

    ``kind`` is ``field`` (the API's input paths, e.g. ``scores.impact`` →
    "dampak") or ``kind`` (object kinds of ``not_found``). Labels are in the
    form a sentence uses inside; :func:`render` capitalises one that starts it.
    """
    templates = MESSAGES.get(f"{kind}.{value}")
    if templates is None:
        return value
    return templates.get(lang) or templates[DEFAULT_LANGUAGE]


def number(value: int, lang: str) -> str:
    """``value`` with the digit grouping of ``lang``: ``id`` 9.223.372, ``en`` 9,223,372."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text


def render(key: str, lang: str, **params: Any) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in.

    ``name`` (an input field's raw path) is written with its label
    (:func:`label`, ``field.*``), ``kind`` with ``kind.*``; integers with the
    language's digit grouping (:func:`number`). A message that starts with a
    placeholder starts with a capital letter.
    """
    templates = MESSAGES.get(key) or MESSAGES["guard_failed"]
    template = templates.get(lang) or templates[DEFAULT_LANGUAGE]
    values = {k: number(v, lang) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in params.items()}
    if isinstance(values.get("name"), str):
        values["name"] = label("field", values["name"], lang)
    if isinstance(values.get("kind"), str):
        values["kind"] = label("kind", values["kind"], lang)
    try:
        text = template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
    if template.startswith("{") and text:
        text = text[0].upper() + text[1:]
    return text
