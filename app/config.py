"""Application settings, read from the environment and `.env` (pydantic-settings).

Two modes:
- embedded (DATABASE_URL unset): the CLI starts PostgreSQL and Valkey from their wheels with data under
  DATA_DIR, and generates SECRET_KEY / ENCRYPTION_KEYS once into DATA_DIR/secrets.json (0600);
- production (DATABASE_URL set): every secret must be given; a missing one is a startup error.
"""

from __future__ import annotations

import json
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.security import SecretBox

SECRETS_FILE = "secrets.json"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line meant for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str | None = Field(default=None, description="PostgreSQL URL; unset starts the embedded server.")
    redis_url: str | None = Field(default=None, description="Redis URL; unset starts the embedded Valkey.")
    data_dir: Path = Field(default=Path("./.data"), description="Embedded databases, secrets, media.")
    secret_key: SecretStr | None = Field(default=None, description="Signs tokens.")
    encryption_keys: SecretStr | None = Field(default=None, description="Comma-separated Fernet keys, newest first.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    max_upload_mb: int = Field(default=20, ge=1, le=1024)
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_connect_wait_seconds: float = Field(default=5.0, ge=0)
    worker_max_jobs: int = Field(default=10, ge=1)
    # The longest a job may run. A worker that dies mid-job leaves it marked in progress this long plus
    # 10 seconds (arq's rule); then another worker runs it again.
    worker_job_timeout_seconds: int = Field(default=600, ge=1)

    # Accounts and sign-in.
    public_url: str = Field(default="http://localhost:8000", description="Base of links in e-mails.")
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    email_verification_hours: int = Field(default=48, ge=1)
    password_reset_minutes: int = Field(default=60, ge=5)
    login_max_failures: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    auth_rate_limit_per_minute: int = Field(default=20, ge=1, description="Per IP, per auth action.")
    avatar_max_mb: int = Field(default=5, ge=1, le=50)
    attachment_max_mb: int = Field(default=10, ge=1, le=200, description="Receipts and attachments on expenses.")
    statement_max_mb: int = Field(default=20, ge=1, le=500, description="Uploaded bank statements.")
    report_retention_days: int = Field(default=7, ge=1, le=365, description="How long a generated report is kept.")
    attachments_per_expense: int = Field(default=20, ge=1, le=200)
    group_invitation_days: int = Field(default=7, ge=1, le=90, description="How long an e-mailed invitation works.")

    # Outgoing e-mail; with SMTP_HOST unset, e-mails are written to the notification and application logs.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Expense Tracker <no-reply@localhost>"
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)

    # AI providers: where their APIs live (overridable for proxies and tests) and how long a test call may take.
    openai_base_url: str | None = None
    anthropic_base_url: str | None = None
    gemini_base_url: str | None = None
    ai_test_timeout_seconds: float = Field(default=10.0, gt=0)
    # AI parsing of chat messages: the whole call (retries included) must fit the timeout; rate limits and
    # server errors are retried with backoff. In 'normal' quick-add mode the AI is asked only when the
    # system parser's confidence is below the threshold.
    ai_parse_timeout_seconds: float = Field(default=8.0, gt=0)
    ai_parse_attempts: int = Field(default=3, ge=1, le=10)
    ai_parse_backoff_seconds: float = Field(default=0.25, ge=0)
    ai_confidence_threshold: float = Field(default=0.6, ge=0, le=1)
    # AI reading of statements the system parser cannot reconcile: the time budget of each chunk of pages.
    ai_statement_timeout_seconds: float = Field(default=120.0, gt=0)

    # Notifications beyond the app: push through Firebase Cloud Messaging's HTTP v1 API (a project and an
    # OAuth access token for it), SMS through Twilio's Messages API; unset, those channels are skipped.
    push_fcm_url: str = "https://fcm.googleapis.com"
    push_fcm_project: str | None = None
    push_fcm_token: SecretStr | None = None
    sms_twilio_url: str = "https://api.twilio.com"
    sms_twilio_sid: str | None = None
    sms_twilio_token: SecretStr | None = None
    sms_from: str | None = None
    notification_timeout_seconds: float = Field(default=10.0, gt=0)
    notification_max_tries: int = Field(default=5, ge=1, le=20)

    # Payment-provider webhooks: one signing secret per service ("stripe=whsec_...,paypal=..."); a service
    # without one answers 404. Signatures older than the tolerance are refused (replayed captures).
    payment_webhook_secrets: Annotated[dict[str, SecretStr], NoDecode] = Field(default_factory=dict)
    payment_webhook_tolerance_seconds: int = Field(default=300, ge=1)

    # Exchange rates from a provider (JSON with "base" and "rates"); unset: administrators set them by hand.
    exchange_rates_url: str | None = None
    exchange_rates_refresh_hours: int = Field(default=24, ge=1, le=24 * 7)
    exchange_rates_timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("payment_webhook_secrets", mode="before")
    @classmethod
    def _split_secrets(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        pairs = {}
        for item in filter(None, (part.strip() for part in value.split(","))):
            service, sep, secret = item.partition("=")
            if not sep or not service.strip() or not secret.strip():
                raise ValueError("write it as service=secret pairs separated by commas, e.g. stripe=whsec_...")
            pairs[service.strip().lower()] = secret.strip()
        return pairs

    @field_validator("database_url", "redis_url", "smtp_host", "exchange_rates_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _asyncpg_driver(cls, value: str | None) -> str | None:
        return None if value is None else asyncpg_url(value)

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (make one with `expense-tracker generate-key`)")
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _valid_fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        parse_fernet_keys(value.get_secret_value())
        return value

    @property
    def embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def avatar_max_bytes(self) -> int:
        return self.avatar_max_mb * 1024 * 1024

    @property
    def attachment_max_bytes(self) -> int:
        return self.attachment_max_mb * 1024 * 1024

    def fernet_keys(self) -> list[bytes]:
        if self.encryption_keys is None:
            raise ConfigError("ENCRYPTION_KEYS is not set")
        return parse_fernet_keys(self.encryption_keys.get_secret_value())

    def secret_box(self) -> SecretBox:
        """Encrypts with the first of ENCRYPTION_KEYS, decrypts with any."""
        return SecretBox(self.fernet_keys())


def asyncpg_url(value: str) -> str:
    """Any PostgreSQL URL spelling, with the asyncpg driver the app uses."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if value.startswith(prefix):
            return "postgresql+asyncpg://" + value[len(prefix) :]
    if not value.startswith("postgresql+asyncpg://"):
        raise ValueError("must be a postgresql:// URL")
    return value


def parse_fernet_keys(raw: str) -> list[bytes]:
    """Split ENCRYPTION_KEYS and check each is a Fernet key, without ever echoing a key back."""
    keys = [part.strip() for part in raw.split(",") if part.strip()]
    if not keys:
        raise ValueError("holds no key")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ValueError(
                f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes; "
                "make one with `expense-tracker generate-key`)"
            ) from None
    return [key.encode() for key in keys]


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each bad setting; never includes the rejected value (it may be a secret)."""
    parts = []
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]).upper() or "settings"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{name}: {message}")
    return "invalid configuration: " + "; ".join(parts)


def load_settings() -> Settings:
    """Read settings and fill in secrets; raises ConfigError with a one-line reason."""
    try:
        settings = Settings()
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None
    return ensure_secrets(settings)


def ensure_secrets(settings: Settings) -> Settings:
    missing = [
        name
        for name, value in (("SECRET_KEY", settings.secret_key), ("ENCRYPTION_KEYS", settings.encryption_keys))
        if value is None or not value.get_secret_value()
    ]
    if not missing:
        return settings
    if not settings.embedded_database:
        raise ConfigError(
            f"{' and '.join(missing)} must be set when DATABASE_URL points at an external database "
            "(generate values with `expense-tracker generate-key`)"
        )
    stored = _load_or_create_embedded_secrets(settings.data_dir)
    updates: dict[str, SecretStr] = {}
    if "SECRET_KEY" in missing:
        updates["secret_key"] = SecretStr(stored["secret_key"])
    if "ENCRYPTION_KEYS" in missing:
        updates["encryption_keys"] = SecretStr(stored["encryption_keys"])
    return settings.model_copy(update=updates)


def _load_or_create_embedded_secrets(data_dir: Path) -> dict[str, str]:
    """Secrets generated once for embedded mode; an existing file is never overwritten."""
    path = data_dir / SECRETS_FILE
    if path.exists():
        try:
            stored = json.loads(path.read_text())
            parse_fernet_keys(stored["encryption_keys"])
            if not stored["secret_key"]:
                raise ValueError("empty secret_key")
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigError(f"{path} is damaged ({error}); restore it from a backup") from None
        return stored
    data_dir.mkdir(parents=True, exist_ok=True)
    stored = {"secret_key": secrets.token_urlsafe(48), "encryption_keys": Fernet.generate_key().decode()}
    # O_EXCL: two processes racing to create the file cannot both win and overwrite each other.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _load_or_create_embedded_secrets(data_dir)
    with os.fdopen(fd, "w") as handle:
        json.dump(stored, handle)
    return stored


@lru_cache
def get_settings() -> Settings:
    return load_settings()
