"""import_stations and import_hotspots: the FORMATS.md command contract — counts line, --errors, exit codes."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gigunion.core.models import AuditAction, AuditEvent
from gigunion.orgs.models import UnionOrganization
from gigunion.stations.management.commands.import_hotspots import Command as HotspotsCommand
from gigunion.stations.management.commands.import_stations import Command
from gigunion.stations.models import Hotspot, Station, StationStatus
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

HEADERS = "站点名称,类型,区划代码,地址,经度,纬度,坐标系,开放时间,服务项目,联系人,联系电话,星级"
BODY = [
    "花果园户外劳动者服务站,户外劳动者服务站点,520102,花果园大街1号,106.7135,26.5783,,08:00-20:00,休息、充电,王芳,0851-85551234,4",
    # 3: 天安门 as 高德 shows it (GCJ-02 39.91010, 116.40375 ≈ WGS-84 39.9087, 116.3975)
    "天安门爱心驿站,爱心小站,110101,,116.40375,39.91010,GCJ02,24小时,饮水,,,",
    "云岩司机之家,司机之家,520103,,106.71,26.60,,全天,洗浴,,,9",  # 4: bad stars
    "无名之地,健康小站,520102,,26.57,106.71,,,,,,",  # 5: swapped
]
EXPECTED_ERRORS = [
    ["row", "column", "message"],
    ["4", "星级", "The star rating is a whole number from 1 to 5."],
    [
        "5",
        "纬度",
        "Latitude 106.71 and longitude 26.57 look swapped: in China latitude is 4–54 and longitude 73–135.",
    ],
]


def write(tmp_path: Path, *lines: str, headers: str = HEADERS, name: str = "站点.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([headers, *lines]) + "\n").encode("gbk"))
    return path


def run(command: str, path: Path, *arguments: str) -> str:
    out = StringIO()
    call_command(command, str(path), *arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


def read_errors(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_it_imports_at_the_national_scope_reports_rejected_cells_and_changes_nothing_the_second_time(
    cast: Cast, tmp_path: Path
) -> None:
    path, errors = write(tmp_path, *BODY), tmp_path / "rejected.csv"

    assert run("import_stations", path, "--errors", str(errors)) == "imported 2, updated 0, unchanged 0, rejected 2\n"
    assert read_errors(errors) == EXPECTED_ERRORS

    national = UnionOrganization.objects.get(name="中华全国总工会")
    tiananmen = Station.objects.get(name="天安门爱心驿站")
    assert (tiananmen.region_id, tiananmen.organization_id, tiananmen.all_day) == ("110101", national.pk, True)
    assert abs(tiananmen.lat - 39.9087) < 1e-5
    assert abs(tiananmen.lng - 116.3975) < 1e-5
    outdoor = Station.objects.get(name="花果园户外劳动者服务站")
    assert (outdoor.lat, outdoor.lng, outdoor.stars, outdoor.status, outdoor.created_by) == (
        26.5783,
        106.7135,
        4,
        StationStatus.OPEN,
        None,
    )
    stored = list(Station.objects.order_by("pk").values())

    assert run("import_stations", path, "--errors", str(errors)) == "imported 0, updated 0, unchanged 2, rejected 2\n"
    assert read_errors(errors) == EXPECTED_ERRORS
    assert list(Station.objects.order_by("pk").values()) == stored
    events = AuditEvent.objects.filter(action=AuditAction.STATIONS_IMPORTED)
    assert [(event.actor, event.region_code, event.details["imported"]) for event in events] == [
        (None, "", 0),
        (None, "", 2),
    ]


def test_a_named_union_bounds_the_regions_and_is_responsible_for_new_stations(cast: Cast, tmp_path: Path) -> None:
    path = write(tmp_path, *BODY)
    errors = tmp_path / "rejected.csv"
    assert run("import_stations", path, "--union", "南明区总工会", "--errors", str(errors)) == (
        "imported 1, updated 0, unchanged 0, rejected 3\n"
    )
    assert read_errors(errors)[1:3] == [
        ["3", "区划代码", "东城区 (110101) is outside your jurisdiction."],
        ["4", "区划代码", "云岩区 (520103) is outside your jurisdiction."],
    ]
    assert list(Station.objects.values_list("name", "organization_id")) == [
        ("花果园户外劳动者服务站", cast.district.pk)
    ]
    with pytest.raises(CommandError, match="No active union organization has the code or name 不存在的工会"):
        call_command("import_stations", str(path), "--union", "不存在的工会")
    assert Station.objects.count() == 1


def test_it_exits_non_zero_only_when_the_file_cannot_be_read_and_then_writes_nothing(
    cast: Cast, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_stations", str(tmp_path / "missing.csv"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match=r"broken\.xlsx"):
        call_command("import_stations", str(broken))
    headless = write(tmp_path, "站,爱心小站,520102", headers="站点名称,类型,区划代码")
    with pytest.raises(CommandError) as missing_columns:
        call_command("import_stations", str(headless))
    assert str(missing_columns.value) == f"{headless}: Required columns are missing: 经度, 纬度."
    assert (Station.objects.count(), AuditEvent.objects.filter(action=AuditAction.STATIONS_IMPORTED).count()) == (0, 0)


def test_without_any_union_the_command_says_what_to_do(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"There is no union organization yet: create the federation first\."):
        call_command("import_stations", str(write(tmp_path, BODY[0])))


def test_a_terminal_sees_a_progress_bar_before_the_counts(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Command, "_interactive", lambda self: True)
    output = run("import_stations", write(tmp_path, *BODY))
    assert "\r[###############...............] 2/4" in output
    assert "\r[##############################] 4/4" in output
    assert output.splitlines()[-1] == "imported 2, updated 0, unchanged 0, rejected 2"


def test_import_hotspots_follows_the_same_contract(cast: Cast, tmp_path: Path) -> None:
    headers = "名称,区划代码,经度,纬度,坐标系,劳动者数,来源"
    path = write(
        tmp_path,
        "花果园商圈,520102,106.7135,26.5783,,1200,平台数据",
        "小河物流园,520102,106.6993,26.5521,WGS84,-3,",
        headers=headers,
        name="热点.csv",
    )
    errors = tmp_path / "rejected.csv"
    assert run("import_hotspots", path, "--errors", str(errors)) == "imported 1, updated 0, unchanged 0, rejected 1\n"
    assert read_errors(errors) == [
        ["row", "column", "message"],
        ["3", "劳动者数", "Write the number of workers as a whole number from 1 to 10,000,000."],
    ]
    assert list(Hotspot.objects.values_list("name", "weight", "source")) == [("花果园商圈", 1200, "平台数据")]
    assert run("import_hotspots", path) == "imported 0, updated 0, unchanged 1, rejected 1\n"
    with pytest.raises(CommandError, match=r"Required columns are missing: 劳动者数\."):
        call_command("import_hotspots", str(write(tmp_path, "x,520102,106.7,26.5", headers="名称,区划代码,经度,纬度")))
    # The hotspot format is documented in the command's help.
    assert "劳动者数 (weight, required); 来源 (source)." in HotspotsCommand.help
