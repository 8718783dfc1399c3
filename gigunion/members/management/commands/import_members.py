from __future__ import annotations

from typing import Any

from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.management.importing import ImportCommand
from gigunion.members.imports import members_import


class Command(ImportCommand):
    help = "Import an existing member list (会员名册, FORMATS.md) into the unions it names. Safe to run again."

    def run_import(self, *, data: bytes, filename: str, progress: ProgressCallback, **options: Any) -> ImportReport:
        return members_import(data=data, filename=filename, progress=progress)
