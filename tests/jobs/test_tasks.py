from __future__ import annotations

from typing import Any

import pytest

from gigunion.core.exceptions import DomainError
from gigunion.jobs.models import Job, JobStatus
from gigunion.jobs.registry import JobRun, job_handler
from gigunion.jobs.services import job_enqueue
from gigunion.jobs.tasks import run_job
from tests.conftest import Cast


@job_handler("test.count")
def _count(run: JobRun) -> dict[str, Any]:
    rows = list(range(run.params["rows"]))
    run.set_total(len(rows))
    for _ in rows:
        run.advance()
    return {"counted": len(rows)}


@job_handler("test.refuse")
def _refuse(run: JobRun) -> dict[str, Any]:
    run.set_total(10)
    run.advance(3)
    raise DomainError("该文件不是 Excel 或 CSV。")


@job_handler("test.crash")
def _crash(run: JobRun) -> dict[str, Any]:
    raise RuntimeError("boom with a secret path /srv/x")


def enqueue(cast: Cast, kind: str, django_capture_on_commit_callbacks, **params: Any) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(
            kind=kind, created_by=cast.district_staff.user, organization_id=cast.district.pk, params=params
        )
    job.refresh_from_db()
    return job


def test_it_runs_a_job_through_the_tasks_api_and_records_progress(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    job = enqueue(cast, "test.count", django_capture_on_commit_callbacks, rows=450)
    assert (job.status, job.total, job.processed, job.percent, job.result) == (
        JobStatus.SUCCEEDED,
        450,
        450,
        100,
        {"counted": 450},
    )
    assert job.started_at is not None
    assert job.finished_at is not None


def test_it_keeps_a_domain_refusal_as_the_message(cast: Cast, django_capture_on_commit_callbacks) -> None:
    job = enqueue(cast, "test.refuse", django_capture_on_commit_callbacks)
    assert (job.status, job.message, job.total, job.processed) == (JobStatus.FAILED, "该文件不是 Excel 或 CSV。", 10, 3)


def test_it_hides_the_details_of_an_unexpected_error(cast: Cast, django_capture_on_commit_callbacks) -> None:
    job = enqueue(cast, "test.crash", django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.message == "任务因意外错误中止。"
    assert "/srv/x" not in job.message


def test_it_does_not_run_a_finished_job_twice(cast: Cast, django_capture_on_commit_callbacks) -> None:
    job = enqueue(cast, "test.count", django_capture_on_commit_callbacks, rows=5)
    finished_at = job.finished_at
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.finished_at == finished_at


def test_it_enqueues_only_when_the_transaction_commits(cast: Cast, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_enqueue(kind="test.count", created_by=None, organization_id=None, params={"rows": 1})
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # nothing ran before the commit
    callbacks[0]()  # the commit
    job.refresh_from_db()
    assert (job.status, job.result) == (JobStatus.SUCCEEDED, {"counted": 1})


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("district_staff", 200),
        ("city_staff", 200),
        ("district_viewer", 200),
        ("other_district_staff", 404),
        ("outsider", 403),
    ],
)
def test_it_shows_the_progress_page_by_jurisdiction(
    cast: Cast, django_capture_on_commit_callbacks, who: str, status: int
) -> None:
    job = enqueue(cast, "test.count", django_capture_on_commit_callbacks, rows=3)
    response = cast.client_for(getattr(cast, who)).get(f"/office/jobs/{job.pk}/")
    assert response.status_code == status


def test_it_polls_until_the_job_is_finished(cast: Cast) -> None:
    job = Job.objects.create(kind="test.count", created_by=cast.district_staff.user, total=200, processed=50)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    client = cast.client_for(cast.district_staff)
    running = client.get(f"/office/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in running
    assert '<progress max="100" value="25"' in running
    assert "进行中 · 50 / 200 · 25%" in running
    Job.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED, processed=200)
    done = client.get(f"/office/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done
    assert "已完成 · 200 / 200 · 100%" in done


def test_it_writes_messages_in_the_language_of_whoever_started_it(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    from django.utils import translation

    with translation.override("en"):
        job = enqueue(cast, "test.crash", django_capture_on_commit_callbacks)
    assert job.language == "en"
    assert job.message == "The job stopped because of an unexpected error."
