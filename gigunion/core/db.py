"""Small database helpers shared by the domain apps."""

from __future__ import annotations

from django.db import connection, models

# After a bulk write this large, refresh the planner's statistics: without them SQLite picks a poor
# index for the paginated lists (a full sort instead of an ordered index scan).
ANALYZE_AFTER_ROWS = 1000


def analyze(*model_classes: type[models.Model]) -> None:
    """Refresh the query planner's statistics for these tables (SQLite and PostgreSQL both take ANALYZE)."""
    with connection.cursor() as cursor:
        for model in model_classes:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
