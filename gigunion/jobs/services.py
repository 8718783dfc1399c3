from __future__ import annotations

import io
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone, translation

from gigunion.core.imports import ImportReport
from gigunion.core.tabular import write_errors_csv
from gigunion.jobs.models import Job, JobFile, JobStatus


def job_create(
    *,
    kind: str,
    created_by: User | None,
    organization_id: int | None,
    total: int = 0,
    params: dict[str, Any] | None = None,
) -> Job:
    return Job.objects.create(
        kind=kind,
        created_by=created_by,
        organization_id=organization_id,
        total=total,
        params=params or {},
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


@transaction.atomic
def job_enqueue(
    *,
    kind: str,
    created_by: User | None,
    organization_id: int | None,
    params: dict[str, Any] | None = None,
    input_file: tuple[str, bytes] | None = None,
) -> Job:
    """Create a job (with its input file) and hand it to the task backend once the transaction commits."""
    from gigunion.jobs.tasks import run_job

    job = job_create(kind=kind, created_by=created_by, organization_id=organization_id, params=params)
    if input_file is not None:
        job_file_save(job_id=job.pk, purpose=JobFile.INPUT, name=input_file[0], data=input_file[1])
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def job_file_save(*, job_id: UUID, purpose: str, name: str, data: bytes, content_type: str = "") -> JobFile:
    job_file, _created = JobFile.objects.update_or_create(
        job_id=job_id,
        purpose=purpose,
        defaults={"name": name, "data": data, "content_type": content_type or "application/octet-stream"},
    )
    return job_file


def job_file_read(*, job_id: UUID, purpose: str) -> tuple[str, bytes]:
    job_file = JobFile.objects.get(job_id=job_id, purpose=purpose)
    return job_file.name, bytes(job_file.data)


def job_file_delete(*, job_id: UUID, purpose: str) -> None:
    JobFile.objects.filter(job_id=job_id, purpose=purpose).delete()


def job_start(*, job_id: UUID, total: int) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, total=total, processed=0, started_at=timezone.now())


# Progress also goes to a cache shared by the processes (settings.CACHES["progress"]): an import writes
# inside its own transaction, where the UPDATE of the job's row stays unseen until the end.
_PROGRESS_SECONDS = 24 * 3600


def _progress_key(job_id: UUID) -> str:
    return f"job:{job_id}"


def job_set_total(*, job_id: UUID, total: int) -> None:
    """Record how much work a job has (and none of it done yet)."""
    Job.objects.filter(pk=job_id).update(total=total, processed=0)
    caches["progress"].set(_progress_key(job_id), (0, total), _PROGRESS_SECONDS)


def job_progress(*, job_id: UUID, processed: int, total: int | None = None) -> None:
    """Record progress, never past the total: one UPDATE, and the progress cache (seen at once)."""
    Job.objects.filter(pk=job_id).update(processed=Least(processed, F("total")))
    if total is not None:
        caches["progress"].set(_progress_key(job_id), (min(processed, total), total), _PROGRESS_SECONDS)


def job_live(job: Job) -> Job:
    """The job with the progress reported so far, though the work's transaction has not ended yet."""
    if job.is_finished:
        return job
    reported = caches["progress"].get(_progress_key(job.pk))
    if reported is not None:
        processed, total = reported
        if total != job.total or processed > job.processed:
            job.processed, job.total = processed, total
    return job


def job_succeed(*, job_id: UUID, result: dict[str, Any], message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED, processed=F("total"), result=result, message=message, finished_at=timezone.now()
    )
    caches["progress"].delete(_progress_key(job_id))


def job_fail(*, job_id: UUID, message: str) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, message=message, finished_at=timezone.now())
    caches["progress"].delete(_progress_key(job_id))


ERRORS_SHOWN = 20  # rejected rows listed on an import's job page; the rest are in the downloadable report


def import_job_finish(*, job_id: UUID, report: ImportReport) -> dict[str, Any]:
    """End an import job: keep the rejected rows as a CSV report, drop the uploaded file, and return
    the result the job page shows (counts, summary line, the first rejected rows)."""
    if report.errors:
        stream = io.StringIO()
        write_errors_csv(report.errors, stream)
        job_file_save(
            job_id=job_id,
            purpose=JobFile.ERRORS,
            name="rejected-rows.csv",
            data=stream.getvalue().encode("utf-8-sig"),  # with a BOM, Excel opens it as UTF-8
            content_type="text/csv; charset=utf-8",
        )
    job_file_delete(job_id=job_id, purpose=JobFile.INPUT)
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
