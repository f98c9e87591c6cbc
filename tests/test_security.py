"""Password hashing and encryption at rest."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app.security import SecretBox, hash_password, password_problem, verify_password


def test_argon2id_hashes_verify_and_differ() -> None:
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, "correct horse battery")
    assert not verify_password(first, "wrong")
    assert not verify_password("not-a-hash", "anything")


def test_password_policy_explains_itself() -> None:
    assert password_problem("short") == "The password must be at least 10 characters long."
    assert password_problem("alice-wonderland", username="Alice-Wonderland") is not None
    assert password_problem("alice.smith1", email="alice.smith1@example.com") is not None
    assert password_problem("a long and fine passphrase") is None


def test_rotation_keeps_old_secrets_readable_and_moves_them_to_the_new_key() -> None:
    old_key, new_key = Fernet.generate_key(), Fernet.generate_key()
    token = SecretBox([old_key]).encrypt("sk-live-123")
    rotated_box = SecretBox([new_key, old_key])
    assert rotated_box.decrypt(token) == "sk-live-123"
    rotated = rotated_box.rotate(token)
    assert SecretBox([new_key]).decrypt(rotated) == "sk-live-123"
    with pytest.raises(ValueError, match="no longer configured"):
        SecretBox([new_key]).decrypt(token)
