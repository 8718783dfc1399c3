from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from gigunion.core.exceptions import DomainError
from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.management.importing import ImportCommand
from gigunion.core.tabular import TabularError
from gigunion.orgs.models import StaffRole
from gigunion.stations.imports import STATION_COLUMNS, acting_union, organization_jurisdiction, stations_import


def columns_help(columns: Any) -> str:
    return "; ".join(f"{column.header} ({column.key}{', required' if column.required else ''})" for column in columns)


class Command(ImportCommand):
    help = (
        "Import a station list (服务站点, FORMATS.md) from CSV or XLSX: stations are matched by region and name, "
        "GCJ-02 and BD-09 coordinates are stored as WGS-84. Safe to run again. Columns: "
        + columns_help(STATION_COLUMNS)
        + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--union",
            default="",
            help="code or exact name of the union acting: its region bounds the file and it is responsible for "
            "new stations (default: the top of the union tree, all regions)",
        )

    def run_import(self, *, data: bytes, filename: str, progress: ProgressCallback, **options: Any) -> ImportReport:
        try:
            jurisdiction = organization_jurisdiction(acting_union(options["union"]), StaffRole.ADMIN)
            return stations_import(data=data, filename=filename, jurisdiction=jurisdiction, progress=progress)
        except TabularError:
            raise
        except DomainError as error:
            raise CommandError(error.message) from error
