from __future__ import annotations

from typing import Any

from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.management.importing import ImportCommand
from gigunion.enterprises.services import enterprises_import
from gigunion.founding.services import worklist_refresh


class Command(ImportCommand):
    help = "Import an enterprise list (企业名单, FORMATS.md) from CSV or XLSX, then refresh the worklist. Safe to run again."

    def run_import(self, *, data: bytes, filename: str, progress: ProgressCallback, **options: Any) -> ImportReport:
        report = enterprises_import(data=data, filename=filename, progress=progress)
        worklist_refresh()
        return report
