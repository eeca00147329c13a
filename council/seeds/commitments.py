"""The seed's commitments: ``programme: commitment:`` written after the members (DESIGN.md, "The seed file").

A programme that already has a commitment keeps it (loading twice changes
nothing; a file whose text differs gets a note, never a second commitment).
Otherwise the commitment is created as the system with its signatories
(the file's, else the default: every active OPD head and the council chair
countersigning), then each ``signed`` entry is recorded as that member's
signature made on that day (an event of the commitment's chain, recorded
now, whose ``signed_at`` is the file's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from council.auth.principal import Principal
from council.commitments import queries
from council.commitments.service import create_commitment_as_system, sign_commitment, text_hash
from council.errors import DomainError
from council.organizations.models import Member
from council.seeds.parse import SeedError, SeedFile


@dataclass
class CommitmentCount:
    """Commitments ``created`` by this load and ``existing`` (left unchanged); ``notes`` on the latter."""

    created: int = 0
    existing: int = 0
    notes: list[str] = field(default_factory=list)


async def write_commitments(
    seed: SeedFile, programme_ids: dict[str, int], members: dict[str, tuple[int, str]]
) -> CommitmentCount:
    """Create the file's commitments that are missing; what was done.

    Args:
        seed: the checked file.
        programme_ids: programme code -> id, as written by the load.
        members: username -> (member id, organisation code) of the file's members (others are looked up).

    Raises:
        SeedError: naming the programme entry: an unknown username, a ``signed``
            member who is not a required signatory, or a service's refusal.
    """
    count = CommitmentCount()
    named = {
        u
        for p in seed.programmes
        if p.commitment is not None
        for u in [
            *(p.commitment.signatories or []),
            p.commitment.countersignatory,
            *(s.member for s in p.commitment.signed),
        ]
        if u is not None and u not in members
    }
    members = members | {
        str(m["username"]): (int(m["id"]), "")
        for m in await Member.filter(username__in=sorted(named)).values("id", "username")
    }
    section = "programme" if "programme" in seed.raw else "programmes"
    for index, programme in enumerate(seed.programmes):
        entry = programme.commitment
        if entry is None:
            continue
        name = seed.entry(section, index) + ": commitment"
        programme_id = programme_ids[programme.code]
        present = await queries.latest_of_programme(programme_id)
        if present is not None:
            count.existing += 1
            if present["text_hash"] != text_hash(entry.text):
                count.notes.append(f"{name}: present with another text; left unchanged")
            continue

        try:
            signatories = (
                None
                if entry.signatories is None
                else [_member_id(seed, name, members, u, "signatories") for u in entry.signatories]
            )
            counter = (
                None
                if entry.countersignatory is None
                else _member_id(seed, name, members, entry.countersignatory, "countersignatory")
            )
            commitment_id = await create_commitment_as_system(
                programme_id,
                title=entry.title,
                text=entry.text,
                signatories=signatories,
                countersignatory=counter,
                data={"source": "seed", "file": seed.path.name},
            )
            for signed in entry.signed:
                signer = Principal(
                    member_id=_member_id(seed, name, members, signed.member, "signed"), username=signed.member
                )
                await sign_commitment(signer, commitment_id, signed_at=signed.signed_at)
        except DomainError as exc:
            raise SeedError(seed.label, name, exc.message("en")) from None
        count.created += 1
    return count


def _member_id(seed: SeedFile, name: str, members: dict[str, tuple[int, str]], username: str, where: str) -> int:
    if username not in members:
        reason = f"{where}: unknown member {username!r} (neither in this file nor in the database)"
        raise SeedError(seed.label, name, reason)
    return members[username][0]
