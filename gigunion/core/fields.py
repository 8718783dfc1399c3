from __future__ import annotations

from typing import Any

from django.db import models

from gigunion.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored encrypted (AES-256-GCM, see core.crypto). It cannot be filtered on: pair it with a blind index column."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


class RowIdKeyField(models.BigIntegerField):  # type: ignore[type-arg]
    """A 64-bit primary key the application chooses, stored as SQLite's rowid.

    Django declares a BigIntegerField `bigint`, and on SQLite only a column declared exactly `INTEGER
    PRIMARY KEY` is the rowid: any other primary key is a second, unique index beside it, which a
    table of millions pays for on every insert. PostgreSQL keeps `bigint`.
    """

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)
