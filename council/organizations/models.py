"""Organisations (OPD, universities, council, technical team, ministry) and members."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from council.enums import OrganizationKind


class Organization(Model):
    """An organisation taking part in the programme, identified by a short ``code``."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=255)
    kind = fields.CharEnumField(OrganizationKind, max_length=32)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organization"


class Member(Model):
    """A person with an account: belongs to one organisation and holds roles.

    ``roles`` is a JSON list of :class:`council.enums.Role` values; a council
    seat is the ``council_member`` (or ``council_chair``) role.
    ``password_hash`` is an argon2id hash, empty until a password is set.
    ``email`` receives notifications (none without it); ``language`` is the
    language of its messages (``id`` Bahasa Indonesia, or ``en``);
    ``mail_digest`` folds them into one e-mail a day.
    """

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=255)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "council.Organization", related_name="members", on_delete=fields.RESTRICT
    )
    roles: fields.JSONField[list[str]] = fields.JSONField(default=list)
    is_active = fields.BooleanField(default=True)
    password_hash = fields.CharField(max_length=255, default="")
    email = fields.CharField(max_length=320, null=True)
    language = fields.CharField(max_length=8, default="id", db_default="id")
    mail_digest = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "member"


class City(Model):
    """The city whose programme this database holds, as its seed file gives it (one row, ``id`` 1).

    ``timezone`` is an IANA zone (``Asia/Jakarta``), ``locale`` a BCP 47 tag
    (``id-ID``). Written by the first ``council seed`` (a later seed naming
    another city leaves it unchanged); read by ``/app/config.json`` when
    ``COUNCIL_TIMEZONE`` is not set.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=255)
    timezone = fields.CharField(max_length=64)
    locale = fields.CharField(max_length=35)
    province = fields.CharField(max_length=255, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "city"
