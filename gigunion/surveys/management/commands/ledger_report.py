from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gigunion.core.exceptions import NotVisible
from gigunion.regions.selectors import region_get
from gigunion.surveys.models import SurveyRound
from gigunion.surveys.reports import report_csv


class Command(BaseCommand):
    help = (
        "Write the figures of a region's child regions by occupation as CSV (employers, unions, covered "
        "employers, workers, members, membership and founding rates): of a survey round, or current."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="the area's division code, e.g. 520100")
        parser.add_argument("--round", default="", help="a survey round's name, e.g. '2024 H1' (default: current)")
        parser.add_argument("--csv", required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            region = region_get(code=options["region"])
        except NotVisible:
            raise CommandError(f"unknown division code {options['region']}") from None
        survey_round = None
        if options["round"]:
            survey_round = SurveyRound.objects.filter(name=options["round"]).first()
            if survey_round is None:
                known = ", ".join(SurveyRound.objects.values_list("name", flat=True)) or "none"
                raise CommandError(f"unknown survey round {options['round']!r} (rounds: {known})")
        data = report_csv(region, survey_round)
        try:
            Path(options["csv"]).write_bytes(data)
        except OSError as error:
            raise CommandError(f"cannot write {options['csv']}: {error}") from None
        scope = survey_round.name if survey_round is not None else "current"
        rows = len(data.splitlines()) - 1
        self.stdout.write(f"wrote {rows} rows for {region.code} ({scope}) to {options['csv']}")
