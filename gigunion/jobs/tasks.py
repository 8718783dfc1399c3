from __future__ import annotations

import logging
from uuid import UUID

from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from gigunion.core.exceptions import DomainError
from gigunion.jobs import services
from gigunion.jobs.models import Job, JobStatus
from gigunion.jobs.registry import JobRun, handler_for

logger = logging.getLogger(__name__)


@task()
def run_job(job_id: str) -> None:
    """Run one queued job through its registered handler, recording the outcome on the Job row."""
    job = Job.objects.filter(pk=UUID(job_id), status=JobStatus.QUEUED).first()
    if job is None:  # already run (a retried delivery) or gone: running twice must be harmless
        return
    services.job_start(job_id=job.pk, total=job.total)
    run = JobRun(job)
    with translation.override(job.language):
        try:
            result = handler_for(job.kind)(run)
        except DomainError as error:
            run.flush()
            services.job_fail(job_id=job.pk, message=error.message)
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            run.flush()
            services.job_fail(job_id=job.pk, message=_("The job stopped because of an unexpected error."))
        else:
            services.job_succeed(job_id=job.pk, result=result)
