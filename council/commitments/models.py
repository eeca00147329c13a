"""Commitments: a text of a programme that named members sign, each signature an event of the commitment's chain.

The text never changes once written: there is no update, so a new text is a
new commitment (``createCommitment`` again); ``text_hash`` is fixed with it.
The required signatories are written with the commitment (a snapshot): a
member given the ``opd_head`` role later is not added to it.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

TITLE_MAX = 255
"""Longest commitment title (the ``title`` column)."""
TEXT_MAX = 20_000
"""Longest commitment text, in characters (checked by the service; the column is TEXT)."""


class Commitment(Model):
    """A commitment of a programme: ``title``, the exact ``text`` and its SHA-256 (hex, of the UTF-8 bytes).

    Its status (open, complete) is derived from its signatories, never
    stored (:func:`council.commitments.queries.status_of`).
    """

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "council.Programme", related_name="commitments", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=TITLE_MAX)
    text = fields.TextField()
    text_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    signatories: fields.ReverseRelation[CommitmentSignatory]

    class Meta:
        table = "commitment"


class CommitmentSignatory(Model):
    """A required signatory of a commitment: the member, their organisation then, their role, when they signed.

    ``role`` is a :class:`council.enums.SignatoryRole` value (``signatory``,
    ``countersignatory``); ``signed_at`` (UTC) is null until they sign.
    ``position`` orders the list (signatories first, the countersignatory last).
    """

    id = fields.IntField(primary_key=True)
    commitment: fields.ForeignKeyRelation[Commitment] = fields.ForeignKeyField(
        "council.Commitment", related_name="signatories", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "council.Member", related_name="commitment_signatures", on_delete=fields.RESTRICT
    )
    organization: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "council.Organization", related_name="commitment_signatures", on_delete=fields.RESTRICT
    )
    role = fields.CharField(max_length=32)
    position = fields.IntField(default=0)
    signed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "commitment_signatory"
        unique_together = (("commitment", "member"),)
