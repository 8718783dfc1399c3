"""Small database helpers shared by the domain apps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models

# After a bulk write this large, refresh the planner's statistics: without them SQLite picks a poor
# index for the paginated lists (a full sort instead of an ordered index scan).
ANALYZE_AFTER_ROWS = 1000


def analyze(*model_classes: type[models.Model]) -> None:
    """Refresh the query planner's statistics for these tables (SQLite and PostgreSQL both take ANALYZE).

    SQLite reads a sample of each index (as PostgreSQL always does) rather than every entry: a full
    ANALYZE of a million-row ledger took seconds, for the same choice of index.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        for model in model_classes:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextmanager
def bulk_write_cache(mebibytes: int = 512) -> Iterator[None]:
    """Give SQLite's page cache room for a bulk write on this connection (no effect on PostgreSQL).

    SQLite's default cache is 2 MiB. A big import inserts rows keyed by a hash, so every chunk lands
    all over the table's B-tree: with the default cache it re-reads pages it evicted a moment ago.
    The cache only grows as pages are used, and is set back afterwards.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(mebibytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")
