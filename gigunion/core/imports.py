"""What every import answers: counts, per-row errors, warnings (FORMATS.md's command contract)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from gigunion.core.tabular import RowError

ProgressCallback = Callable[[int, int], None]


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({error.row for error in self.errors})

    def summary_line(self) -> str:
        return f"imported {self.imported}, updated {self.updated}, unchanged {self.unchanged}, rejected {self.rejected}"


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a bulk import (reference counting still frees everything).

    An import of a million rows allocates millions of short-lived containers; each allocation burst
    sets off a collection that walks every container still alive (the import's own caches and the
    chunk being written), about a sixth of the whole import's time (bench/roster.py). Nothing an
    import allocates forms cycles, so nothing waits for the collector; it resumes as it was after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
