"""The texts of e-mail: one subject and one body per notification kind, in Bahasa Indonesia and English.

Every message is plain text, in the recipient's language (``Member.language``:
``id``, the default, or ``en``), and ends with a link into the web client
(:func:`proposal_link`). Templates use ``str.format`` fields; the facts a
consumer passes (:func:`render`) are ``title`` (the proposal's), ``state``
(a state's label), ``result``, ``due`` (a date or time as text) and ``link``.
"""

from __future__ import annotations

from base64 import b64encode
from typing import Any
from urllib.parse import quote

from council.notifications.models import NotificationKind

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

_SUBJECTS: dict[NotificationKind, dict[str, str]] = {
    NotificationKind.BALLOT_OPENED: {
        "id": "Pemungutan suara dibuka: {title}",
        "en": "Voting is open: {title}",
    },
    NotificationKind.VOTE_REMINDER: {
        "id": "Pengingat: Anda belum memberikan suara untuk {title}",
        "en": "Reminder: you have not voted on {title}",
    },
    NotificationKind.REVIEW_ASSIGNED: {
        "id": "Penugasan telaah: {title}",
        "en": "Review assigned: {title}",
    },
    NotificationKind.REVIEW_REMINDER: {
        "id": "Pengingat: telaah {title} segera jatuh tempo",
        "en": "Reminder: the review of {title} is due soon",
    },
    NotificationKind.ESCALATION: {
        "id": "Eskalasi: {title} melewati batas waktu",
        "en": "Escalation: {title} is overdue",
    },
    NotificationKind.PROPOSAL_DECIDED: {
        "id": "Keputusan atas usulan: {title}",
        "en": "Decision on the proposal: {title}",
    },
    NotificationKind.REVISION_REQUESTED: {
        "id": "Usulan perlu direvisi: {title}",
        "en": "Revision requested: {title}",
    },
}

_BODIES: dict[NotificationKind, dict[str, str]] = {
    NotificationKind.BALLOT_OPENED: {
        "id": "Pemungutan suara atas usulan \u201c{title}\u201d telah dibuka; Anda berhak memberikan suara.{due_line}",
        "en": "Voting on the proposal \u201c{title}\u201d is open and you may vote.{due_line}",
    },
    NotificationKind.VOTE_REMINDER: {
        "id": "Anda belum memberikan suara atas usulan \u201c{title}\u201d.{due_line}",
        "en": "You have not yet voted on the proposal \u201c{title}\u201d.{due_line}",
    },
    NotificationKind.REVIEW_ASSIGNED: {
        "id": "Usulan \u201c{title}\u201d ditugaskan kepada Anda (atau universitas Anda) untuk ditelaah.{due_line}",
        "en": "The proposal \u201c{title}\u201d was assigned to you (or your university) for review.{due_line}",
    },
    NotificationKind.REVIEW_REMINDER: {
        "id": "Telaah atas usulan \u201c{title}\u201d belum diserahkan.{due_line}",
        "en": "The review of the proposal \u201c{title}\u201d has not been submitted yet.{due_line}",
    },
    NotificationKind.ESCALATION: {
        "id": "Usulan \u201c{title}\u201d telah berada pada tahap {state} melewati batas waktu layanan.",
        "en": "The proposal \u201c{title}\u201d has been in {state} longer than its service level allows.",
    },
    NotificationKind.PROPOSAL_DECIDED: {
        "id": "Pemungutan suara atas usulan \u201c{title}\u201d telah ditutup: {result}. Tahap sekarang: {state}.",
        "en": "Voting on the proposal \u201c{title}\u201d has closed: {result}. It is now {state}.",
    },
    NotificationKind.REVISION_REQUESTED: {
        "id": "Tim teknis mengembalikan usulan \u201c{title}\u201d untuk direvisi.{comment_line}",
        "en": "The technical team sent the proposal \u201c{title}\u201d back for revision.{comment_line}",
    },
}

_DUE = {"id": " Tenggat: {due}.", "en": " Due: {due}."}
_COMMENT = {"id": "\n\nCatatan: {comment}", "en": "\n\nNote: {comment}"}
_OPEN = {"id": "Buka usulan", "en": "Open the proposal"}
_FOOTER = {
    "id": "Anda menerima surel ini dari Council. Atur pemberitahuan di halaman profil Anda.",
    "en": "You receive this e-mail from Council. Change your notifications on your profile page.",
}
RESULTS = {
    "approved": {"id": "disetujui", "en": "approved"},
    "rejected": {"id": "ditolak", "en": "rejected"},
    "no_quorum": {"id": "tidak mencapai kuorum", "en": "no quorum"},
}
_DIGEST_SUBJECT = {
    "id": "Ringkasan harian Council: {count} pemberitahuan",
    "en": "Council daily digest: {count} notices",
}
_DIGEST_INTRO = {"id": "Pemberitahuan Anda sejak ringkasan terakhir:", "en": "Your notices since the last digest:"}


def language_of(value: str | None) -> str:
    """``en`` or ``id`` (the default for anything else)."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def proposal_link(base_url: str, proposal_id: int) -> str:
    """``{base_url}/app/proposals/{global id}``: the web client's page of the proposal (web/src/routes.tsx).

    The global ID is ``base64("Proposal:<id>")``, percent-encoded as the
    client's own links are (``encodeURIComponent``).
    """
    global_id = b64encode(f"Proposal:{proposal_id}".encode()).decode()
    return f"{base_url.rstrip('/')}/app/proposals/{quote(global_id, safe='')}"


def render(kind: NotificationKind, lang: str, **facts: Any) -> tuple[str, str]:
    """(subject, plain-text body) of a ``kind`` message in ``lang`` with ``facts`` (see the module docstring)."""
    lang = language_of(lang)
    values = {"title": "", "state": "", "result": "", "comment": "", "due": "", "link": ""} | facts
    values["due_line"] = _DUE[lang].format(due=values["due"]) if values["due"] else ""
    values["comment_line"] = _COMMENT[lang].format(comment=values["comment"]) if values["comment"] else ""
    subject = _SUBJECTS[kind][lang].format(**values)
    body = _BODIES[kind][lang].format(**values)
    if values["link"]:
        body += f"\n\n{_OPEN[lang]}: {values['link']}"
    return _one_line(subject), f"{body}\n\n-- \n{_FOOTER[lang]}\n"


def digest(lang: str, items: list[tuple[str, str]]) -> tuple[str, str]:
    """(subject, body) of one digest folding ``items``, each a message's (subject, link)."""
    lang = language_of(lang)
    lines = [_DIGEST_INTRO[lang], ""]
    for subject, link in items:
        lines.append(f"- {subject}")
        if link:
            lines.append(f"  {link}")
    return _DIGEST_SUBJECT[lang].format(count=len(items)), "\n".join(lines) + f"\n\n-- \n{_FOOTER[lang]}\n"


def _one_line(text: str, limit: int = 255) -> str:
    """``text`` on one line (a header may not break), at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"
