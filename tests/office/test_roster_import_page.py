"""The back office's roster import (/office/imports/roster/): the page, the background job, its report."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import date, timedelta
from io import BytesIO
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation

from gigunion.core.models import AuditAction, AuditEvent
from gigunion.jobs.models import Job, JobStatus
from gigunion.ledger.models import RosterBatch, Sighting, Source, SourceKind, Worker
from gigunion.orgs.models import StaffAccount
from tests.conftest import Cast
from tests.people import id_with_check

pytestmark = pytest.mark.django_db

HEADERS = "姓名,身份证号,手机号,职业,平台,平台工号,用工单位,用工单位统一社会信用代码,工作地区划代码,在岗"
A = id_with_check("52010219900307101")
B = id_with_check("52010319850611202")
C = id_with_check("52010219921201303")
D = id_with_check("52010219950501404")
ROWS = [
    f"王小明,{A},13985101001,网约送餐员,美团,MT001,,,520102,是",  # 2: 南明区
    f"李娟,{B},13985101002,快递员,,,,,520103,是",  # 3: 云岩区, outside 南明区
    f"张伟,{C},123,货车司机,,,,,520102,否",  # 4: a bad phone
]
OUTSIDE = "This region is outside your jurisdiction."
PHONE = "A mobile number has 11 digits and begins with 13 to 19."


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def client_for(cast: Cast, who: StaffAccount | User | None) -> Client:
    """A logged-in client asking for English pages: the job writes its messages in English too."""
    client = cast.client_for(who)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(*rows: str) -> BytesIO:
    file = BytesIO(("\n".join([HEADERS, *rows]) + "\n").encode("gbk"))
    file.name = "用工人员名册.csv"
    return file


def text(response: Any) -> str:
    content: bytes = response.content
    return html.unescape(content.decode())


def post(client: Client, capture: Any, **data: Any) -> Any:
    form = {"source": "南明区交通运输局", "kind": "department", "as_of": "2026-01-31", "file": upload(*ROWS)}
    form.update(data)
    with capture(execute=True):
        return client.post("/office/imports/roster/", form)


def test_an_operator_imports_a_roster_inside_their_jurisdiction_and_gets_the_rejected_rows(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast, cast.district_staff)

    response = post(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/office/jobs/{job.pk}/"
    assert (job.kind, job.status, job.organization_id) == ("roster.import", JobStatus.SUCCEEDED, cast.district.pk)
    assert (job.processed, job.total) == (3, 3)
    assert job.result["summary"] == "imported 1, updated 0, unchanged 0, rejected 2"
    assert job.result["errors"] == [[3, "工作地区划代码", OUTSIDE], [4, "手机号", PHONE]]
    assert list(Worker.objects.values_list("name", "work_region_id")) == [("王小明", "520102")]
    source = Source.objects.get()
    assert (source.name, source.kind) == ("南明区交通运输局", SourceKind.DEPARTMENT)
    batch = RosterBatch.objects.get()
    assert (batch.source, batch.as_of, batch.created_by, batch.imported, batch.rejected) == (
        source,
        date(2026, 1, 31),
        cast.district_staff.user,
        1,
        2,
    )
    assert AuditEvent.objects.filter(action=AuditAction.ROSTER_IMPORTED, actor=cast.district_staff.user).count() == 1

    page = text(client.get(response["Location"]))
    assert "Import a worker roster" in page
    assert "Download the rejected rows (CSV)" in page
    assert OUTSIDE in page
    report = client.get(f"/office/jobs/{job.pk}/errors.csv")
    assert report.status_code == 200
    assert report.content.decode("utf-8-sig").splitlines() == [
        "row,column,message",
        f"3,工作地区划代码,{OUTSIDE}",
        f"4,手机号,{PHONE}",
    ]
    # Another district cannot see the job or its report.
    other = client_for(cast, cast.other_district_staff)
    assert other.get(f"/office/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/office/jobs/{job.pk}/errors.csv").status_code == 404

    # The same file again changes nothing; the source is found by its name.
    post(client, django_capture_on_commit_callbacks, kind="survey")
    again = Job.objects.exclude(pk=job.pk).get()
    assert again.result["summary"] == "imported 0, updated 0, unchanged 1, rejected 2"
    assert Source.objects.get().kind == SourceKind.DEPARTMENT
    assert Sighting.objects.count() == 1


def test_the_city_takes_both_districts_and_the_date_defaults_to_today(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast, cast.city_staff)
    post(client, django_capture_on_commit_callbacks, as_of="", source="美团", kind="platform")
    job = Job.objects.get()
    assert job.result["summary"] == "imported 2, updated 0, unchanged 0, rejected 1"
    assert RosterBatch.objects.get().as_of == timezone.localdate()


def test_the_progress_bar_moves_while_the_rows_are_written(
    cast: Cast, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gigunion.jobs.registry as registry
    import gigunion.jobs.services as job_services
    import gigunion.ledger.roster as roster

    monkeypatch.setattr(roster, "CHUNK", 1)
    monkeypatch.setattr(registry, "PROGRESS_EVERY", 1)
    seen: list[int] = []
    original = job_services.job_progress

    def spy(*, job_id: Any, processed: int, total: int | None = None) -> None:
        seen.append(processed)
        original(job_id=job_id, processed=processed, total=total)

    monkeypatch.setattr("gigunion.jobs.registry.job_progress", spy)
    client = client_for(cast, cast.district_staff)
    valid = [ROWS[0], ROWS[0].replace(A, C).replace("MT001", "MT003"), ROWS[0].replace(A, D).replace("MT001", "MT004")]
    post(client, django_capture_on_commit_callbacks, file=upload(*valid))
    job = Job.objects.get()
    assert list(dict.fromkeys(seen)) == [1, 2, 3]  # one step per chunk written
    assert (job.processed, job.total, job.percent) == (3, 3, 100)
    partial = text(client.get(f"/office/jobs/{job.pk}/", HTTP_HX_REQUEST="true"))
    assert "3 of 3" in partial
    assert "hx-trigger" not in partial  # finished: the bar stops polling


def test_viewers_outsiders_and_anonymous_visitors_cannot_import(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    viewer = client_for(cast, cast.district_viewer)
    assert post(viewer, django_capture_on_commit_callbacks).status_code == 403
    page = text(viewer.get("/office/imports/roster/"))
    assert "Your role may look but not change." in page
    assert 'type="file"' not in page
    assert post(client_for(cast, cast.outsider), django_capture_on_commit_callbacks).status_code == 403
    assert client_for(cast, cast.outsider).get("/office/imports/roster/").status_code == 403
    anonymous = post(Client(), django_capture_on_commit_callbacks)
    assert (anonymous.status_code, anonymous["Location"].startswith("/office/login/")) == (302, True)
    assert (Job.objects.count(), Source.objects.count(), Worker.objects.count()) == (0, 0, 0)


def test_the_source_and_the_date_are_checked_before_anything_is_queued(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast, cast.district_staff)
    page = text(client.get("/office/imports/roster/"))
    for field in ('name="source"', 'name="kind"', 'name="as_of"', 'type="file"', "工作地区划代码"):
        assert field in page

    blank = post(client, django_capture_on_commit_callbacks, source="  ")
    assert blank.status_code == 400
    assert "This field is required." in text(blank)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    future = post(client, django_capture_on_commit_callbacks, as_of=tomorrow)
    assert future.status_code == 400
    assert "The roster cannot describe a day in the future." in text(future)
    unknown_kind = post(client, django_capture_on_commit_callbacks, kind="robot")
    assert unknown_kind.status_code == 400
    no_file = client.post("/office/imports/roster/", {"source": "x", "kind": "other"})
    assert no_file.status_code == 400
    assert "Choose a CSV or XLSX file." in text(no_file)
    assert (Job.objects.count(), Source.objects.count()) == (0, 0)


def test_an_unreadable_file_fails_the_job_and_writes_nothing(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast, cast.district_staff)
    broken = BytesIO(f"姓名,身份证号\n张三,{A}\n".encode())
    broken.name = "broken.csv"
    post(client, django_capture_on_commit_callbacks, file=broken, source="新来源")
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.message == "Required columns are missing: 职业, 工作地区划代码."
    assert (Source.objects.count(), Worker.objects.count(), RosterBatch.objects.count()) == (0, 0, 0)


def test_an_unreadable_file_keeps_a_source_that_was_there_before(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    from gigunion.ledger.services import source_named

    before = source_named("邮政管理局", "department")
    client = client_for(cast, cast.district_staff)
    broken = BytesIO(f"姓名,身份证号\n张三,{A}\n".encode())
    broken.name = "broken.csv"
    post(client, django_capture_on_commit_callbacks, file=broken, source="邮政管理局")
    assert Job.objects.get().status == JobStatus.FAILED
    assert list(Source.objects.values_list("pk", "name")) == [(before.pk, "邮政管理局")]


def test_the_templates_have_the_roster_columns(cast: Cast) -> None:
    client = client_for(cast, cast.district_viewer)
    csv_template = client.get("/office/imports/roster/template.csv")
    assert csv_template.status_code == 200
    assert csv_template.content.decode("utf-8-sig").strip() == HEADERS
    xlsx_template = client.get("/office/imports/roster/template.xlsx")
    assert xlsx_template.status_code == 200
    assert "%E7%94%A8%E5%B7%A5%E4%BA%BA%E5%91%98%E5%90%8D%E5%86%8C" in xlsx_template["Content-Disposition"]
    sheet = openpyxl.load_workbook(BytesIO(xlsx_template.content)).worksheets[0]
    assert [cell.value for cell in next(sheet.iter_rows())] == HEADERS.split(",")
