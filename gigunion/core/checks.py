"""System checks for misconfiguration, with stable ids (gigunion.E00x / W00x)."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=False)
def check_secrets(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    try:
        secret_key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty SECRET_KEY
        secret_key = ""
    if len(secret_key) < 50:
        messages.append(
            Error(
                "GIGUNION_SECRET_KEY is missing or shorter than 50 characters.",
                hint="Set GIGUNION_SECRET_KEY in the environment (python -c 'import secrets; print(secrets.token_urlsafe(50))').",
                id="gigunion.E001",
            )
        )
    keys = list(settings.DATA_ENCRYPTION_KEYS)
    if not keys:
        messages.append(
            Error(
                "GIGUNION_DATA_KEYS is empty: ID numbers and phones cannot be encrypted.",
                hint="Set GIGUNION_DATA_KEYS to one or more comma-separated Fernet keys, newest first.",
                id="gigunion.E002",
            )
        )
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            messages.append(
                Error(
                    f"Key number {position} in GIGUNION_DATA_KEYS is not a valid Fernet key.",
                    hint="A Fernet key is 32 random bytes, url-safe base64 encoded (44 characters).",
                    id="gigunion.E003",
                )
            )
    if len(settings.BLIND_INDEX_KEY) < 32:
        messages.append(
            Error(
                "GIGUNION_BLIND_INDEX_KEY is missing or shorter than 32 characters.",
                hint="Set it once and keep it: changing it needs every blind index recomputed.",
                id="gigunion.E004",
            )
        )
    return messages


@register(Tags.database, deploy=True)
def check_production_database(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.PRODUCTION and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return [
            Warning(
                "Production is running on SQLite.",
                hint="Set DATABASE_URL to a PostgreSQL database (postgres://user:password@host:5432/name).",
                id="gigunion.W001",
            )
        ]
    return []
