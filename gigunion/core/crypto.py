"""Encryption at rest and blind indexes for personal data (ID numbers, phones).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys in
settings.DATA_ENCRYPTION_KEYS: the first key encrypts, every key decrypts, so keys can be
rotated (`manage.py rotate_data_keys` re-encrypts). Exact lookup and de-duplication use a
blind index: HMAC-SHA256 of the normalized value under settings.BLIND_INDEX_KEY, with a
purpose prefix so an ID number and a phone never share an index value.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("GIGUNION_DATA_KEYS is empty: personal data cannot be encrypted.")
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.DATA_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError("stored value cannot be decrypted with the configured keys") from None


def rotate(token: str) -> str:
    """Re-encrypt a token under the first (current) key."""
    return _current().rotate(token.encode("ascii")).decode("ascii")


def blind_index(value: str, *, purpose: str) -> str:
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("GIGUNION_BLIND_INDEX_KEY is empty: blind indexes cannot be computed.")
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def seal(plaintext: str) -> str:
    """Encrypt and authenticate a short message for a URL (Fernet tokens are URL-safe and carry their time)."""
    return encrypt(plaintext)


def sealed_at(token: str) -> int:
    """When a genuine sealed token was made (Unix time); DecryptionError for a forged or damaged one."""
    try:
        return _current().extract_timestamp(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        raise DecryptionError("token is invalid") from None


def unseal(token: str, *, max_age: int) -> str:
    """The message of a sealed token no older than max_age seconds; DecryptionError otherwise."""
    try:
        return _current().decrypt(token.encode("ascii"), ttl=max_age).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise DecryptionError("token is invalid or expired") from None
