# ruff: noqa: S608  (constant SQL built from literals; no user input reaches it)
"""On PostgreSQL, inserted and deleted ledger workers are tallied once per statement (ADR 0011).

0002's row trigger ran an upsert of the tally for every worker inserted. A roster import inserts a
chunk of 10,000 workers in one statement (ledger.roster); a statement trigger with a transition table
adds them to the tally with one grouped upsert, in the same transaction as before. The rows are
grouped and ordered by cell, so two imports at once lock the tally rows in the same order.
Updates stay row triggers: most updates of a worker (its dates) change no cell, and the row trigger's
WHEN clause skips them without running anything. SQLite has no statement triggers: nothing changes there.
"""

from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _tally(rows: str, sign: str) -> str:
    return (
        "INSERT INTO surveys_peopletally (region_code, occupation, workers, members) "
        f"SELECT work_region_id, occupation, {sign}count(*), 0 FROM {rows} WHERE active "
        "GROUP BY work_region_id, occupation ORDER BY work_region_id, occupation "
        "ON CONFLICT (region_code, occupation) DO UPDATE SET "
        "workers = surveys_peopletally.workers + excluded.workers, "
        "members = surveys_peopletally.members + excluded.members"
    )


FORWARDS = [
    "DROP TRIGGER IF EXISTS surveys_worker_insert_delete ON ledger_worker",
    "CREATE FUNCTION surveys_workers_inserted() RETURNS trigger AS $$ BEGIN "
    + _tally("surveys_inserted_workers", "")
    + "; RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE FUNCTION surveys_workers_deleted() RETURNS trigger AS $$ BEGIN "
    + _tally("surveys_deleted_workers", "-")
    + "; RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER surveys_workers_insert AFTER INSERT ON ledger_worker "
    "REFERENCING NEW TABLE AS surveys_inserted_workers FOR EACH STATEMENT EXECUTE FUNCTION surveys_workers_inserted()",
    "CREATE TRIGGER surveys_workers_delete AFTER DELETE ON ledger_worker "
    "REFERENCING OLD TABLE AS surveys_deleted_workers FOR EACH STATEMENT EXECUTE FUNCTION surveys_workers_deleted()",
]
BACKWARDS = [
    "DROP TRIGGER IF EXISTS surveys_workers_insert ON ledger_worker",
    "DROP TRIGGER IF EXISTS surveys_workers_delete ON ledger_worker",
    "DROP FUNCTION IF EXISTS surveys_workers_inserted()",
    "DROP FUNCTION IF EXISTS surveys_workers_deleted()",
    "CREATE TRIGGER surveys_worker_insert_delete AFTER INSERT OR DELETE ON ledger_worker "
    "FOR EACH ROW EXECUTE FUNCTION surveys_worker_tally()",
]


def _run(statements: list[str]) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_tally_day"),
        ("ledger", "0002_invitation"),
    ]

    operations = [migrations.RunPython(_run(FORWARDS), _run(BACKWARDS))]
