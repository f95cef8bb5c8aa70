"""Passwords for the pages' sign-in: only an argon2id hash is recorded (``PasswordSet``),
with its salt and parameters (argon2-cffi's defaults, RFC 9106's second recommendation), so
a password is never stored or shown again; a hash made with older parameters still verifies."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()
SHORTEST = 10  # characters: what a person types is checked for this much at least


def password_hash(password: str) -> str:
    return HASHER.hash(password)


def verifies(hashed: str | None, password: str) -> bool:
    """Whether ``password`` is the one ``hashed`` was made from (False without a hash)."""
    if hashed is None:
        HASHER.hash(password)  # as long as a real check: the time does not tell who exists
        return False
    try:
        return HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def weak(password: str) -> str | None:
    """Why a chosen password is refused, or None."""
    if len(password) < SHORTEST:
        return f"a password has at least {SHORTEST} characters"
    if not password.strip() or password != password.strip():
        return "a password neither starts nor ends with a space"
    return None


def new_password() -> str:
    """A password to hand to a demo user: 16 random letters and digits."""
    return secrets.token_urlsafe(12)
