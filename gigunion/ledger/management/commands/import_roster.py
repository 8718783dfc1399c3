from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from gigunion.core.exceptions import DomainError
from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.management.importing import ImportCommand
from gigunion.core.tabular import TabularError
from gigunion.ledger.models import SourceKind
from gigunion.ledger.roster import roster_import
from gigunion.ledger.services import source_named


def _as_of(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    if value > timezone.localdate():
        raise argparse.ArgumentTypeError(f"the roster cannot describe the future: {text}")
    return value


class Command(ImportCommand):
    help = (
        "Import a worker roster (用工人员名册, FORMATS.md) from one source into the worker ledger. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--source", required=True, help="the roster's source (a platform, department or survey); created when new"
        )
        parser.add_argument(
            "--kind",
            choices=SourceKind.values,
            default=SourceKind.OTHER,
            help="the kind of a new source (default: other)",
        )
        parser.add_argument(
            "--as-of", dest="as_of", type=_as_of, help="the date the roster describes, YYYY-MM-DD (default: today)"
        )

    def run_import(self, *, data: bytes, filename: str, progress: ProgressCallback, **options: Any) -> ImportReport:
        # One transaction: a file that cannot be read leaves no new source behind either.
        try:
            with transaction.atomic():
                source = source_named(options["source"], options["kind"])
                return roster_import(
                    data=data, filename=filename, source=source, progress=progress, as_of=options["as_of"]
                )
        except TabularError:
            raise
        except DomainError as error:
            raise CommandError(error.message) from error
