"""The spatial index of open stations and active merchants, kept by the database (ADR 0009).

SQLite: an R*Tree virtual table per model, filled and emptied by triggers, carrying the exact
coordinates (and a station's services and 24-hour flag) as auxiliary columns.
PostgreSQL: the earthdistance extension's GiST index on ll_to_earth(lat, lng); ordering by the
3-D chord distance (<->) is the same order as great-circle distance, so KNN answers are exact.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE_FORWARDS = [
    # Stations: only open ones are in the index.
    "CREATE VIRTUAL TABLE stations_station_rtree USING rtree("
    "id, min_lat, max_lat, min_lng, max_lng, +lat REAL, +lng REAL, +services INTEGER, +all_day INTEGER)",
    "CREATE TRIGGER stations_station_rtree_insert AFTER INSERT ON stations_station WHEN new.status = 'open' BEGIN "
    "INSERT INTO stations_station_rtree VALUES "
    "(new.id, new.lat, new.lat, new.lng, new.lng, new.lat, new.lng, new.services, new.all_day); END",
    "CREATE TRIGGER stations_station_rtree_update AFTER UPDATE ON stations_station BEGIN "
    "DELETE FROM stations_station_rtree WHERE id = old.id; "
    "INSERT INTO stations_station_rtree SELECT "
    "new.id, new.lat, new.lat, new.lng, new.lng, new.lat, new.lng, new.services, new.all_day "
    "WHERE new.status = 'open'; END",
    "CREATE TRIGGER stations_station_rtree_delete AFTER DELETE ON stations_station BEGIN "
    "DELETE FROM stations_station_rtree WHERE id = old.id; END",
    "INSERT INTO stations_station_rtree SELECT id, lat, lat, lng, lng, lat, lng, services, all_day "
    "FROM stations_station WHERE status = 'open'",
    # Merchants: only active ones.
    "CREATE VIRTUAL TABLE stations_merchant_rtree USING rtree("
    "id, min_lat, max_lat, min_lng, max_lng, +lat REAL, +lng REAL, +services INTEGER, +all_day INTEGER)",
    "CREATE TRIGGER stations_merchant_rtree_insert AFTER INSERT ON stations_merchant WHEN new.is_active BEGIN "
    "INSERT INTO stations_merchant_rtree VALUES (new.id, new.lat, new.lat, new.lng, new.lng, new.lat, new.lng, 0, 0); END",
    "CREATE TRIGGER stations_merchant_rtree_update AFTER UPDATE ON stations_merchant BEGIN "
    "DELETE FROM stations_merchant_rtree WHERE id = old.id; "
    "INSERT INTO stations_merchant_rtree SELECT new.id, new.lat, new.lat, new.lng, new.lng, new.lat, new.lng, 0, 0 "
    "WHERE new.is_active; END",
    "CREATE TRIGGER stations_merchant_rtree_delete AFTER DELETE ON stations_merchant BEGIN "
    "DELETE FROM stations_merchant_rtree WHERE id = old.id; END",
    "INSERT INTO stations_merchant_rtree SELECT id, lat, lat, lng, lng, lat, lng, 0, 0 "
    "FROM stations_merchant WHERE is_active",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS stations_station_rtree_insert",
    "DROP TRIGGER IF EXISTS stations_station_rtree_update",
    "DROP TRIGGER IF EXISTS stations_station_rtree_delete",
    "DROP TABLE IF EXISTS stations_station_rtree",
    "DROP TRIGGER IF EXISTS stations_merchant_rtree_insert",
    "DROP TRIGGER IF EXISTS stations_merchant_rtree_update",
    "DROP TRIGGER IF EXISTS stations_merchant_rtree_delete",
    "DROP TABLE IF EXISTS stations_merchant_rtree",
]
POSTGRES_FORWARDS = [
    # Both extensions ship with PostgreSQL (contrib) and are trusted: a database owner may create them.
    "CREATE EXTENSION IF NOT EXISTS cube",
    "CREATE EXTENSION IF NOT EXISTS earthdistance",
    "CREATE INDEX stations_station_earth ON stations_station USING gist (ll_to_earth(lat, lng)) WHERE status = 'open'",
    "CREATE INDEX stations_merchant_earth ON stations_merchant USING gist (ll_to_earth(lat, lng)) WHERE is_active",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS stations_station_earth",
    "DROP INDEX IF EXISTS stations_merchant_earth",
]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_FORWARDS, "postgresql": POSTGRES_FORWARDS}.get(vendor, []):
        schema_editor.execute(statement, params=None)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_BACKWARDS, "postgresql": POSTGRES_BACKWARDS}.get(vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
