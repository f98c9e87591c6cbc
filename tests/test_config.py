"""Settings: parsing, one-line errors that never echo a secret, embedded secrets made once."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from app.config import ConfigError, Settings, ensure_secrets, load_settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ENCRYPTION_KEYS", "CORS_ORIGINS", "DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_malformed_encryption_keys_are_named_not_echoed(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = Fernet.generate_key().decode()
    monkeypatch.setenv("ENCRYPTION_KEYS", f"{good},not-a-key-SENSITIVE")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "ENCRYPTION_KEYS: key 2 is not a Fernet key" in message
    assert "SENSITIVE" not in message and good not in message
    assert "\n" not in message


def test_production_requires_secrets(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://db.internal/app")
    with pytest.raises(ConfigError, match="SECRET_KEY and ENCRYPTION_KEYS must be set"):
        load_settings()


def test_embedded_secrets_are_generated_once_and_kept(clean_env: Path) -> None:
    first = load_settings()
    secrets_file = clean_env / "secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    second = load_settings()
    assert first.secret_key and second.secret_key
    assert first.secret_key.get_secret_value() == second.secret_key.get_secret_value()
    assert first.fernet_keys() == second.fernet_keys()
    stored = json.loads(secrets_file.read_text())
    assert stored["encryption_keys"] == first.fernet_keys()[0].decode()


def test_damaged_secrets_file_is_an_error_not_a_new_key(clean_env: Path) -> None:
    clean_env.mkdir(parents=True)
    (clean_env / "secrets.json").write_text("{not json")
    with pytest.raises(ConfigError, match="damaged"):
        load_settings()
    assert (clean_env / "secrets.json").read_text() == "{not json"


def test_urls_and_lists_are_normalised(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = Settings()
    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/app"
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.log_level == "DEBUG"
    assert not settings.embedded_database and settings.embedded_redis


def test_given_secrets_win_over_the_embedded_file(clean_env: Path) -> None:
    key = Fernet.generate_key().decode()
    settings = ensure_secrets(Settings(secret_key="given" * 8, encryption_keys=key))
    assert settings.secret_key is not None and settings.secret_key.get_secret_value() == "given" * 8
    assert not (clean_env / "secrets.json").exists()


def test_short_secret_key_is_refused(clean_env: Path) -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(secret_key="short", encryption_keys=Fernet.generate_key().decode())
