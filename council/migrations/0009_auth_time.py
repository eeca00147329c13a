"""``auth_time`` on authorization codes and refresh tokens: when the member last entered a password.

Access tokens carry it (step-up authentication, :mod:`council.auth.stepup`);
a refresh keeps the grant's original value, so the refresh token row holds
it. Rows from before are left null: their tokens carry no ``auth_time`` and a
deliberate act asks such a member to sign in again.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("council", "0008_programmes")]

    initial = False

    operations = [
        ops.AddField(
            model_name="AuthorizationCode",
            name="auth_time",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="RefreshToken",
            name="auth_time",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
