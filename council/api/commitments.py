"""The commitment in GraphQL: ``Commitment``, ``Signatory``, the ``commitment`` query, ``createCommitment`` and
``signCommitment``.

Reads are public (anyone, signed in or not, reads the text, its hash and
who signed when): a commitment is a public act of the city.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import strawberry

from council import enums as domain
from council.api.errors import UserError
from council.api.ids import from_global_id, to_global_id
from council.api.members import Member, Organization
from council.api.mutations import mutation_recipe
from council.commitments import queries, service
from council.errors import DomainError
from council.programmes import queries as programme_queries

if TYPE_CHECKING:
    from council.enums import CommitmentStatus, SignatoryRole
else:
    CommitmentStatus = strawberry.enum(
        domain.CommitmentStatus, description="OPEN until every required signatory has signed, then COMPLETE."
    )
    SignatoryRole = strawberry.enum(
        domain.SignatoryRole, description="SIGNATORY (an OPD head) or COUNTERSIGNATORY (the council chair)."
    )


@strawberry.type(description="A required signatory of a commitment; signedAt is null until they sign.")
class Signatory:
    role: SignatoryRole
    signed_at: datetime | None = strawberry.field(description="When they signed (UTC), or null.")
    member_id: strawberry.Private[int]
    organization_id: strawberry.Private[int]

    @strawberry.field
    async def member(self, info: strawberry.Info) -> Member:
        return Member.from_row(await info.context.loaders.member.load(self.member_id))

    @strawberry.field(description="Their organisation when the commitment was written.")
    async def organization(self, info: strawberry.Info) -> Organization:
        return Organization.from_row(await info.context.loaders.organization.load(self.organization_id))


@strawberry.type(description="A programme's commitment: a text its signatories sign. Public.")
class Commitment:
    id: strawberry.ID
    title: str
    text: str = strawberry.field(
        description="The exact text signed; it never changes (a new text is a new commitment)."
    )
    text_hash: str = strawberry.field(
        description="SHA-256 (hex) of the text's UTF-8 bytes; each signature's audit event holds it."
    )
    created_at: datetime
    signatories: list[Signatory] = strawberry.field(
        description="Every required signatory, signed or not: signatories first, the countersignatory last."
    )
    status: CommitmentStatus
    required_count: int = strawberry.field(description="How many must sign.")
    signed_count: int = strawberry.field(description="How many have signed.")
    programme_id: strawberry.Private[int]

    @classmethod
    def build(cls, row: dict[str, Any], signatories: list[dict[str, Any]]) -> Commitment:
        return cls(
            id=strawberry.ID(to_global_id("Commitment", row["id"])),
            title=row["title"],
            text=row["text"],
            text_hash=row["text_hash"],
            created_at=row["created_at"],
            signatories=[
                Signatory(
                    role=domain.SignatoryRole(s["role"]),
                    signed_at=s["signed_at"],
                    member_id=s["member_id"],
                    organization_id=s["organization_id"],
                )
                for s in signatories
            ],
            status=queries.status_of(signatories),
            required_count=len(signatories),
            signed_count=sum(1 for s in signatories if s["signed_at"] is not None),
            programme_id=row["programme_id"],
        )


async def load_commitment(row: dict[str, Any] | None) -> Commitment | None:
    """The GraphQL commitment of a plain row (its signatories read: one SQL statement), or None."""
    if row is None:
        return None
    signatories = (await queries.signatories_for([row["id"]]))[row["id"]]
    return Commitment.build(row, signatories)


async def programme_commitment(programme_id: int) -> Commitment | None:
    """The programme's newest commitment, or None (``Programme.commitment``)."""
    return await load_commitment(await queries.latest_of_programme(programme_id))


@strawberry.type
class CommitmentQueries:
    @strawberry.field(
        description="A commitment by id, or without id the current programme's newest; null when absent. Public."
    )
    async def commitment(self, info: strawberry.Info, id: strawberry.ID | None = None) -> Commitment | None:
        if id is None:
            pk = await programme_queries.current_programme_id(await info.context.loaders.today())
            return None if pk is None else await programme_commitment(pk)
        try:
            _, commitment_id = from_global_id(id, "Commitment")
        except DomainError:
            return None
        return await load_commitment(await queries.commitment(commitment_id))


@strawberry.input
class CreateCommitmentInput:
    programme_id: strawberry.ID
    title: str
    text: str = strawberry.field(description="Stored exactly as given; its SHA-256 is textHash.")


@strawberry.input
class SignCommitmentInput:
    commitment_id: strawberry.ID


@strawberry.type
class CommitmentPayload:
    commitment_id: strawberry.Private[int | None] = None

    @strawberry.field
    async def commitment(self) -> Commitment | None:
        return (
            None if self.commitment_id is None else await load_commitment(await queries.commitment(self.commitment_id))
        )

    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CommitmentMutations:
    @strawberry.mutation(
        description="Write a programme's commitment; its required signatories are every active OPD head and the "
        "council chair countersigning, fixed now. Needs the admin scope and role."
    )
    @mutation_recipe(CommitmentPayload)
    async def create_commitment(self, info: strawberry.Info, input: CreateCommitmentInput) -> CommitmentPayload:
        programme_id = from_global_id(input.programme_id, "Programme", "programmeId")[1]
        pk = await service.create_commitment(info.context.principal, programme_id, title=input.title, text=input.text)
        return CommitmentPayload(commitment_id=pk)

    @strawberry.mutation(
        description="Sign a commitment as one of its required signatories; signing again changes nothing. Needs a "
        "password entered within COUNCIL_STEP_UP_MAX_AGE seconds (else REAUTHENTICATION_REQUIRED)."
    )
    @mutation_recipe(CommitmentPayload)
    async def sign_commitment(self, info: strawberry.Info, input: SignCommitmentInput) -> CommitmentPayload:
        pk = from_global_id(input.commitment_id, "Commitment", "commitmentId")[1]
        await service.sign_commitment(info.context.principal, pk)
        return CommitmentPayload(commitment_id=pk)
