from django.db import migrations

from gigunion.core.migration_ops import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial"), ("core", "0002_auditevent_append_only_trigger")]
    operations = [append_only_trigger("appeals_appealevent")]
