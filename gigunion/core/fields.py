from __future__ import annotations

from typing import Any

from django.db import models

from gigunion.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored encrypted (Fernet). It cannot be filtered on: pair it with a blind index column."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
