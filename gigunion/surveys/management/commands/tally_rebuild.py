from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gigunion.surveys.tally import tally_rebuild


class Command(BaseCommand):
    help = "Recompute the survey tallies (people and employer figures) from the raw tables: a repair."

    def handle(self, *args: Any, **options: Any) -> None:
        tally_rebuild()
        self.stdout.write("tallies rebuilt")
