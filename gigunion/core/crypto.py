"""Encryption at rest and blind indexes for personal data (ID numbers, phones).

Values are encrypted with AES-256-GCM under keys derived from settings.DATA_ENCRYPTION_KEYS (Fernet
keys, one per line of configuration): the first key encrypts, every key decrypts, so keys can be
rotated (`rotate` re-encrypts a value under the first key). A stored value reads ``g2.<base64url(nonce ‖
ciphertext ‖ tag)>``. Values written before ADR 0007 are Fernet tokens (AES-128-CBC + HMAC-SHA256);
they still decrypt, and rotation rewrites them in the new form. GCM is about seven times faster than
Fernet here (1.7 µs against 12 µs a value), which is what lets a roster import encrypt a million ID
numbers and phones inside its time budget; both are authenticated encryption.

Sealed tokens for URLs (`seal`/`unseal`) stay Fernet: they need its built-in timestamp. Exact lookup and de-duplication use a
blind index: HMAC-SHA256 of the normalized value under settings.BLIND_INDEX_KEY, with a
purpose prefix so an ID number and a phone never share an index value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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


_GCM_PREFIX = "g2."
_NONCE_BYTES = 12


@lru_cache(maxsize=4)
def _gcm(keys: tuple[str, ...]) -> tuple[AESGCM, ...]:
    """One AES-256-GCM cipher per configured key, its key derived from the Fernet key's 32 random bytes."""
    if not keys:
        raise ImproperlyConfigured("GIGUNION_DATA_KEYS is empty: personal data cannot be encrypted.")
    return tuple(
        AESGCM(hashlib.sha256(b"gigunion/aes-256-gcm\x00" + base64.urlsafe_b64decode(key)).digest()) for key in keys
    )


def _ciphers() -> tuple[AESGCM, ...]:
    return _gcm(tuple(settings.DATA_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _ciphers()[0].encrypt(nonce, plaintext.encode("utf-8"), None)
    return _GCM_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def encryptor() -> Callable[[str], str]:
    """`encrypt` as a function with its cipher looked up once (an import encrypts a million values)."""
    cipher = _ciphers()[0]
    b64 = base64.urlsafe_b64encode
    # Random nonces drawn 4,096 at a time: one system call instead of one per value. A forked process
    # must never use its parent's nonces (GCM under a repeated nonce leaks), so the pool is the process's.
    batch = 4096
    pool: list[bytes] = []
    owner = [os.getpid()]
    getpid = os.getpid

    def encrypt_one(plaintext: str) -> str:
        if not pool or owner[0] != getpid():
            block = os.urandom(_NONCE_BYTES * batch)
            pool[:] = [block[start : start + _NONCE_BYTES] for start in range(0, len(block), _NONCE_BYTES)]
            owner[0] = getpid()
        nonce = pool.pop()
        return _GCM_PREFIX + b64(nonce + cipher.encrypt(nonce, plaintext.encode("utf-8"), None)).decode("ascii")

    return encrypt_one


def decrypt(token: str) -> str:
    if not token.startswith(_GCM_PREFIX):
        try:
            return _current().decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError):
            raise DecryptionError("stored value cannot be decrypted with the configured keys") from None
    try:
        raw = base64.urlsafe_b64decode(token[len(_GCM_PREFIX) :])
    except (binascii.Error, ValueError):
        raise DecryptionError("stored value cannot be decrypted with the configured keys") from None
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    for cipher in _ciphers():
        try:
            return cipher.decrypt(nonce, sealed, None).decode("utf-8")
        except (InvalidTag, ValueError):
            continue
    raise DecryptionError("stored value cannot be decrypted with the configured keys")


def rotate(token: str) -> str:
    """Re-encrypt a stored value under the first (current) key, in the current form."""
    return encrypt(decrypt(token))


def blind_index(value: str, *, purpose: str) -> str:
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("GIGUNION_BLIND_INDEX_KEY is empty: blind indexes cannot be computed.")
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def blind_indexer(*, purpose: str) -> Callable[[str], str]:
    """`blind_index` for one purpose as a function, its key prepared once (an import calls it a million times)."""
    key = settings.BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("GIGUNION_BLIND_INDEX_KEY is empty: blind indexes cannot be computed.")
    key_bytes = key.encode("utf-8")
    head = f"{purpose}\x00".encode()
    digest = hmac.digest

    def index(value: str) -> str:
        return digest(key_bytes, head + value.encode(), "sha256").hex()

    return index


def short_digester(*, purpose: str) -> Callable[[str], str]:
    """A 16-hex-digit keyed hash (BLAKE2b under a key derived from the blind-index key), as a function:
    it tells whether a stored secret changed without decrypting it."""
    key = hashlib.sha256(f"{settings.BLIND_INDEX_KEY}\x00{purpose}".encode()).digest()
    blake2b = hashlib.blake2b

    def digest(value: str) -> str:
        return blake2b(value.encode(), key=key, digest_size=8).hexdigest()

    return digest


def seal(plaintext: str) -> str:
    """Encrypt and authenticate a short message for a URL (Fernet tokens are URL-safe and carry their time)."""
    return _current().encrypt(plaintext.encode("utf-8")).decode("ascii")


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
