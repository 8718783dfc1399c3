"""The back office's station and hotspot imports (/office/imports/stations/, /office/imports/hotspots/)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from gigunion.core.models import AuditAction, AuditEvent
from gigunion.jobs.models import Job, JobStatus
from gigunion.orgs.models import StaffAccount
from gigunion.stations.models import Hotspot, Station, StationStatus
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

HEADERS = "站点名称,类型,区划代码,地址,经度,纬度,坐标系,开放时间,服务项目,联系人,联系电话,星级,依托单位,状态"
ROWS = [
    "花果园户外劳动者服务站,户外劳动者服务站点,520102,花果园大街1号,106.7135,26.5783,,08:00-20:00,休息、充电,,,4,工商银行,开放",
    "云岩司机之家,司机之家,520103,,106.71,26.60,,24小时,充电,,,,,",  # 3: 云岩区, outside 南明区
    "小河爱心小站,爱心小站,520102,,106.6993,26.5521,,9点-18点,饮水,,,,,",  # 4: malformed hours
]
OUTSIDE = "云岩区 (520103) is outside your jurisdiction."
HOURS = "Opening hours “9点-18点” are not like 08:00-20:00 or 24小时."
HOTSPOT_HEADERS = "名称,区划代码,经度,纬度,坐标系,劳动者数,来源"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def client_for(cast: Cast, who: StaffAccount | User | None) -> Client:
    """A logged-in client asking for English pages: the job writes its messages in English too."""
    client = cast.client_for(who)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(*rows: str, headers: str = HEADERS, name: str = "服务站点.csv") -> BytesIO:
    file = BytesIO(("\n".join([headers, *rows]) + "\n").encode("gbk"))
    file.name = name
    return file


def text(response: Any) -> str:
    content: bytes = response.content
    return html.unescape(content.decode())


def post(client: Client, capture: Any, kind: str = "stations", file: BytesIO | None = None) -> Any:
    with capture(execute=True):
        return client.post(f"/office/imports/{kind}/", {"file": file or upload(*ROWS)})


def test_an_operator_imports_stations_in_the_background_and_gets_the_rejected_rows(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast, cast.district_staff)
    page = text(client.get("/office/imports/stations/"))
    for expected in ("Import stations", 'type="file"', "站点名称", "坐标系", "GCJ02（高德、腾讯地图）", "依托单位"):
        assert expected in page

    response = post(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/office/jobs/{job.pk}/"
    assert (job.kind, job.status, job.organization_id, job.created_by) == (
        "stations.import",
        JobStatus.SUCCEEDED,
        cast.district.pk,
        cast.district_staff.user,
    )
    assert (job.processed, job.total) == (3, 3)
    assert job.result["summary"] == "imported 1, updated 0, unchanged 0, rejected 2"
    assert job.result["errors"] == [[3, "区划代码", OUTSIDE], [4, "开放时间", HOURS]]
    station = Station.objects.get()
    assert (station.name, station.stars, station.status, station.organization_id, station.created_by) == (
        "花果园户外劳动者服务站",
        4,
        StationStatus.OPEN,
        cast.district.pk,
        cast.district_staff.user,
    )
    event = AuditEvent.objects.get(action=AuditAction.STATIONS_IMPORTED)
    assert (event.actor, event.region_code, event.details["rejected"]) == (cast.district_staff.user, "520102", 2)

    progress = text(client.get(response["Location"]))
    assert "Import stations" in progress
    assert "Download the rejected rows (CSV)" in progress
    assert OUTSIDE in progress
    report = client.get(f"/office/jobs/{job.pk}/errors.csv")
    assert report.status_code == 200
    assert report.content.decode("utf-8-sig").splitlines() == [
        "row,column,message",
        f"3,区划代码,{OUTSIDE}",
        f"4,开放时间,{HOURS}",
    ]
    other = client_for(cast, cast.other_district_staff)
    assert other.get(f"/office/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/office/jobs/{job.pk}/errors.csv").status_code == 404

    # The same file again changes nothing.
    post(client, django_capture_on_commit_callbacks)
    again = Job.objects.exclude(pk=job.pk).get()
    assert again.result["summary"] == "imported 0, updated 0, unchanged 1, rejected 2"
    assert Station.objects.count() == 1


def test_an_unreadable_file_fails_the_job_and_writes_nothing(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(cast, cast.district_staff)
    post(
        client, django_capture_on_commit_callbacks, file=upload("站,爱心小站,520102", headers="站点名称,类型,区划代码")
    )
    job = Job.objects.get()
    assert (job.status, job.message) == (JobStatus.FAILED, "Required columns are missing: 经度, 纬度.")
    assert (Station.objects.count(), AuditEvent.objects.filter(action=AuditAction.STATIONS_IMPORTED).count()) == (0, 0)


@pytest.mark.parametrize("kind", ["stations", "hotspots"])
def test_viewers_outsiders_and_anonymous_visitors_cannot_import(
    cast: Cast, django_capture_on_commit_callbacks: Any, kind: str
) -> None:
    viewer = client_for(cast, cast.district_viewer)
    assert post(viewer, django_capture_on_commit_callbacks, kind).status_code == 403
    page = text(viewer.get(f"/office/imports/{kind}/"))
    assert "Your role may look but not change." in page
    assert 'type="file"' not in page
    outsider = client_for(cast, cast.outsider)
    assert post(outsider, django_capture_on_commit_callbacks, kind).status_code == 403
    assert outsider.get(f"/office/imports/{kind}/").status_code == 403
    assert outsider.get(f"/office/imports/{kind}/template.csv").status_code == 403
    anonymous = post(Client(), django_capture_on_commit_callbacks, kind)
    assert (anonymous.status_code, anonymous["Location"].startswith("/office/login/")) == (302, True)
    assert (Job.objects.count(), Station.objects.count(), Hotspot.objects.count()) == (0, 0, 0)


def test_the_templates_have_the_station_columns_and_notes(cast: Cast) -> None:
    client = client_for(cast, cast.district_viewer)
    csv_template = client.get("/office/imports/stations/template.csv")
    assert csv_template.status_code == 200
    assert csv_template.content.decode("utf-8-sig").strip() == HEADERS
    xlsx_template = client.get("/office/imports/stations/template.xlsx")
    assert xlsx_template.status_code == 200
    assert "%E6%9C%8D%E5%8A%A1%E7%AB%99%E7%82%B9" in xlsx_template["Content-Disposition"]  # 服务站点
    workbook = openpyxl.load_workbook(BytesIO(xlsx_template.content))
    assert [cell.value for cell in next(workbook.worksheets[0].iter_rows())] == HEADERS.split(",")
    notes = {row[0]: row for row in workbook["说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["类型"] == ("类型", "kind", "是", "户外劳动者服务站点、司机之家、爱心小站、健康小站")
    assert notes["状态"][2:] == ("否", "开放、暂停开放或已关闭；留空时新站点为开放，已有站点不变")


def test_an_operator_imports_demand_hotspots(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    client = client_for(cast, cast.district_staff)
    page = text(client.get("/office/imports/hotspots/"))
    for expected in ("Import demand hotspots", "劳动者数", "用作覆盖率的权重"):
        assert expected in page
    template = client.get("/office/imports/hotspots/template.csv")
    assert template.content.decode("utf-8-sig").strip() == HOTSPOT_HEADERS

    rows = ["花果园商圈,520102,106.7135,26.5783,,1200,平台数据", "云岩商圈,520103,106.71,26.60,,300,"]
    response = post(client, django_capture_on_commit_callbacks, "hotspots", upload(*rows, headers=HOTSPOT_HEADERS))

    job = Job.objects.get()
    assert response["Location"] == f"/office/jobs/{job.pk}/"
    assert (job.kind, job.status) == ("hotspots.import", JobStatus.SUCCEEDED)
    assert job.result["summary"] == "imported 1, updated 0, unchanged 0, rejected 1"
    assert job.result["errors"] == [[3, "区划代码", OUTSIDE]]
    assert list(Hotspot.objects.values_list("name", "weight", "organization_id")) == [
        ("花果园商圈", 1200, cast.district.pk)
    ]
    assert "Import demand hotspots" in text(client.get(response["Location"]))
