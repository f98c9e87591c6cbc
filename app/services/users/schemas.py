"""What the API shows of people, and what they may change about themselves."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, HttpUrl

from app.models.enums import (
    ChatParserChoice,
    DateFormat,
    DeviceType,
    FriendshipStatus,
    ProfileVisibility,
    QuickAddMode,
    Theme,
    UserRole,
)
from app.schemas import Money
from app.services.auth.schemas import USERNAME_PATTERN


class ProfileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    occupation: str | None
    company: str | None
    website: str | None
    country: str | None
    city: str | None
    social_links: dict[str, str]


class MyProfileOut(ProfileOut):
    total_expenses: Money
    total_groups: int
    expense_count: int


class PreferencesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sidebar_collapsed: bool
    quick_add_mode: QuickAddMode
    default_chat_parser: ChatParserChoice
    locale: str
    date_format: DateFormat
    theme: Theme
    default_group_id: uuid.UUID | None
    default_account_id: uuid.UUID | None


class PreferencesPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sidebar_collapsed: bool | None = None
    quick_add_mode: QuickAddMode | None = None
    default_chat_parser: ChatParserChoice | None = None
    locale: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", examples=["en", "pt-BR"])
    date_format: DateFormat | None = None
    theme: Theme | None = None
    default_group_id: uuid.UUID | None = None
    default_account_id: uuid.UUID | None = None


class MeOut(BaseModel):
    id: int
    username: str
    email: str
    first_name: str | None
    last_name: str | None
    phone_number: str | None
    bio: str | None
    date_of_birth: date | None
    avatar_url: str | None
    preferred_currency: str
    timezone: str
    role: UserRole
    is_verified: bool
    is_premium: bool
    profile_visibility: ProfileVisibility
    date_joined: datetime
    last_login: datetime | None
    profile: MyProfileOut
    preferences: PreferencesOut


class ProfilePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    occupation: str | None = Field(default=None, max_length=100)
    company: str | None = Field(default=None, max_length=100)
    website: HttpUrl | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=50)
    city: str | None = Field(default=None, max_length=50)
    social_links: dict[Annotated[str, Field(max_length=30)], HttpUrl] | None = Field(default=None, max_length=10)


class MePatch(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str | None = Field(default=None, pattern=USERNAME_PATTERN)
    first_name: str | None = Field(default=None, max_length=150)
    last_name: str | None = Field(default=None, max_length=150)
    phone_number: str | None = Field(default=None, pattern=r"^\+?[0-9 ()-]{6,16}$")
    bio: str | None = Field(default=None, max_length=1000)
    date_of_birth: date | None = None
    preferred_currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    timezone: str | None = Field(default=None, max_length=50)
    profile_visibility: ProfileVisibility | None = None
    profile: ProfilePatch | None = None


class UserCard(BaseModel):
    """A person as others see them in lists and search results."""

    id: int
    username: str
    first_name: str | None = None
    last_name: str | None = None
    avatar_url: str | None = None
    friendship_status: FriendshipStatus | None = Field(
        default=None, description="Your relationship: pending, accepted or blocked (by you); null for none."
    )


class PublicProfileOut(UserCard):
    bio: str | None = None
    profile: ProfileOut | None = Field(default=None, description="Null when the profile is not open to you.")
    date_joined: datetime | None = None


class DeviceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    device_token: str = Field(min_length=8, max_length=255, description="The push token (APNs, FCM or Web Push).")
    device_type: DeviceType
    device_name: str | None = Field(default=None, max_length=100)


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    device_type: DeviceType
    device_name: str | None
    is_active: bool
    last_used: datetime | None
    created_at: datetime


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    action: str
    content_type: str | None
    object_id: str | None
    changes: dict[str, object]
    ip_address: Annotated[str | None, BeforeValidator(lambda value: None if value is None else str(value))]
    user_agent: str | None
    created_at: datetime
