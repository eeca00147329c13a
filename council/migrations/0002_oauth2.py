import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("council", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="OAuthClient",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("client_id", fields.CharField(unique=True, max_length=64)),
                ("name", fields.CharField(max_length=200)),
                (
                    "organization",
                    fields.ForeignKeyField(
                        "council.Organization",
                        source_field="organization_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="oauth_clients",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("client_type", fields.CharField(max_length=16)),
                ("secret_hash", fields.CharField(default="", max_length=64)),
                (
                    "redirect_uris",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "scopes",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "grant_types",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "service_member",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="service_member_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="service_clients",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("is_active", fields.BooleanField(default=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "oauth_client",
                "app": "council",
                "pk_attr": "id",
                "table_description": "A registered OAuth client (RFC 6749 §2).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AuthorizationCode",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("code_hash", fields.CharField(unique=True, max_length=64)),
                ("family", fields.CharField(db_index=True, max_length=64)),
                (
                    "client",
                    fields.ForeignKeyField(
                        "council.OAuthClient",
                        source_field="client_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="codes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="oauth_codes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("redirect_uri", fields.CharField(max_length=500)),
                ("scope", fields.CharField(max_length=255)),
                ("code_challenge", fields.CharField(max_length=128)),
                ("code_challenge_method", fields.CharField(max_length=8)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "oauth_authorization_code",
                "app": "council",
                "pk_attr": "id",
                "table_description": "An authorization code (RFC 6749 §4.1.2) with its PKCE challenge (RFC 7636 §4.4).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="IssuedAccessToken",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("jti", fields.CharField(unique=True, max_length=64)),
                ("family", fields.CharField(db_index=True, max_length=64)),
                (
                    "client",
                    fields.ForeignKeyField(
                        "council.OAuthClient",
                        source_field="client_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="access_tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("expires_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "oauth_access_token",
                "app": "council",
                "pk_attr": "id",
                "table_description": "The ``jti`` of an access token the server issued, and its family, until it expires.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RefreshToken",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("token_hash", fields.CharField(unique=True, max_length=64)),
                ("family", fields.CharField(db_index=True, max_length=64)),
                (
                    "client",
                    fields.ForeignKeyField(
                        "council.OAuthClient",
                        source_field="client_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="refresh_tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "council.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="refresh_tokens",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("scope", fields.CharField(max_length=255)),
                ("expires_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "oauth_refresh_token",
                "app": "council",
                "pk_attr": "id",
                "table_description": "An opaque refresh token (RFC 6749 §1.5), rotated on every use (RFC 9700 §4.14.2).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RevokedToken",
            fields=[
                ("jti", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ("expires_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("reason", fields.CharField(max_length=32)),
            ],
            options={
                "table": "oauth_revoked_token",
                "app": "council",
                "pk_attr": "jti",
                "table_description": "A revoked access token's ``jti``, kept until the token would have expired.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SignInFailure",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("account", fields.CharField(db_index=True, max_length=64)),
                ("address", fields.CharField(db_index=True, max_length=64)),
                ("at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "sign_in_failure",
                "app": "council",
                "pk_attr": "id",
                "table_description": "One failed sign-in, for throttling per account and per address.",
            },
            bases=["Model"],
        ),
    ]
