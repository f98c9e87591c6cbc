"""Password hashing (argon2id) and encryption of secrets at rest (Fernet, rotatable keys)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str, *, username: str = "", email: str = "") -> str | None:
    """Why a password is not acceptable, as a sentence; None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."
    lowered = password.casefold()
    if username and lowered == username.casefold():
        return "The password must not be the username."
    if email and (lowered == email.casefold() or lowered == email.split("@")[0].casefold()):
        return "The password must not be the e-mail address."
    return None


class SecretBox:
    """Encrypts with the newest of ENCRYPTION_KEYS and decrypts with any of them."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise ValueError("this secret was encrypted with a key that is no longer configured") from None

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt under the newest key (for `expense-tracker rotate-keys`)."""
        return self._fernet.rotate(token)
