from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.models import User
from django.utils import timezone

from gigunion.jobs.models import Job, JobStatus
from gigunion.orgs.models import UnionOrganization


def job_create(*, kind: str, created_by: User | None, organization: UnionOrganization | None, total: int = 0) -> Job:
    return Job.objects.create(kind=kind, created_by=created_by, organization=organization, total=total)


def job_start(*, job_id: UUID, total: int) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, total=total, processed=0, started_at=timezone.now())


def job_progress(*, job_id: UUID, processed: int) -> None:
    """Record progress; called every few hundred rows, one UPDATE each."""
    job = Job.objects.only("total").get(pk=job_id)
    Job.objects.filter(pk=job_id).update(processed=min(processed, job.total))


def job_succeed(*, job_id: UUID, result: dict[str, Any], message: str = "") -> None:
    job = Job.objects.only("total").get(pk=job_id)
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED, processed=job.total, result=result, message=message, finished_at=timezone.now()
    )


def job_fail(*, job_id: UUID, message: str) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, message=message, finished_at=timezone.now())
