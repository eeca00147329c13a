"""The token signing keys, stored in the database so that every node signs and verifies with the same ones."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class SigningKey(Model):
    """One ES256 signing key (:mod:`council.auth.keys`).

    ``seq`` orders the keys (the highest is the current signing key) and is
    UNIQUE, so two nodes making the same key number at once cannot both
    succeed: the loser reads the winner's. ``public_jwk`` is the public half
    as a JWK (RFC 7517); ``private_jwk`` is the whole private JWK (JSON)
    encrypted as a Fernet token with ``COUNCIL_KEYS_SECRET``
    (:mod:`council.auth.sealing`). Keys older than the previous one are
    deleted, private part and all. ``created_at`` is UTC.
    """

    id = fields.IntField(primary_key=True)
    seq = fields.IntField(unique=True)
    kid = fields.CharField(max_length=128, unique=True)
    public_jwk: fields.JSONField[dict[str, Any]] = fields.JSONField()
    private_jwk = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "signing_key"
