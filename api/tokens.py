"""A token's secret: made from ``secrets``, shown once, kept as its SHA-256, checked in constant time.

A token reads ``<prefix>.<secret>``: the prefix names the row (not secret, shown in the lists and
the log), the secret proves the holder. Only ``sha256(secret)`` is stored, so the database alone
cannot be used to read the API.
"""

import hashlib
import hmac
import secrets

PREFIX_BYTES = 4  # eight hex characters
SECRET_BYTES = 32


def new_secret() -> tuple[str, str, str]:
    """(prefix, the token to hand over once, the hash to store)."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return prefix, f"{prefix}.{secret}", digest(secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split(raw: str) -> tuple[str, str] | None:
    """(prefix, secret) of a token as sent, or None when it cannot be one."""
    prefix, dot, secret = (raw or "").strip().partition(".")
    if not dot or len(prefix) != 2 * PREFIX_BYTES or not secret or len(secret) > 100:
        return None
    return prefix, secret


def matches(secret: str, stored_hash: str) -> bool:
    """Whether ``secret`` hashes to ``stored_hash``, in time that does not depend on where they differ."""
    return hmac.compare_digest(digest(secret), stored_hash)
