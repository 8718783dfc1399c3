from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gigunion.core.exceptions import NotVisible
from gigunion.founding.services import worklist_refresh
from gigunion.regions.selectors import region_get


class Command(BaseCommand):
    help = "Recompute the pending-founding worklist (应建未建) from the registry, the coverage and the rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default="", help="only this division code's region (default: everywhere)")

    def handle(self, *args: Any, **options: Any) -> None:
        prefix = ""
        if options["region"]:
            try:
                prefix = region_get(code=options["region"]).prefix
            except NotVisible:
                raise CommandError(f"unknown division code {options['region']}") from None
        result = worklist_refresh(region_prefix=prefix)
        self.stdout.write(f"created {result.created}, changed {result.changed}")
