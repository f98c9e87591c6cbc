"""Password hashing (argon2id), tokens, and encryption of secrets at rest (Fernet, rotatable keys)."""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
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
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise ValueError("a stored secret was encrypted with a key that is no longer configured") from None


# --- Tokens -------------------------------------------------------------------------------------------
# Access tokens are short-lived JWTs (HS256 with SECRET_KEY) naming the user and the login session
# (refresh-token family) they belong to, so revoking a session also ends its access tokens.
# Refresh, verification and reset tokens are opaque random strings stored only as SHA-256 digests.

ACCESS_TOKEN_AUDIENCE = "expense-tracker:access"


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    session_id: uuid.UUID
    expires_at: float = 0.0


def create_access_token(user_id: int, session_id: uuid.UUID, *, secret: str, lifetime: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "aud": ACCESS_TOKEN_AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def read_access_token(token: str, *, secret: str) -> AccessClaims | None:
    """The token's claims, or None when it is malformed, forged or expired."""
    claims = _verified_claims(token, secret)
    if claims is None or claims.expires_at <= time.time():
        return None
    return claims


# A client sends the same token for up to 15 minutes; checking its signature once is enough. The
# expiry is still checked on every use, and revocation is checked by the caller against the database.
@functools.lru_cache(maxsize=8192)
def _verified_claims(token: str, secret: str) -> AccessClaims | None:
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], audience=ACCESS_TOKEN_AUDIENCE, options={"require": ["exp", "sub"]}
        )
        return AccessClaims(
            user_id=int(claims["sub"]), session_id=uuid.UUID(claims["sid"]), expires_at=float(claims["exp"])
        )
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
        return None


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Verified against when the login names nobody, so a miss costs as long as a wrong password.
DUMMY_PASSWORD_HASH = hash_password(secrets.token_urlsafe(16))


def mask_secret(secret: str) -> str:
    """A hint that identifies a key without revealing it: `sk-...abcd`."""
    if len(secret) < 12:
        return "..." + secret[-2:] if len(secret) > 6 else "..."
    return f"{secret[:3]}...{secret[-4:]}"
