"""Fixed-window rate limits kept in the database, shared by every process.

A counter per (key, period) is incremented atomically with INSERT … ON CONFLICT DO UPDATE …
RETURNING, which SQLite (3.35+) and PostgreSQL both run as one statement: there is no
read-then-write race and no cache server is needed in the embedded mode (ADR 0006).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.db import connection

from gigunion.core.models import RateLimitCounter

_TABLE = RateLimitCounter._meta.db_table
# One hit in this many also deletes the counters of ended windows: the table stays small without a cron.
PURGE_SHARE = 0.01


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `seconds` for one key."""

    count: int
    seconds: int


def hit(scope: str, key: str, limit: Limit, *, now: float | None = None) -> bool:
    """Count one hit; True while the key is within its limit, False once it is over."""
    moment = time.time() if now is None else now
    period = int(moment // limit.seconds)
    bucket = f"{scope}:{key}"[:200]
    expires = int((period + 1) * limit.seconds)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (bucket, period, hits, expires_at) VALUES (%s, %s, 1, %s) "  # noqa: S608
            f"ON CONFLICT (bucket, period) DO UPDATE SET hits = {_TABLE}.hits + 1 RETURNING hits",
            [bucket, period, expires],
        )
        row = cursor.fetchone()
    if random.random() < PURGE_SHARE:  # noqa: S311 (housekeeping, not security)
        purge_expired(now=moment)
    return int(row[0]) <= limit.count


def purge_expired(*, now: float | None = None) -> int:
    """Drop the counters of windows that have ended."""
    moment = time.time() if now is None else now
    deleted, _ = RateLimitCounter.objects.filter(expires_at__lt=int(moment)).delete()
    return deleted
