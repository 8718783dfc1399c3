from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gigunion.regions.services import regions_load


class Command(BaseCommand):
    help = "Load provinces, cities, counties, townships and historical division codes. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-townships", action="store_true", help="Load only provinces, cities and counties.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = regions_load(townships=not options["no_townships"])
        self.stdout.write(
            f"regions: created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"retired {result.retired}, skipped {result.skipped}; historical codes: "
            f"created {result.history_created}, updated {result.history_updated}"
        )
