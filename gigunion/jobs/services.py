from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone, translation

from gigunion.jobs.models import Job, JobStatus


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


def job_enqueue(
    *, kind: str, created_by: User | None, organization_id: int | None, params: dict[str, Any] | None = None
) -> Job:
    """Create a job and hand it to the task backend once the surrounding transaction commits."""
    from gigunion.jobs.tasks import run_job

    job = job_create(kind=kind, created_by=created_by, organization_id=organization_id, params=params)
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


def job_start(*, job_id: UUID, total: int) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, total=total, processed=0, started_at=timezone.now())


def job_progress(*, job_id: UUID, processed: int) -> None:
    """Record progress, never past the total; one UPDATE."""
    Job.objects.filter(pk=job_id).update(processed=Least(processed, F("total")))


def job_succeed(*, job_id: UUID, result: dict[str, Any], message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED, processed=F("total"), result=result, message=message, finished_at=timezone.now()
    )


def job_fail(*, job_id: UUID, message: str) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, message=message, finished_at=timezone.now())
