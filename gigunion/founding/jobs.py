"""Background jobs of the registry: the back office's enterprise and union imports, and worklist refreshes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.core.tabular import write_errors_csv
from gigunion.enterprises.services import enterprises_import
from gigunion.founding.imports import unions_import
from gigunion.founding.services import worklist_refresh
from gigunion.jobs.models import JobFile
from gigunion.jobs.registry import JobRun, job_handler
from gigunion.jobs.services import job_file_delete, job_file_read, job_file_save
from gigunion.orgs.models import UnionOrganization

ERRORS_SHOWN = 20  # rejected rows listed on the job page; the rest are in the downloadable report

Importer = Callable[[bytes, str, UnionOrganization, ProgressCallback], ImportReport]


def _run_import(run: JobRun, importer: Importer) -> dict[str, Any]:
    organization = UnionOrganization.objects.select_related("region").get(pk=run.params["organization_id"])
    name, data = job_file_read(job_id=run.job_id, purpose=JobFile.INPUT)
    report = importer(data, name, organization, run.progress)
    worklist_refresh(region_prefix=organization.region_prefix)
    if report.errors:
        stream = io.StringIO()
        write_errors_csv(report.errors, stream)
        job_file_save(
            job_id=run.job_id,
            purpose=JobFile.ERRORS,
            name="rejected-rows.csv",
            data=stream.getvalue().encode("utf-8-sig"),  # with a BOM, Excel opens it as UTF-8
            content_type="text/csv; charset=utf-8",
        )
    job_file_delete(job_id=run.job_id, purpose=JobFile.INPUT)
    return {
        "imported": report.imported,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "summary": report.summary_line(),
        "warnings": report.warnings,
        "errors": [[error.row, error.column, error.message] for error in report.errors[:ERRORS_SHOWN]],
        "more_errors": max(len(report.errors) - ERRORS_SHOWN, 0),
    }


@job_handler("enterprises.import")
def import_enterprises(run: JobRun) -> dict[str, Any]:
    return _run_import(
        run,
        lambda data, name, organization, progress: enterprises_import(
            data=data, filename=name, region_prefix=organization.region_prefix, progress=progress
        ),
    )


@job_handler("unions.import")
def import_unions(run: JobRun) -> dict[str, Any]:
    return _run_import(
        run,
        lambda data, name, organization, progress: unions_import(
            data=data, filename=name, scope=organization, progress=progress
        ),
    )


@job_handler("worklist.refresh")
def refresh_worklist(run: JobRun) -> dict[str, Any]:
    organization = UnionOrganization.objects.select_related("region").get(pk=run.params["organization_id"])
    result = worklist_refresh(region_prefix=organization.region_prefix)
    return {"created": result.created, "changed": result.changed}
