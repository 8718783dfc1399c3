from __future__ import annotations

from typing import Any

from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.management.importing import ImportCommand
from gigunion.founding.imports import unions_import
from gigunion.founding.services import worklist_refresh


class Command(ImportCommand):
    help = "Import union organizations with the enterprises they cover (工会组织名册, FORMATS.md). Safe to run again."

    def run_import(self, *, data: bytes, filename: str, progress: ProgressCallback, **options: Any) -> ImportReport:
        report = unions_import(data=data, filename=filename, progress=progress)
        worklist_refresh()
        return report
