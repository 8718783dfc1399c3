"""Background jobs of the worker ledger: the back office's roster import."""

from __future__ import annotations

from datetime import date
from typing import Any

from gigunion.core.tabular import TabularError
from gigunion.jobs.models import Job, JobFile
from gigunion.jobs.registry import JobRun, job_handler
from gigunion.jobs.services import import_job_finish, job_file_read
from gigunion.ledger.models import Source
from gigunion.ledger.roster import roster_import
from gigunion.ledger.services import source_named
from gigunion.orgs.models import UnionOrganization


@job_handler("roster.import")
def import_roster(run: JobRun) -> dict[str, Any]:
    organization = UnionOrganization.objects.select_related("region").get(pk=run.params["organization_id"])
    job = Job.objects.select_related("created_by").get(pk=run.job_id)
    name, data = job_file_read(job_id=run.job_id, purpose=JobFile.INPUT)
    as_of = date.fromisoformat(run.params["as_of"]) if run.params.get("as_of") else None
    # Not one transaction around it all: the import commits as it goes (ADR 0008), and on PostgreSQL
    # a transaction over a whole large file slows every tally update. A source this job created for a
    # file that cannot be read is removed again.
    sources_before = set(Source.objects.values_list("pk", flat=True))
    source = source_named(run.params["source"], run.params["source_kind"])
    try:
        report = roster_import(
            data=data,
            filename=name,
            source=source,
            scope_prefix=organization.region_prefix,
            actor=job.created_by,
            progress=run.progress,
            as_of=as_of,
        )
    except TabularError:
        if source.pk not in sources_before:
            source.delete()
        raise
    return import_job_finish(job_id=run.job_id, report=report)
