"""A check-in secret per station, printed only in its QR code (the public code no longer checks in).

On SQLite, altering a field rebuilds the table and drops its triggers: the R*Tree triggers of
migration 0002 are created again afterwards (ADR 0009: every such migration must do this).
"""

import importlib
import secrets

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import gigunion.stations.models


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    station_model = apps.get_model("stations", "Station")
    for station in station_model.objects.filter(checkin_secret__isnull=True).only("pk"):
        station_model.objects.filter(pk=station.pk).update(checkin_secret=secrets.token_urlsafe(18))


def spatial_triggers_again(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    spatial = importlib.import_module("gigunion.stations.migrations.0002_spatial_index")
    station_triggers = [sql for sql in spatial.SQLITE_FORWARDS if sql.startswith("CREATE TRIGGER stations_station_")]
    assert len(station_triggers) == 3
    for suffix in ("insert", "update", "delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS stations_station_rtree_{suffix}", params=None)
    for sql in station_triggers:
        schema_editor.execute(sql, params=None)
    schema_editor.execute("DELETE FROM stations_station_rtree", params=None)
    schema_editor.execute(
        "INSERT INTO stations_station_rtree SELECT id, lat, lat, lng, lng, lat, lng, services, all_day "
        "FROM stations_station WHERE status = 'open'",
        params=None,
    )


class Migration(migrations.Migration):
    dependencies = [("stations", "0003_region_point")]

    operations = [
        migrations.AlterField(
            model_name="station",
            name="code",
            field=models.CharField(
                editable=False, help_text="in the station's public address", max_length=16, unique=True
            ),
        ),
        migrations.AddField(
            model_name="station",
            name="checkin_secret",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="station",
            name="checkin_secret",
            field=models.CharField(
                default=gigunion.stations.models.checkin_secret_new, editable=False, max_length=32, unique=True
            ),
        ),
        migrations.RunPython(spatial_triggers_again, migrations.RunPython.noop),
    ]
