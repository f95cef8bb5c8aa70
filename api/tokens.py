"""Bearer tokens: ``NAME.SECRET``, the secret random; only the secret's SHA-256 is recorded
(``TokenIssued``), so a token is shown once, when it is issued, and never again."""

from __future__ import annotations

import hashlib
import secrets


def new_token(name: str) -> tuple[str, str]:
    """(the token to hand over, the hash to record)."""
    secret = secrets.token_urlsafe(32)  # 256 bits; letters, digits, '-' and '_': never '.'
    return f"{name}.{secret}", secret_hash(secret)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """(user name, secret), or None for something that is not a token of ours."""
    name, dot, secret = token.rpartition(".")
    if not dot or not name or len(secret) < 16:
        return None
    return name, secret
