"""Notification preferences in GraphQL: ``NotificationPreferences`` and ``updateNotificationPreferences``.

A member reads and changes only their own (``Member.notificationPreferences``
is null on anyone else; :mod:`council.api.members`). The rules are
:func:`council.notifications.preferences.update`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry

from council.api.errors import UserError
from council.api.mutations import mutation_recipe
from council.notifications import preferences as service

if TYPE_CHECKING:
    # strawberry.enum returns the class it registers: to a type checker it is the domain enum.
    from council.notifications.preferences import NotificationKind
else:
    NotificationKind = strawberry.enum(
        service.NotificationKind, name="NotificationKind", description="What a notification is about."
    )


@strawberry.type(description="Whether one kind of notification is e-mailed.")
class NotificationSetting:
    kind: NotificationKind
    email: bool


@strawberry.type(description="The viewer's notification preferences.")
class NotificationPreferences:
    email: str | None = strawberry.field(description="The address e-mail goes to; null: no e-mail.")
    daily_digest: bool = strawberry.field(description="Fold the day's e-mail into one message a day.")
    language: str = strawberry.field(description="The language of e-mail: id (Bahasa Indonesia) or en.")
    settings: list[NotificationSetting]

    @classmethod
    def of(cls, found: service.Preferences) -> NotificationPreferences:
        return cls(
            email=found.email,
            daily_digest=found.daily_digest,
            language=found.language,
            settings=[NotificationSetting(kind=k, email=on) for k, on in found.settings()],
        )


@strawberry.input
class NotificationSettingInput:
    kind: NotificationKind
    email: bool


@strawberry.input(description='What to change; a field left out is left as it is. email "" removes the address.')
class UpdateNotificationPreferencesInput:
    settings: list[NotificationSettingInput] | None = None
    daily_digest: bool | None = None
    language: str | None = None
    email: str | None = None


@strawberry.type
class UpdateNotificationPreferencesPayload:
    errors: list[UserError] = strawberry.field(default_factory=list)
    preferences: NotificationPreferences | None = None


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(description="Change the viewer's own notification preferences (signed-in members).")
    @mutation_recipe(UpdateNotificationPreferencesPayload)
    async def update_notification_preferences(
        self, info: strawberry.Info, input: UpdateNotificationPreferencesInput
    ) -> UpdateNotificationPreferencesPayload:
        found = await service.update(
            info.context.principal,
            settings=None if input.settings is None else [(s.kind.value, s.email) for s in input.settings],
            daily_digest=input.daily_digest,
            language=input.language,
            email=input.email,
        )
        return UpdateNotificationPreferencesPayload(preferences=NotificationPreferences.of(found))


async def own_preferences(info: strawberry.Info, member_id: int) -> service.Preferences | None:
    """The preferences of ``member_id`` when it is the viewer, else None (two statements)."""
    if info.context.principal.member_id != member_id:
        return None
    return await service.preferences_of(member_id)
