"""Background jobs of the worker ledger: the back office's roster import."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from gigunion.jobs.models import Job, JobFile
from gigunion.jobs.registry import JobRun, job_handler
from gigunion.jobs.services import import_job_finish, job_file_read
from gigunion.ledger.roster import roster_import
from gigunion.ledger.services import source_named
from gigunion.orgs.models import UnionOrganization


@job_handler("roster.import")
def import_roster(run: JobRun) -> dict[str, Any]:
    organization = UnionOrganization.objects.select_related("region").get(pk=run.params["organization_id"])
    job = Job.objects.select_related("created_by").get(pk=run.job_id)
    name, data = job_file_read(job_id=run.job_id, purpose=JobFile.INPUT)
    as_of = date.fromisoformat(run.params["as_of"]) if run.params.get("as_of") else None
    # One transaction: a file that cannot be read leaves no new source behind either.
    with transaction.atomic():
        source = source_named(run.params["source"], run.params["source_kind"])
        report = roster_import(
            data=data,
            filename=name,
            source=source,
            scope_prefix=organization.region_prefix,
            actor=job.created_by,
            progress=run.progress,
            as_of=as_of,
        )
    return import_job_finish(job_id=run.job_id, report=report)
