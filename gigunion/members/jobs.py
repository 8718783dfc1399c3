"""Background jobs of membership: the back office's member-list import."""

from __future__ import annotations

import io
from typing import Any

from gigunion.core.tabular import write_errors_csv
from gigunion.jobs.models import Job, JobFile
from gigunion.jobs.registry import JobRun, job_handler
from gigunion.jobs.services import job_file_delete, job_file_read, job_file_save
from gigunion.members.imports import members_import
from gigunion.orgs.models import UnionOrganization

ERRORS_SHOWN = 20  # rejected rows listed on the job page; the rest are in the downloadable report


@job_handler("members.import")
def import_members(run: JobRun) -> dict[str, Any]:
    organization = UnionOrganization.objects.select_related("region").get(pk=run.params["organization_id"])
    job = Job.objects.select_related("created_by").get(pk=run.job_id)
    name, data = job_file_read(job_id=run.job_id, purpose=JobFile.INPUT)
    report = members_import(data=data, filename=name, scope=organization, progress=run.progress, actor=job.created_by)
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
