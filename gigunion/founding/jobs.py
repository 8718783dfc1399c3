"""Background jobs of the registry: the back office's enterprise and union imports, and worklist refreshes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gigunion.core.imports import ImportReport, ProgressCallback
from gigunion.enterprises.services import enterprises_import
from gigunion.founding.imports import unions_import
from gigunion.founding.services import worklist_refresh
from gigunion.jobs.models import JobFile
from gigunion.jobs.registry import JobRun, job_handler
from gigunion.jobs.services import import_job_finish, job_file_read
from gigunion.orgs.models import UnionOrganization

Importer = Callable[[bytes, str, UnionOrganization, ProgressCallback], ImportReport]


def _run_import(run: JobRun, importer: Importer) -> dict[str, Any]:
    organization = UnionOrganization.objects.select_related("region").get(pk=run.params["organization_id"])
    name, data = job_file_read(job_id=run.job_id, purpose=JobFile.INPUT)
    report = importer(data, name, organization, run.progress)
    worklist_refresh(region_prefix=organization.region_prefix)
    return import_job_finish(job_id=run.job_id, report=report)


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
