"""What every import answers: counts, per-row errors, warnings (FORMATS.md's command contract)."""

from __future__ import annotations

from collections.abc import Callable
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
