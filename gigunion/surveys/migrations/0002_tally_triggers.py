# ruff: noqa: S608  (constant SQL built from literals; no user input reaches it)
"""The triggers that keep the tallies current (ADR 0011).

People: every insert, update and delete of a ledger worker, a membership or a person adds to or
subtracts from its region × occupation cell of surveys_peopletally, in the same transaction.
Employers: a change of an employer, a coverage, a union or a worklist item marks the regions whose
employer figures it changes in surveys_tallydirty; the next read recomputes those regions.
Then the tallies are filled from the data already there.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MEMBER = "('active', 'retained')"  # members.models.MEMBER_STATUSES

_UPSERT = (
    "INSERT INTO surveys_peopletally (region_code, occupation, workers, members) {select} "
    "ON CONFLICT (region_code, occupation) DO UPDATE SET "
    "workers = surveys_peopletally.workers + excluded.workers, "
    "members = surveys_peopletally.members + excluded.members"
)


def _add(select: str) -> str:
    return _UPSERT.format(select=select)


def _dirty(select: str) -> str:
    return f"INSERT INTO surveys_tallydirty (region_code) {select}"


# Regions whose figures a coverage row (c = OLD or NEW) touches: its employer's and its union's.
_COVERAGE_REGIONS = (
    "SELECT region_id FROM enterprises_enterprise WHERE id = {c}.enterprise_id "
    "UNION SELECT region_id FROM orgs_unionorganization WHERE id = {c}.organization_id AND region_id IS NOT NULL"
)
# Regions of the employers a union (u) covers, and of the unions covering an employer (e).
_COVERED_BY_UNION = (
    "SELECT e.region_id FROM founding_coverage c JOIN enterprises_enterprise e ON e.id = c.enterprise_id "
    "WHERE c.organization_id = {u}.id"
)
_UNIONS_OF_EMPLOYER = (
    "SELECT o.region_id FROM founding_coverage c JOIN orgs_unionorganization o ON o.id = c.organization_id "
    "WHERE c.enterprise_id = {e}.id AND o.region_id IS NOT NULL"
)

_WORKER_CHANGED = "OLD.work_region_id IS NOT NEW.work_region_id OR OLD.occupation IS NOT NEW.occupation OR OLD.active IS NOT NEW.active"
_PERSON_IS_MEMBER = f"EXISTS (SELECT 1 FROM members_membership m WHERE m.person_id = NEW.id AND m.status IN {MEMBER})"

SQLITE_FORWARDS = [
    # Workers at work, by their work region and occupation.
    "CREATE TRIGGER surveys_worker_insert AFTER INSERT ON ledger_worker WHEN NEW.active BEGIN "
    + _add("SELECT NEW.work_region_id, NEW.occupation, 1, 0 WHERE true")
    + "; END",
    f"CREATE TRIGGER surveys_worker_update AFTER UPDATE OF work_region_id, occupation, active ON ledger_worker "
    f"WHEN {_WORKER_CHANGED} BEGIN "
    + _add("SELECT OLD.work_region_id, OLD.occupation, -1, 0 WHERE OLD.active")
    + "; "
    + _add("SELECT NEW.work_region_id, NEW.occupation, 1, 0 WHERE NEW.active")
    + "; END",
    "CREATE TRIGGER surveys_worker_delete AFTER DELETE ON ledger_worker WHEN OLD.active BEGIN "
    + _add("SELECT OLD.work_region_id, OLD.occupation, -1, 0 WHERE true")
    + "; END",
    # Members (a person has at most one open membership), by the person's work region and occupation.
    f"CREATE TRIGGER surveys_membership_insert AFTER INSERT ON members_membership WHEN NEW.status IN {MEMBER} BEGIN "
    + _add("SELECT work_region_id, occupation, 0, 1 FROM members_person WHERE id = NEW.person_id")
    + "; END",
    f"CREATE TRIGGER surveys_membership_update AFTER UPDATE OF status, person_id ON members_membership "
    f"WHEN (OLD.status IN {MEMBER}) IS NOT (NEW.status IN {MEMBER}) OR OLD.person_id IS NOT NEW.person_id BEGIN "
    + _add(
        f"SELECT work_region_id, occupation, 0, -1 FROM members_person WHERE id = OLD.person_id AND OLD.status IN {MEMBER}"
    )
    + "; "
    + _add(
        f"SELECT work_region_id, occupation, 0, 1 FROM members_person WHERE id = NEW.person_id AND NEW.status IN {MEMBER}"
    )
    + "; END",
    f"CREATE TRIGGER surveys_membership_delete AFTER DELETE ON members_membership WHEN OLD.status IN {MEMBER} BEGIN "
    + _add("SELECT work_region_id, occupation, 0, -1 FROM members_person WHERE id = OLD.person_id")
    + "; END",
    "CREATE TRIGGER surveys_person_update AFTER UPDATE OF work_region_id, occupation ON members_person "
    "WHEN OLD.work_region_id IS NOT NEW.work_region_id OR OLD.occupation IS NOT NEW.occupation BEGIN "
    + _add(f"SELECT OLD.work_region_id, OLD.occupation, 0, -1 WHERE {_PERSON_IS_MEMBER}")
    + "; "
    + _add(f"SELECT NEW.work_region_id, NEW.occupation, 0, 1 WHERE {_PERSON_IS_MEMBER}")
    + "; END",
    # Employer figures: mark the regions to recompute.
    "CREATE TRIGGER surveys_enterprise_insert AFTER INSERT ON enterprises_enterprise BEGIN "
    + _dirty("VALUES (NEW.region_id)")
    + "; END",
    "CREATE TRIGGER surveys_enterprise_update AFTER UPDATE OF region_id, workers_by_occupation ON enterprises_enterprise "
    "WHEN OLD.region_id IS NOT NEW.region_id OR OLD.workers_by_occupation IS NOT NEW.workers_by_occupation BEGIN "
    + _dirty(f"SELECT OLD.region_id UNION SELECT NEW.region_id UNION {_UNIONS_OF_EMPLOYER.format(e='NEW')}")
    + "; END",
    "CREATE TRIGGER surveys_enterprise_delete AFTER DELETE ON enterprises_enterprise BEGIN "
    + _dirty("VALUES (OLD.region_id)")
    + "; END",
    "CREATE TRIGGER surveys_coverage_insert AFTER INSERT ON founding_coverage BEGIN "
    + _dirty(_COVERAGE_REGIONS.format(c="NEW"))
    + "; END",
    "CREATE TRIGGER surveys_coverage_update AFTER UPDATE ON founding_coverage BEGIN "
    + _dirty(_COVERAGE_REGIONS.format(c="OLD") + " UNION " + _COVERAGE_REGIONS.format(c="NEW"))
    + "; END",
    "CREATE TRIGGER surveys_coverage_delete AFTER DELETE ON founding_coverage BEGIN "
    + _dirty(_COVERAGE_REGIONS.format(c="OLD"))
    + "; END",
    "CREATE TRIGGER surveys_union_insert AFTER INSERT ON orgs_unionorganization WHEN NEW.region_id IS NOT NULL BEGIN "
    + _dirty("VALUES (NEW.region_id)")
    + "; END",
    "CREATE TRIGGER surveys_union_update AFTER UPDATE OF region_id, is_active ON orgs_unionorganization "
    "WHEN OLD.region_id IS NOT NEW.region_id OR OLD.is_active IS NOT NEW.is_active BEGIN "
    + _dirty(
        "SELECT OLD.region_id WHERE OLD.region_id IS NOT NULL UNION SELECT NEW.region_id WHERE NEW.region_id IS NOT NULL "
        f"UNION {_COVERED_BY_UNION.format(u='NEW')}"
    )
    + "; END",
    "CREATE TRIGGER surveys_union_delete AFTER DELETE ON orgs_unionorganization WHEN OLD.region_id IS NOT NULL BEGIN "
    + _dirty("VALUES (OLD.region_id)")
    + "; END",
    "CREATE TRIGGER surveys_worklist_insert AFTER INSERT ON founding_worklistitem BEGIN "
    + _dirty("VALUES (NEW.region_id)")
    + "; END",
    "CREATE TRIGGER surveys_worklist_update AFTER UPDATE OF state, region_id, enterprise_id ON founding_worklistitem "
    "WHEN OLD.state IS NOT NEW.state OR OLD.region_id IS NOT NEW.region_id OR OLD.enterprise_id IS NOT NEW.enterprise_id "
    "BEGIN " + _dirty("SELECT OLD.region_id UNION SELECT NEW.region_id") + "; END",
    "CREATE TRIGGER surveys_worklist_delete AFTER DELETE ON founding_worklistitem BEGIN "
    + _dirty("VALUES (OLD.region_id)")
    + "; END",
]
SQLITE_TRIGGERS = [
    "surveys_worker_insert",
    "surveys_worker_update",
    "surveys_worker_delete",
    "surveys_membership_insert",
    "surveys_membership_update",
    "surveys_membership_delete",
    "surveys_person_update",
    "surveys_enterprise_insert",
    "surveys_enterprise_update",
    "surveys_enterprise_delete",
    "surveys_coverage_insert",
    "surveys_coverage_update",
    "surveys_coverage_delete",
    "surveys_union_insert",
    "surveys_union_update",
    "surveys_union_delete",
    "surveys_worklist_insert",
    "surveys_worklist_update",
    "surveys_worklist_delete",
]

_PG_ADD = (
    "CREATE OR REPLACE FUNCTION surveys_people_add(r text, o text, dw bigint, dm bigint) RETURNS void AS $$ "
    + _add("VALUES (r, o, dw, dm)")
    + " $$ LANGUAGE sql"
)
POSTGRES_FORWARDS = [
    _PG_ADD,
    # Workers.
    "CREATE FUNCTION surveys_worker_tally() RETURNS trigger AS $$ BEGIN "
    "IF TG_OP <> 'INSERT' THEN IF OLD.active THEN "
    "PERFORM surveys_people_add(OLD.work_region_id, OLD.occupation, -1, 0); END IF; END IF; "
    "IF TG_OP <> 'DELETE' THEN IF NEW.active THEN "
    "PERFORM surveys_people_add(NEW.work_region_id, NEW.occupation, 1, 0); END IF; END IF; "
    "RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER surveys_worker_insert_delete AFTER INSERT OR DELETE ON ledger_worker "
    "FOR EACH ROW EXECUTE FUNCTION surveys_worker_tally()",
    "CREATE TRIGGER surveys_worker_update AFTER UPDATE OF work_region_id, occupation, active ON ledger_worker "
    "FOR EACH ROW WHEN (OLD.work_region_id IS DISTINCT FROM NEW.work_region_id "
    "OR OLD.occupation IS DISTINCT FROM NEW.occupation OR OLD.active IS DISTINCT FROM NEW.active) "
    "EXECUTE FUNCTION surveys_worker_tally()",
    # Members.
    "CREATE FUNCTION surveys_membership_tally() RETURNS trigger AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' THEN IF OLD.status IN {MEMBER} THEN "
    "PERFORM surveys_people_add(p.work_region_id, p.occupation, 0, -1) FROM members_person p WHERE p.id = OLD.person_id; "
    "END IF; END IF; "
    f"IF TG_OP <> 'DELETE' THEN IF NEW.status IN {MEMBER} THEN "
    "PERFORM surveys_people_add(p.work_region_id, p.occupation, 0, 1) FROM members_person p WHERE p.id = NEW.person_id; "
    "END IF; END IF; "
    "RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER surveys_membership_insert_delete AFTER INSERT OR DELETE ON members_membership "
    "FOR EACH ROW EXECUTE FUNCTION surveys_membership_tally()",
    "CREATE TRIGGER surveys_membership_update AFTER UPDATE OF status, person_id ON members_membership "
    f"FOR EACH ROW WHEN ((OLD.status IN {MEMBER}) IS DISTINCT FROM (NEW.status IN {MEMBER}) "
    "OR OLD.person_id IS DISTINCT FROM NEW.person_id) EXECUTE FUNCTION surveys_membership_tally()",
    "CREATE FUNCTION surveys_person_tally() RETURNS trigger AS $$ BEGIN "
    f"IF {_PERSON_IS_MEMBER} THEN "
    "PERFORM surveys_people_add(OLD.work_region_id, OLD.occupation, 0, -1); "
    "PERFORM surveys_people_add(NEW.work_region_id, NEW.occupation, 0, 1); END IF; "
    "RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER surveys_person_update AFTER UPDATE OF work_region_id, occupation ON members_person "
    "FOR EACH ROW WHEN (OLD.work_region_id IS DISTINCT FROM NEW.work_region_id "
    "OR OLD.occupation IS DISTINCT FROM NEW.occupation) EXECUTE FUNCTION surveys_person_tally()",
    # Employer figures: mark regions.
    "CREATE FUNCTION surveys_enterprise_dirty() RETURNS trigger AS $$ BEGIN "
    "IF TG_OP <> 'INSERT' THEN "
    + _dirty(f"SELECT OLD.region_id UNION {_UNIONS_OF_EMPLOYER.format(e='OLD')}")
    + "; END IF; IF TG_OP <> 'DELETE' THEN "
    + _dirty(f"SELECT NEW.region_id UNION {_UNIONS_OF_EMPLOYER.format(e='NEW')}")
    + "; END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER surveys_enterprise_insert_delete AFTER INSERT OR DELETE ON enterprises_enterprise "
    "FOR EACH ROW EXECUTE FUNCTION surveys_enterprise_dirty()",
    "CREATE TRIGGER surveys_enterprise_update AFTER UPDATE OF region_id, workers_by_occupation ON enterprises_enterprise "
    "FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id "
    "OR OLD.workers_by_occupation::text IS DISTINCT FROM NEW.workers_by_occupation::text) "
    "EXECUTE FUNCTION surveys_enterprise_dirty()",
    "CREATE FUNCTION surveys_coverage_dirty() RETURNS trigger AS $$ BEGIN "
    "IF TG_OP <> 'INSERT' THEN "
    + _dirty(_COVERAGE_REGIONS.format(c="OLD"))
    + "; END IF; IF TG_OP <> 'DELETE' THEN "
    + _dirty(_COVERAGE_REGIONS.format(c="NEW"))
    + "; END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER surveys_coverage_change AFTER INSERT OR UPDATE OR DELETE ON founding_coverage "
    "FOR EACH ROW EXECUTE FUNCTION surveys_coverage_dirty()",
    "CREATE FUNCTION surveys_union_dirty() RETURNS trigger AS $$ BEGIN "
    "IF TG_OP <> 'INSERT' THEN "
    + _dirty(f"SELECT OLD.region_id WHERE OLD.region_id IS NOT NULL UNION {_COVERED_BY_UNION.format(u='OLD')}")
    + "; END IF; IF TG_OP <> 'DELETE' THEN "
    + _dirty(f"SELECT NEW.region_id WHERE NEW.region_id IS NOT NULL UNION {_COVERED_BY_UNION.format(u='NEW')}")
    + "; END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER surveys_union_insert_delete AFTER INSERT OR DELETE ON orgs_unionorganization "
    "FOR EACH ROW EXECUTE FUNCTION surveys_union_dirty()",
    "CREATE TRIGGER surveys_union_update AFTER UPDATE OF region_id, is_active ON orgs_unionorganization "
    "FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id OR OLD.is_active IS DISTINCT FROM NEW.is_active) "
    "EXECUTE FUNCTION surveys_union_dirty()",
    "CREATE FUNCTION surveys_worklist_dirty() RETURNS trigger AS $$ BEGIN "
    "IF TG_OP <> 'INSERT' THEN "
    + _dirty("VALUES (OLD.region_id)")
    + "; END IF; IF TG_OP <> 'DELETE' THEN "
    + _dirty("VALUES (NEW.region_id)")
    + "; END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER surveys_worklist_insert_delete AFTER INSERT OR DELETE ON founding_worklistitem "
    "FOR EACH ROW EXECUTE FUNCTION surveys_worklist_dirty()",
    "CREATE TRIGGER surveys_worklist_update AFTER UPDATE OF state, region_id, enterprise_id ON founding_worklistitem "
    "FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.region_id IS DISTINCT FROM NEW.region_id "
    "OR OLD.enterprise_id IS DISTINCT FROM NEW.enterprise_id) EXECUTE FUNCTION surveys_worklist_dirty()",
]
POSTGRES_BACKWARDS = [
    "DROP TRIGGER IF EXISTS surveys_worker_insert_delete ON ledger_worker",
    "DROP TRIGGER IF EXISTS surveys_worker_update ON ledger_worker",
    "DROP TRIGGER IF EXISTS surveys_membership_insert_delete ON members_membership",
    "DROP TRIGGER IF EXISTS surveys_membership_update ON members_membership",
    "DROP TRIGGER IF EXISTS surveys_person_update ON members_person",
    "DROP TRIGGER IF EXISTS surveys_enterprise_insert_delete ON enterprises_enterprise",
    "DROP TRIGGER IF EXISTS surveys_enterprise_update ON enterprises_enterprise",
    "DROP TRIGGER IF EXISTS surveys_coverage_change ON founding_coverage",
    "DROP TRIGGER IF EXISTS surveys_union_insert_delete ON orgs_unionorganization",
    "DROP TRIGGER IF EXISTS surveys_union_update ON orgs_unionorganization",
    "DROP TRIGGER IF EXISTS surveys_worklist_insert_delete ON founding_worklistitem",
    "DROP TRIGGER IF EXISTS surveys_worklist_update ON founding_worklistitem",
    "DROP FUNCTION IF EXISTS surveys_worker_tally()",
    "DROP FUNCTION IF EXISTS surveys_membership_tally()",
    "DROP FUNCTION IF EXISTS surveys_person_tally()",
    "DROP FUNCTION IF EXISTS surveys_enterprise_dirty()",
    "DROP FUNCTION IF EXISTS surveys_coverage_dirty()",
    "DROP FUNCTION IF EXISTS surveys_union_dirty()",
    "DROP FUNCTION IF EXISTS surveys_worklist_dirty()",
    "DROP FUNCTION IF EXISTS surveys_people_add(text, text, bigint, bigint)",
]

# Fill the tallies from what is already there (the same statements as surveys.tally.tally_rebuild).
FILL = [
    "DELETE FROM surveys_peopletally",
    _add(
        "SELECT work_region_id, occupation, count(*), 0 FROM ledger_worker WHERE active GROUP BY work_region_id, occupation"
    ),
    _add(
        "SELECT p.work_region_id, p.occupation, 0, count(*) FROM members_membership m "
        f"JOIN members_person p ON p.id = m.person_id WHERE m.status IN {MEMBER} GROUP BY p.work_region_id, p.occupation"
    ),
    _dirty(
        "SELECT region_id FROM enterprises_enterprise UNION SELECT region_id FROM orgs_unionorganization "
        "WHERE region_id IS NOT NULL UNION SELECT region_id FROM founding_worklistitem"
    ),
]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_FORWARDS, "postgresql": POSTGRES_FORWARDS}.get(vendor)
    if statements is None:
        return
    for statement in [*statements, *FILL]:
        schema_editor.execute(statement, params=None)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
    elif vendor == "postgresql":
        for statement in POSTGRES_BACKWARDS:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("ledger", "0002_invitation"),
        ("members", "0002_history_append_only"),
        ("enterprises", "0002_workers_by_occupation"),
        ("founding", "0003_worklist_region_order"),
        ("orgs", "0003_unionorganization_join_requires_approval"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
