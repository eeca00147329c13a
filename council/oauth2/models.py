"""What the authorization server keeps: clients, codes, refresh tokens, issued and revoked tokens.

Secrets never rest in the clear: client secrets, authorization codes and
refresh tokens are stored as the SHA-256 (hex) of the value. They are 256-bit
random strings, so a fast hash is enough (a slow hash is for passwords, see
:mod:`council.auth.passwords`). Times are UTC.

A *family* is one authorization grant: the authorization code, every refresh
token rotated from it and every access token issued from them share the
family id, so that reuse of a code or of a refresh token revokes them all
(RFC 6749 §4.1.2 and §10.4, RFC 9700 §4.14.2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from council.organizations.models import Member, Organization


class OAuthClient(Model):
    """A registered OAuth client (RFC 6749 §2).

    ``client_type`` is ``public`` (the web client: no secret, PKCE) or
    ``confidential`` (a secret, stored hashed in ``secret_hash``).
    ``redirect_uris`` (JSON list) are matched exactly, ``scopes`` (JSON list)
    are the most the client may ask for, ``grant_types`` (JSON list) the grants
    it may use. A university's machine client has a ``service_member``: the
    member its ``client_credentials`` tokens act as, in its organisation.
    """

    id = fields.IntField(primary_key=True)
    client_id = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=200)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "council.Organization", related_name="oauth_clients", on_delete=fields.RESTRICT
    )
    client_type = fields.CharField(max_length=16)
    secret_hash = fields.CharField(max_length=64, default="")
    redirect_uris: fields.JSONField[list[str]] = fields.JSONField(default=list)
    scopes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    grant_types: fields.JSONField[list[str]] = fields.JSONField(default=list)
    service_member: fields.ForeignKeyNullableRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="service_clients", null=True, on_delete=fields.RESTRICT
    )
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "oauth_client"


class AuthorizationCode(Model):
    """An authorization code (RFC 6749 §4.1.2) with its PKCE challenge (RFC 7636 §4.4).

    ``used_at`` is set, by a compare-and-set, when the code is redeemed: a
    second redemption finds it set and revokes the family. ``auth_time`` is
    when the member entered the password this code stems from (UTC; the
    tokens' ``auth_time`` claim); null only for codes from before 0009.
    """

    id = fields.IntField(primary_key=True)
    code_hash = fields.CharField(max_length=64, unique=True)
    family = fields.CharField(max_length=64, db_index=True)
    client: fields.ForeignKeyRelation[OAuthClient] = fields.ForeignKeyField(
        "council.OAuthClient", related_name="codes", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="oauth_codes", on_delete=fields.CASCADE
    )
    redirect_uri = fields.CharField(max_length=500)
    scope = fields.CharField(max_length=255)
    code_challenge = fields.CharField(max_length=128)
    code_challenge_method = fields.CharField(max_length=8)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    auth_time = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "oauth_authorization_code"


class RefreshToken(Model):
    """An opaque refresh token (RFC 6749 §1.5), rotated on every use (RFC 9700 §4.14.2).

    ``used_at`` marks a token that was exchanged for a new one; ``revoked_at``
    one revoked (RFC 7009) or whose family was revoked. Either makes it unusable.
    ``auth_time`` is the grant's original password time (UTC), carried to
    every token rotated from it; null for a grant from before 0009, whose
    tokens then carry no ``auth_time``.
    """

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    family = fields.CharField(max_length=64, db_index=True)
    client: fields.ForeignKeyRelation[OAuthClient] = fields.ForeignKeyField(
        "council.OAuthClient", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    scope = fields.CharField(max_length=255)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    auth_time = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "oauth_refresh_token"


class IssuedAccessToken(Model):
    """The ``jti`` of an access token the server issued, and its family, until it expires.

    Kept so that revoking a family can revoke its access tokens too; rows past
    ``expires_at`` are pruned.
    """

    id = fields.IntField(primary_key=True)
    jti = fields.CharField(max_length=64, unique=True)
    family = fields.CharField(max_length=64, db_index=True)
    client: fields.ForeignKeyRelation[OAuthClient] = fields.ForeignKeyField(
        "council.OAuthClient", related_name="access_tokens", on_delete=fields.CASCADE
    )
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "oauth_access_token"


class RevokedToken(Model):
    """A revoked access token's ``jti``, kept until the token would have expired.

    The bearer backend refuses a token whose ``jti`` is here (RFC 7009 §2).
    """

    jti = fields.CharField(max_length=64, primary_key=True)
    expires_at = fields.DatetimeField(db_index=True)
    revoked_at = fields.DatetimeField(auto_now_add=True)
    reason = fields.CharField(max_length=32)

    class Meta:
        table = "oauth_revoked_token"


class Consent(Model):
    """A member's remembered consent to a client, so the consent page is not shown at every sign-in.

    ``scopes`` (JSON list, sorted) is every scope the member allowed this
    client on the consent page (Allow adds to it). An authorization request
    whose scopes to be granted are all in it skips the page (RFC 6749 §4.1.1
    and §10.2 leave it to the server when to ask; ``prompt=consent`` of
    OpenID Connect Core §3.1.2.1 asks again). ``revoked_at`` is set when the
    consent is withdrawn (``council members revoke-consent``); a revoked row
    counts for nothing, and the next Allow starts it afresh. A Deny never
    writes here. One row per member and client.
    """

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "council.Member", related_name="oauth_consents", on_delete=fields.CASCADE
    )
    client: fields.ForeignKeyRelation[OAuthClient] = fields.ForeignKeyField(
        "council.OAuthClient", related_name="consents", on_delete=fields.CASCADE
    )
    scopes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    granted_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "oauth_consent"
        unique_together = (("member", "client"),)


class SignInFailure(Model):
    """One failed sign-in, for throttling per account and per address.

    ``account`` is the username as typed (case-folded), whether or not such a
    member exists, so the throttle tells nothing about which accounts exist.
    """

    id = fields.IntField(primary_key=True)
    account = fields.CharField(max_length=64, db_index=True)
    address = fields.CharField(max_length=64, db_index=True)
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "sign_in_failure"
