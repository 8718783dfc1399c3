"""The shared shape of the import commands (FORMATS.md): FILE, --errors FILE, a progress bar, one summary line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.tabular import TabularError, write_errors_csv


class ImportCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV (UTF-8 or GBK) or XLSX file")
        parser.add_argument("--errors", type=Path, help="write the rejected rows here as CSV (row,column,message)")

    def run_import(self, *, data: bytes, filename: str, progress: ProgressCallback, **options: Any) -> ImportReport:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        try:
            report = self.run_import(data=data, filename=path.name, progress=self._progress, **options)
        except TabularError as error:
            raise CommandError(f"{path}: {error.message}") from error
        finally:
            if self._interactive():
                self.stdout.write("")
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if options["errors"]:
            with options["errors"].open("w", encoding="utf-8", newline="") as stream:
                write_errors_csv(report.errors, stream)
        self.stdout.write(report.summary_line())

    def _interactive(self) -> bool:
        return self.stdout.isatty()

    def _progress(self, done: int, total: int) -> None:
        if not self._interactive() or not total:
            return
        width = 30
        filled = width * done // total
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stdout.flush()
