"""Writing commitments: create one (an administrator, or the seed) and sign it (a required signatory).

Both go through the write recipe (:mod:`council.unit_of_work`): one
transaction; signing locks the commitment's row (``SELECT ... FOR UPDATE``)
and checks on it; each write appends an event to the commitment's own hash
chain (``Chain("commitment", id)``), whose ``data`` holds ``text_hash``.

- **Create** (``created``): the text is stored exactly as given (not
  stripped) and ``text_hash`` is the SHA-256 hex of its UTF-8 bytes. The
  required signatories are written at once (a snapshot): by default every
  active ``opd_head`` and the active ``council_chair`` (the mayor)
  countersigning; the seed may name them. A member who gets the role later is
  not added. There is no update: a new text is a new commitment, so the text a
  signature names never changes.
- **Sign** (``signed``): only a required signatory (else FORBIDDEN); signing
  again changes nothing and records nothing; a signature needs a recent
  password (:func:`council.auth.stepup.require_recent_authentication`,
  ``COUNCIL_STEP_UP_MAX_AGE``). The last signature makes it ``complete``
  (``to_state``), which it stays: the list never grows.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from council.audit.chains import commitment_chain
from council.auth.policy import CREATE_COMMITMENT, authorize
from council.auth.principal import SYSTEM, Principal
from council.auth.stepup import require_recent_authentication
from council.commitments import queries
from council.commitments.models import TEXT_MAX, TITLE_MAX, Commitment, CommitmentSignatory
from council.enums import CommitmentStatus, SignatoryRole
from council.errors import DomainError, ErrorCode, invalid, not_found
from council.organizations.models import Member
from council.programmes.models import Programme
from council.unit_of_work import UnitOfWork, unit_of_work


def text_hash(text: str) -> str:
    """The SHA-256 hex digest (64 lower-case characters) of ``text``'s exact UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_title(value: object) -> str:
    """The title stripped: 1 to 255 characters. Raises DomainError INVALID_INPUT (field ``title``)."""
    title = str(value or "").strip()
    if not title:
        raise invalid("blank", "title")
    if len(title) > TITLE_MAX:
        raise invalid("too_long", "title", max=TITLE_MAX)
    return title


def clean_text(value: object) -> str:
    """The text exactly as given (what is signed is what was written): not blank, at most 20 000 characters.

    Raises:
        DomainError: INVALID_INPUT (field ``text``).
    """
    text = value if isinstance(value, str) else ""
    if not text.strip():
        raise invalid("blank", "text")
    if len(text) > TEXT_MAX:
        raise invalid("too_long", "text", max=TEXT_MAX)
    return text


async def create_commitment(actor: Principal, programme_id: int, *, title: object, text: object) -> int:
    """Create a commitment of programme ``programme_id`` with the default signatories; its id.

    Needs the ``admin`` scope and role (:data:`council.auth.policy.CREATE_COMMITMENT`).

    Raises:
        DomainError: UNAUTHENTICATED, FORBIDDEN; NOT_FOUND (``programmeId``);
            INVALID_INPUT (title, text; ``no_signatories`` when the city has
            no active OPD head nor council chair).
    """
    authorize(actor, CREATE_COMMITMENT)
    return await _create(actor, programme_id, title=title, text=text)


async def create_commitment_as_system(
    programme_id: int,
    *,
    title: object,
    text: object,
    signatories: list[int] | None = None,
    countersignatory: int | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Create a commitment as :data:`~council.auth.principal.SYSTEM` (``council seed``); its id.

    ``signatories`` / ``countersignatory``: member ids replacing the
    default's part (None: the default's). Announces nothing after the
    caller's outer transaction (the unit inside it is a savepoint).

    Raises:
        DomainError: as :func:`create_commitment` (no scope or role check);
            INVALID_INPUT ``unknown_member`` for an id that is no active member.
    """
    return await _create(
        SYSTEM,
        programme_id,
        title=title,
        text=text,
        signatories=signatories,
        countersignatory=countersignatory,
        data=data,
    )


async def _create(
    actor: Principal,
    programme_id: int,
    *,
    title: object,
    text: object,
    signatories: list[int] | None = None,
    countersignatory: int | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    clean = clean_title(title), clean_text(text)
    if not await Programme.exists(id=programme_id):
        raise not_found("programme", "programmeId")
    required = await _required(signatories, countersignatory)
    async with unit_of_work(actor, None) as work:
        commitment = await Commitment.create(
            programme_id=programme_id, title=clean[0], text=clean[1], text_hash=text_hash(clean[1])
        )
        work.bind(commitment_chain(commitment.id))
        for position, (member, role) in enumerate(required):
            await CommitmentSignatory.create(
                commitment_id=commitment.id,
                member_id=member["id"],
                organization_id=member["organization_id"],
                role=role.value,
                position=position,
            )
        await work.record(
            "created",
            to_state=CommitmentStatus.OPEN.value,
            data={
                "text_hash": commitment.text_hash,
                "title": commitment.title,
                "programme_id": programme_id,
                "signatories": [m["username"] for m, r in required if r is SignatoryRole.SIGNATORY],
                "countersignatories": [m["username"] for m, r in required if r is SignatoryRole.COUNTERSIGNATORY],
            }
            | (data or {}),
        )
        if not actor.system:
            work.announce("created")
        return int(commitment.id)


async def _required(
    signatories: list[int] | None, countersignatory: int | None
) -> list[tuple[dict[str, Any], SignatoryRole]]:
    heads, chairs = await queries.default_signatories()
    if signatories is not None or countersignatory is not None:
        named = [*(signatories or []), *([countersignatory] if countersignatory is not None else [])]
        rows = {
            m["id"]: m
            for m in await Member.filter(id__in=named, is_active=True).values("id", "organization_id", "username")
        }
        missing = [i for i in named if i not in rows]
        if missing:
            raise invalid("unknown_member", "signatories", value=missing[0])
        if signatories is not None:
            heads = [rows[i] for i in signatories]
        if countersignatory is not None:
            chairs = [rows[countersignatory]]
        heads = [h for h in heads if h["id"] not in {c["id"] for c in chairs}]
    required = [(h, SignatoryRole.SIGNATORY) for h in heads] + [(c, SignatoryRole.COUNTERSIGNATORY) for c in chairs]
    if not required:
        raise invalid("no_signatories", "programmeId")
    return required


async def sign_commitment(actor: Principal, commitment_id: int, *, signed_at: datetime | None = None) -> int:
    """``actor`` signs commitment ``commitment_id``; its id. Signing again changes nothing (no event).

    Steps (the write recipe): signed in; lock the row; NOT_FOUND when absent;
    FORBIDDEN unless ``actor`` is one of its required signatories; nothing
    more when already signed; then a recent password
    (:func:`council.auth.stepup.require_recent_authentication`), the
    signature (``signed_at`` now, UTC) and the ``signed`` event holding
    ``text_hash``, ``role`` and the organisation's id; ``to_state``
    ``complete`` on the last signature.

    ``signed_at``: for ``council seed`` only (a signature made on paper on
    that day, recorded now; no step-up, ``actor`` is the member).

    Raises:
        DomainError: UNAUTHENTICATED, NOT_FOUND (``commitmentId``),
            FORBIDDEN (``not_a_signatory``), REAUTHENTICATION_REQUIRED.
    """
    if not actor.is_authenticated:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "unauthenticated")
    async with unit_of_work(actor, commitment_chain(commitment_id)) as work:
        row = await queries.locked_row(commitment_id)
        if row is None:
            raise not_found("commitment", "commitmentId")
        signatories = (await queries.signatories_for([commitment_id]))[commitment_id]
        mine = next((s for s in signatories if s["member_id"] == actor.member_id), None)
        if mine is None:
            raise DomainError(ErrorCode.FORBIDDEN, "not_a_signatory")
        if mine["signed_at"] is not None:
            return commitment_id
        if signed_at is None:
            require_recent_authentication(actor)
        await _sign(work, row, mine, signatories, signed_at)
        return commitment_id


async def _sign(
    work: UnitOfWork,
    row: dict[str, Any],
    mine: dict[str, Any],
    signatories: list[dict[str, Any]],
    signed_at: datetime | None,
) -> None:
    at = signed_at or work.now
    await CommitmentSignatory.filter(id=mine["id"]).update(signed_at=at)
    mine["signed_at"] = at
    status = queries.status_of(signatories)
    await work.record(
        "signed",
        from_state=CommitmentStatus.OPEN.value,
        to_state=status.value,
        data={
            "text_hash": row["text_hash"],
            "role": mine["role"],
            "organization_id": mine["organization_id"],
            "signed_at": at.isoformat(),
        },
    )
    if signed_at is None:
        work.announce("signed", member_id=mine["member_id"], status=status.value)
