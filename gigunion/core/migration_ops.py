"""Migration operations shared by the apps."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def append_only_trigger(table: str) -> migrations.RunPython:
    """On PostgreSQL, refuse UPDATE and DELETE of a history table's rows in the database itself.

    Uses the gigunion_append_only() function that core's migration 0002 creates; depend on it.
    """
    trigger = f"{table}_append_only"

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION gigunion_append_only();",
                params=None,
            )

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};", params=None)

    return migrations.RunPython(forwards, backwards)
