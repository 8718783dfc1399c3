"""Background jobs of stations: the back office's station-list and demand-hotspot imports."""

from __future__ import annotations

from typing import Any

from gigunion.jobs.models import Job, JobFile
from gigunion.jobs.registry import JobRun, job_handler
from gigunion.jobs.services import import_job_finish, job_file_read
from gigunion.orgs.models import UnionOrganization
from gigunion.stations.imports import hotspots_import, organization_jurisdiction, stations_import


def _inputs(run: JobRun) -> tuple[UnionOrganization, Job, str, bytes]:
    organization = UnionOrganization.objects.select_related("region").get(pk=run.params["organization_id"])
    job = Job.objects.select_related("created_by").get(pk=run.job_id)
    name, data = job_file_read(job_id=run.job_id, purpose=JobFile.INPUT)
    return organization, job, name, data


@job_handler("stations.import")
def import_stations(run: JobRun) -> dict[str, Any]:
    organization, job, name, data = _inputs(run)
    report = stations_import(
        data=data,
        filename=name,
        jurisdiction=organization_jurisdiction(organization),
        actor=job.created_by,
        progress=run.progress,
    )
    return import_job_finish(job_id=run.job_id, report=report)


@job_handler("hotspots.import")
def import_hotspots(run: JobRun) -> dict[str, Any]:
    organization, job, name, data = _inputs(run)
    report = hotspots_import(
        data=data,
        filename=name,
        jurisdiction=organization_jurisdiction(organization),
        actor=job.created_by,
        progress=run.progress,
    )
    return import_job_finish(job_id=run.job_id, report=report)
