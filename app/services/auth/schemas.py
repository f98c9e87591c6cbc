"""Request and response bodies of registration, sign-in and passwords."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,29}$"


class RegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    username: str = Field(
        pattern=USERNAME_PATTERN,
        description="3-30 letters, digits, '.', '_' or '-', starting with a letter or digit.",
        examples=["alice"],
    )
    password: str = Field(min_length=1, max_length=256, examples=["correct horse battery"])
    first_name: str | None = Field(default=None, max_length=150)
    last_name: str | None = Field(default=None, max_length=150)
    preferred_currency: str = Field(default="USD", pattern=r"^[A-Za-z]{3}$")
    timezone: str = Field(default="UTC", max_length=50, examples=["Europe/Berlin"])

    @field_validator("preferred_currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    login: str = Field(min_length=1, max_length=254, description="E-mail address or username.")
    password: str = Field(min_length=1, max_length=256)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class LogoutIn(BaseModel):
    all_sessions: bool = Field(default=False, description="Sign out everywhere, not just this session.")


class TokenIn(BaseModel):
    token: str = Field(min_length=1, max_length=200, description="The code from the e-mail.")


class PasswordResetRequestIn(BaseModel):
    email: EmailStr


class PasswordResetConfirmIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=256)


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class Accepted(BaseModel):
    detail: str
