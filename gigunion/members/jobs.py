"""Background jobs of membership: the back office's member-list import."""

from __future__ import annotations

from typing import Any

from gigunion.jobs.models import Job, JobFile
from gigunion.jobs.registry import JobRun, job_handler
from gigunion.jobs.services import import_job_finish, job_file_read
from gigunion.members.imports import members_import
from gigunion.orgs.models import UnionOrganization


@job_handler("members.import")
def import_members(run: JobRun) -> dict[str, Any]:
    organization = UnionOrganization.objects.select_related("region").get(pk=run.params["organization_id"])
    job = Job.objects.select_related("created_by").get(pk=run.job_id)
    name, data = job_file_read(job_id=run.job_id, purpose=JobFile.INPUT)
    report = members_import(data=data, filename=name, scope=organization, progress=run.progress, actor=job.created_by)
    return import_job_finish(job_id=run.job_id, report=report)
