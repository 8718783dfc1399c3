"""Job progress bookkeeping (gigunion.jobs.services)."""

from __future__ import annotations

import pytest

from gigunion.jobs.models import Job, JobStatus
from gigunion.jobs.services import job_create, job_fail, job_progress, job_start, job_succeed

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(cast) -> Job:
    return job_create(kind="members.import", created_by=cast.district_staff.user, organization_id=cast.district.pk)


def reload(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


def test_a_new_job_is_queued_at_zero(job, cast):
    stored = reload(job)

    assert stored.status == JobStatus.QUEUED
    assert stored.kind == "members.import"
    assert stored.created_by == cast.district_staff.user
    assert stored.organization == cast.district
    assert (stored.processed, stored.total, stored.percent) == (0, 0, 0)
    assert stored.is_finished is False
    assert stored.started_at is None


def test_it_goes_from_0_to_40_to_100_percent(job):
    job_start(job_id=job.pk, total=100)
    started = reload(job)
    assert (started.status, started.percent, started.processed, started.total) == (JobStatus.RUNNING, 0, 0, 100)
    assert started.started_at is not None
    assert started.is_finished is False

    job_progress(job_id=job.pk, processed=40)
    assert reload(job).percent == 40
    assert reload(job).processed == 40

    job_succeed(job_id=job.pk, result={"created": 100}, message="done")
    finished = reload(job)
    assert finished.status == JobStatus.SUCCEEDED
    assert finished.percent == 100
    assert finished.processed == finished.total == 100
    assert finished.result == {"created": 100}
    assert finished.message == "done"
    assert finished.is_finished is True
    assert finished.finished_at is not None


def test_percent_rounds_down(job):
    job_start(job_id=job.pk, total=3)
    job_progress(job_id=job.pk, processed=2)

    assert reload(job).percent == 66


def test_progress_beyond_the_total_is_clamped(job):
    job_start(job_id=job.pk, total=100)

    job_progress(job_id=job.pk, processed=250)

    stored = reload(job)
    assert stored.processed == 100
    assert stored.percent == 100
    assert stored.status == JobStatus.RUNNING


def test_a_failed_job_keeps_its_message(job):
    job_start(job_id=job.pk, total=100)
    job_progress(job_id=job.pk, processed=40)

    job_fail(job_id=job.pk, message="第3行：身份证号码校验位错误")

    stored = reload(job)
    assert stored.status == JobStatus.FAILED
    assert stored.message == "第3行：身份证号码校验位错误"
    assert stored.is_finished is True
    assert stored.finished_at is not None
    assert stored.processed == 40
    assert stored.percent == 40


def test_an_empty_job_succeeds_at_100_percent():
    job = job_create(kind="export", created_by=None, organization_id=None)
    job_start(job_id=job.pk, total=0)
    assert reload(job).percent == 0

    job_succeed(job_id=job.pk, result={})

    stored = reload(job)
    assert (stored.processed, stored.total, stored.percent) == (0, 0, 100)
    assert stored.message == ""


def test_progress_reported_inside_a_transaction_is_seen_before_it_ends(job, cast):
    from django.db import transaction
    from django.test import Client

    from gigunion.jobs.registry import JobRun

    job_start(job_id=job.pk, total=0)
    run = JobRun(reload(job))
    with transaction.atomic():
        run.progress(400, 1000)  # an import reports from inside the transaction holding its rows
        # What another process reads: the row as last committed, i.e. before this transaction.
        transaction.set_rollback(True)
    assert (reload(job).processed, reload(job).total) == (0, 0)

    client = Client()
    client.force_login(cast.district_staff.user)
    partial = client.get(f"/office/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "400 / 1000 · 40%" in partial
    assert 'value="40"' in partial

    job_succeed(job_id=job.pk, result={})  # finished: the row's figures count, the cache is gone
    assert 'value="100"' in client.get(f"/office/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
