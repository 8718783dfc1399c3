"""The station list import (FORMATS.md, 服务站点), its export, and the demand-hotspot import."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest

from gigunion.core.exceptions import NotAllowed
from gigunion.core.models import AuditAction, AuditEvent
from gigunion.core.tabular import RowError, TabularError, export_xlsx
from gigunion.orgs.access import Jurisdiction, require_jurisdiction
from gigunion.stations.geo import gcj02_to_bd09, wgs84_to_gcj02
from gigunion.stations.imports import (
    STATION_EXPORT_HEADERS,
    hotspots_import,
    station_export_rows,
    stations_import,
)
from gigunion.stations.models import Hotspot, Service, Station, StationKind, StationStatus
from gigunion.stations.spatial import nearest
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

HEADERS = STATION_EXPORT_HEADERS
# Two places in 南明区, given in WGS-84 (what is stored).
HUAGUOYUAN = (26.5783, 106.7135)
XIAOHE = (26.5521, 106.6993)
GCJ = wgs84_to_gcj02(*HUAGUOYUAN)  # what 高德 shows for 花果园
BD = gcj02_to_bd09(*wgs84_to_gcj02(*XIAOHE))  # what 百度 shows for 小河


def station_rows() -> list[list[str]]:
    return [
        [
            "花果园户外劳动者服务站",
            "户外劳动者服务站点",
            "520102",
            "花果园大街1号",
            "106.7135",
            "26.5783",
            "WGS84",
            "08:00-20:00",
            "休息、充电、饮水、热饭、如厕",
            "王芳",
            "0851-85551234",
            "4",
            "中国工商银行花果园支行",
            "开放",
        ],
        [
            "花果园司机之家",
            "司机之家",
            "520102",
            "花果园停车场",
            f"{GCJ[1]:.7f}",
            f"{GCJ[0]:.7f}",
            "GCJ02",
            "24小时",
            "充电;如厕;电动车充电",
            "",
            "",
            "5",
            "",
            "",
        ],
        [
            "小河爱心小站",
            "爱心小站",
            "520102",
            "",
            f"{BD[1]:.7f}",
            f"{BD[0]:.7f}",
            "百度",
            "08:00-12:00、14:00-18:00",
            "",
            "李娜",
            "+86 851 8555 1234",
            "",
            "小河社区服务中心",
            "暂停开放",
        ],
    ]


def csv_file(rows: list[list[str]], headers: list[str] = HEADERS, encoding: str = "gbk") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def district(cast: Cast) -> Jurisdiction:
    return require_jurisdiction(cast.district_staff.user)


def summary(report: Any) -> str:
    return str(report.summary_line())


def test_a_good_gbk_csv_is_imported_with_coordinates_stored_as_wgs84(cast: Cast) -> None:
    calls: list[tuple[int, int]] = []
    report = stations_import(
        csv_file(station_rows()),
        "站点.csv",
        district(cast),
        cast.district_staff.user,
        progress=lambda done, total: calls.append((done, total)),
    )

    assert summary(report) == "imported 3, updated 0, unchanged 0, rejected 0"
    assert (report.errors, report.warnings) == ([], [])
    assert calls == [(0, 3), (3, 3)]
    outdoor, driver, caring = (
        Station.objects.get(name=name) for name in ("花果园户外劳动者服务站", "花果园司机之家", "小河爱心小站")
    )
    assert (outdoor.kind, outdoor.region_id, outdoor.address, outdoor.host) == (
        StationKind.OUTDOOR_STATION,
        "520102",
        "花果园大街1号",
        "中国工商银行花果园支行",
    )
    assert (outdoor.lat, outdoor.lng) == HUAGUOYUAN
    assert outdoor.service_list == [Service.REST, Service.CHARGING, Service.WATER, Service.FOOD_HEATING, Service.TOILET]
    assert (outdoor.hours_text, outdoor.all_day, outdoor.hours_ranges) == ("08:00-20:00", False, [[480, 1200]])
    assert (outdoor.contact_name, outdoor.contact_phone, outdoor.stars, outdoor.status) == (
        "王芳",
        "0851-85551234",
        4,
        StationStatus.OPEN,
    )
    assert (outdoor.organization_id, outdoor.created_by, len(outdoor.code)) == (
        cast.district.pk,
        cast.district_staff.user,
        12,
    )
    # GCJ-02 (高德) and BD-09 (百度) were converted back to the WGS-84 places they came from.
    assert (round(driver.lat, 5), round(driver.lng, 5)) == HUAGUOYUAN
    assert (round(caring.lat, 5), round(caring.lng, 5)) == XIAOHE
    assert (driver.kind, driver.all_day, driver.stars, driver.status) == (
        StationKind.DRIVER_HOME,
        True,
        5,
        StationStatus.OPEN,
    )
    assert driver.service_list == [Service.CHARGING, Service.TOILET, Service.EBIKE_CHARGING]
    assert (caring.kind, caring.status, caring.hours_ranges, caring.services, caring.stars) == (
        StationKind.CARING_STATION,
        StationStatus.PAUSED,
        [[480, 720], [840, 1080]],
        0,
        None,
    )
    assert caring.contact_phone == "+86 851 8555 1234"
    # The spatial index followed: the two open stations are found, the paused one is not.
    found = nearest("station", lat=HUAGUOYUAN[0], lng=HUAGUOYUAN[1], limit=10)
    assert [near.id for near in found] == [outdoor.pk, driver.pk]
    event = AuditEvent.objects.get(action=AuditAction.STATIONS_IMPORTED)
    assert (event.actor, event.region_code, event.details) == (
        cast.district_staff.user,
        "520102",
        {"filename": "站点.csv", "imported": 3, "updated": 0, "unchanged": 0, "rejected": 0},
    )


def test_an_xlsx_with_number_cells_imports_the_same_and_a_second_run_changes_nothing(cast: Cast) -> None:
    rows: list[list[Any]] = []
    for row in station_rows():
        # What Excel keeps as numbers: coordinates, the region code and the stars.
        rows.append([float(cell) if index in (4, 5) else cell for index, cell in enumerate(row)])
        rows[-1][2] = 520102
        rows[-1][11] = int(row[11]) if row[11] else None
    data = xlsx_file(rows)
    assert summary(stations_import(data, "站点.xlsx", district(cast), None)) == (
        "imported 3, updated 0, unchanged 0, rejected 0"
    )
    stored = list(Station.objects.order_by("pk").values())
    assert Station.objects.get(name="花果园户外劳动者服务站").stars == 4

    again = stations_import(data, "站点.xlsx", district(cast), None)
    assert summary(again) == "imported 0, updated 0, unchanged 3, rejected 0"
    assert list(Station.objects.order_by("pk").values()) == stored
    # The CSV of the same list is the same list too.
    assert summary(stations_import(csv_file(station_rows()), "站点.csv", district(cast), None)) == (
        "imported 0, updated 0, unchanged 3, rejected 0"
    )
    assert AuditEvent.objects.filter(action=AuditAction.STATIONS_IMPORTED).count() == 3


def test_a_changed_row_updates_its_station_only(cast: Cast) -> None:
    stations_import(csv_file(station_rows()), "站点.csv", district(cast), None)
    before = {station.name: station.updated_at for station in Station.objects.all()}
    rows = station_rows()
    rows[0][7], rows[0][13] = "07:30-21:00", "已关闭"
    rows[2][8] = "饮水、雨具"

    report = stations_import(csv_file(rows), "站点.csv", district(cast), None)

    assert summary(report) == "imported 0, updated 2, unchanged 1, rejected 0"
    outdoor = Station.objects.get(name="花果园户外劳动者服务站")
    assert (outdoor.hours_text, outdoor.hours_ranges, outdoor.status) == (
        "07:30-21:00",
        [[450, 1260]],
        StationStatus.CLOSED,
    )
    assert Station.objects.get(name="小河爱心小站").service_list == [Service.WATER, Service.UMBRELLA]
    assert Station.objects.get(name="花果园司机之家").updated_at == before["花果园司机之家"]
    assert outdoor.updated_at > before["花果园户外劳动者服务站"]
    # A closed station leaves the index.
    found = nearest("station", lat=HUAGUOYUAN[0], lng=HUAGUOYUAN[1], limit=10)
    assert [near.id for near in found] == [Station.objects.get(name="花果园司机之家").pk]


def test_columns_a_file_lacks_leave_stored_values_alone(cast: Cast) -> None:
    stations_import(csv_file(station_rows()), "站点.csv", district(cast), None)
    headers = ["站点名称", "类型", "区划代码", "经度", "纬度"]
    rows = [
        ["花果园户外劳动者服务站", "户外劳动者服务站点", "520102", "106.7135", "26.5783"],
        ["小河爱心小站", "健康小站", "520102", f"{XIAOHE[1]}", f"{XIAOHE[0]}"],  # now WGS-84 given, another kind
        ["新站", "爱心小站", "520102", "106.70", "26.56"],
    ]

    report = stations_import(csv_file(rows, headers), "站点.csv", district(cast), None)

    assert summary(report) == "imported 1, updated 1, unchanged 1, rejected 0"
    outdoor = Station.objects.get(name="花果园户外劳动者服务站")
    assert (outdoor.stars, outdoor.hours_text, outdoor.status, outdoor.address, len(outdoor.service_list)) == (
        4,
        "08:00-20:00",
        StationStatus.OPEN,
        "花果园大街1号",
        5,
    )
    caring = Station.objects.get(name="小河爱心小站")
    assert (caring.kind, caring.status, caring.host, (caring.lat, caring.lng)) == (
        StationKind.HEALTH_STATION,
        StationStatus.PAUSED,
        "小河社区服务中心",
        XIAOHE,
    )
    new = Station.objects.get(name="新站")
    assert (new.status, new.services, new.hours_text, new.stars, new.address) == (StationStatus.OPEN, 0, "", None, "")


def test_every_bad_cell_is_reported_by_row_and_column_and_good_rows_are_taken(cast: Cast) -> None:
    good = station_rows()[0]

    def row(**changes: str) -> list[str]:
        cells = dict(zip(HEADERS, good, strict=True))
        cells["站点名称"] = changes.pop("站点名称", f"站{len(rows) + 2}")
        cells.update(changes)
        return [cells[header] for header in HEADERS]

    rows: list[list[str]] = []
    for changes in [
        {"站点名称": "花果园户外劳动者服务站"},  # 2: good
        {"经度": "150.2", "纬度": "60.1"},  # 3: outside China
        {"经度": "26.5783", "纬度": "106.7135"},  # 4: swapped
        {"服务项目": "休息、按摩、KTV"},  # 5: unknown services
        {"开放时间": "8点到20点"},  # 6: malformed hours
        {"星级": "6"},  # 7: bad stars
        {"类型": "驿站"},  # 8: unknown kind
        {"区划代码": "999999"},  # 9: unknown region
        {"区划代码": "520103"},  # 10: 云岩区, outside 南明区
        {"站点名称": "花果园户外劳动者服务站"},  # 11: row 2 again
        {"站点名称": "", "纬度": "", "类型": ""},  # 12: required cells missing
        {"类型": "健康站", "开放时间": "25:00-26:00", "星级": "三星半", "状态": "营业中", "坐标系": "WGS72"},  # 13
        {"联系电话": "请拨打", "地址": "长" * 201},  # 14
    ]:
        rows.append(row(**changes))

    report = stations_import(csv_file(rows), "站点.csv", district(cast), None)

    assert summary(report) == "imported 1, updated 0, unchanged 0, rejected 12"
    assert report.errors == [
        RowError(3, "纬度", "The place (60.1, 150.2) is outside China."),
        RowError(
            4,
            "纬度",
            "Latitude 106.7135 and longitude 26.5783 look swapped: in China latitude is 4–54 and longitude 73–135.",
        ),
        RowError(
            5,
            "服务项目",
            "Unknown services: 按摩、KTV. Known: 休息、充电、医药箱、饮水、学习交流、热饭、如厕、电动车充电、无线网络、"
            "维修工具、雨具、洗浴、洗衣、停车、法律咨询、健康检测.",
        ),
        RowError(6, "开放时间", "Opening hours “8点到20点” are not like 08:00-20:00 or 24小时."),
        RowError(7, "星级", "The star rating is a whole number from 1 to 5."),
        RowError(8, "类型", "Unknown kind “驿站”: use one of 户外劳动者服务站点、司机之家、爱心小站、健康小站."),
        RowError(9, "区划代码", "Unknown division code 999999."),
        RowError(10, "区划代码", "云岩区 (520103) is outside your jurisdiction."),
        RowError(11, "站点名称", "The same name in the same region is already on row 2."),
        RowError(12, "站点名称", "This is required."),
        RowError(12, "类型", "This is required."),
        RowError(12, "纬度", "This is required."),
        RowError(13, "类型", "Unknown kind “健康站”: use one of 户外劳动者服务站点、司机之家、爱心小站、健康小站."),
        RowError(13, "坐标系", "Unknown coordinate system “WGS72”: use WGS84, GCJ02 or BD09."),
        RowError(13, "开放时间", "25:00 is not a time of day."),
        RowError(13, "星级", "The star rating is a whole number from 1 to 5."),
        RowError(13, "状态", "Unknown status “营业中”: use one of 开放、暂停开放、已关闭."),
        RowError(14, "地址", "At most 200 characters."),
        RowError(14, "联系电话", "“请拨打” is not a phone number."),
    ]
    assert list(Station.objects.values_list("name", flat=True)) == ["花果园户外劳动者服务站"]
    assert AuditEvent.objects.get(action=AuditAction.STATIONS_IMPORTED).details["rejected"] == 12


def test_a_file_that_cannot_be_read_changes_nothing(cast: Cast) -> None:
    with pytest.raises(TabularError, match=r"not a valid \.xlsx workbook"):
        stations_import(b"PK\x03\x04 broken", "站点.xlsx", district(cast), None)
    headless = csv_file([["站", "户外劳动者服务站点", "520102"]], ["站点名称", "类型", "区划代码"])
    with pytest.raises(TabularError) as missing:
        stations_import(headless, "站点.csv", district(cast), None)
    assert missing.value.message == "Required columns are missing: 经度, 纬度."
    with pytest.raises(TabularError, match=r"Only \.xlsx and \.csv"):
        stations_import(csv_file(station_rows()), "站点.xls", district(cast), None)
    assert (Station.objects.count(), AuditEvent.objects.filter(action=AuditAction.STATIONS_IMPORTED).count()) == (0, 0)


def test_a_viewer_may_not_import(cast: Cast) -> None:
    with pytest.raises(NotAllowed):
        stations_import(csv_file(station_rows()), "站点.csv", require_jurisdiction(cast.district_viewer.user), None)
    assert Station.objects.count() == 0


def test_the_city_imports_both_districts_and_unknown_columns_are_warned_about(cast: Cast) -> None:
    rows = station_rows()
    rows[2][2] = "520103"
    data = csv_file([[*row, "备注"] for row in rows], [*HEADERS, "备注"], encoding="utf-8")
    report = stations_import(data, "站点.csv", require_jurisdiction(cast.city_staff.user), None)
    assert summary(report) == "imported 3, updated 0, unchanged 0, rejected 0"
    assert report.warnings == ["Unknown column '备注' ignored."]
    assert set(Station.objects.values_list("region_id", "organization_id")) == {
        ("520102", cast.city.pk),
        ("520103", cast.city.pk),
    }


def test_an_exported_list_imports_back_unchanged(cast: Cast) -> None:
    stations_import(csv_file(station_rows()), "站点.csv", district(cast), None)
    stored = list(Station.objects.order_by("pk").values())

    data = export_xlsx(HEADERS, station_export_rows(Station.objects.order_by("pk")), sheet_title="服务站点")

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    exported = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert exported[0] == HEADERS
    assert exported[2] == [
        "花果园司机之家",
        "司机之家",
        "520102",
        "花果园停车场",
        Station.objects.get(name="花果园司机之家").lng,
        Station.objects.get(name="花果园司机之家").lat,
        "WGS84",
        "24小时",
        "充电、如厕、电动车充电",
        None,
        None,
        5,
        None,
        "开放",
    ]
    assert exported[3][10] == "'+86 851 8555 1234"  # guarded against Excel formulas
    assert exported[3][13] == "暂停开放"
    report = stations_import(data, "服务站点.xlsx", district(cast), None)
    assert (summary(report), report.warnings) == ("imported 0, updated 0, unchanged 3, rejected 0", [])
    assert list(Station.objects.order_by("pk").values()) == stored


# ---------------------------------------------------------------------------------------------
# Demand hotspots
# ---------------------------------------------------------------------------------------------

HOTSPOT_HEADERS = ["名称", "区划代码", "经度", "纬度", "坐标系", "劳动者数", "来源"]


def test_hotspots_are_imported_updated_by_region_and_name_and_bad_rows_reported(cast: Cast) -> None:
    rows = [
        ["花果园商圈", "520102", "106.7135", "26.5783", "", "1200", "平台数据"],  # 2
        ["小河物流园", "520102", f"{GCJ[1]:.7f}", f"{GCJ[0]:.7f}", "GCJ02", "1,500", "实地摸底"],  # 3
        ["零人热点", "520102", "106.71", "26.57", "", "0", ""],  # 4: no workers
        ["十人热点", "520102", "106.71", "26.57", "", "十", ""],  # 5: not a number
        ["花果园商圈", "520102", "106.72", "26.58", "", "5", ""],  # 6: row 2 again
        ["云岩热点", "520103", "106.71", "26.60", "", "50", ""],  # 7: outside 南明区
        ["", "520102", "26.57", "106.71", "", "", ""],  # 8: no name, swapped, no workers
    ]
    report = hotspots_import(csv_file(rows, HOTSPOT_HEADERS), "热点.csv", district(cast), None)

    assert summary(report) == "imported 2, updated 0, unchanged 0, rejected 5"
    weight_message = "Write the number of workers as a whole number from 1 to 10,000,000."
    assert report.errors == [
        RowError(4, "劳动者数", weight_message),
        RowError(5, "劳动者数", weight_message),
        RowError(6, "名称", "The same name in the same region is already on row 2."),
        RowError(7, "区划代码", "云岩区 (520103) is outside your jurisdiction."),
        RowError(8, "名称", "This is required."),
        RowError(
            8,
            "纬度",
            "Latitude 106.71 and longitude 26.57 look swapped: in China latitude is 4–54 and longitude 73–135.",
        ),
        RowError(8, "劳动者数", "This is required."),
    ]
    business = Hotspot.objects.get(name="花果园商圈")
    assert (business.region_id, business.lat, business.lng, business.weight, business.source) == (
        "520102",
        26.5783,
        106.7135,
        1200,
        "平台数据",
    )
    assert business.organization_id == cast.district.pk
    park = Hotspot.objects.get(name="小河物流园")
    assert ((round(park.lat, 5), round(park.lng, 5)), park.weight) == (HUAGUOYUAN, 1500)

    # Again: nothing changes. Without the 来源 column and with a new weight: updated, source kept.
    again = hotspots_import(csv_file(rows, HOTSPOT_HEADERS), "热点.csv", district(cast), None)
    assert summary(again) == "imported 0, updated 0, unchanged 2, rejected 5"
    lean = csv_file(
        [["花果园商圈", "520102", "106.7135", "26.5783", "1300"]], ["名称", "区划代码", "经度", "纬度", "劳动者数"]
    )
    assert summary(hotspots_import(lean, "热点.csv", district(cast), None)) == (
        "imported 0, updated 1, unchanged 0, rejected 0"
    )
    business.refresh_from_db()
    assert (business.weight, business.source) == (1300, "平台数据")
    with pytest.raises(TabularError) as missing:
        hotspots_import(csv_file([["x"]], ["名称"]), "热点.csv", district(cast), None)
    assert missing.value.message == "Required columns are missing: 区划代码, 经度, 纬度, 劳动者数."
    with pytest.raises(NotAllowed):
        hotspots_import(lean, "热点.csv", require_jurisdiction(cast.district_viewer.user), None)
    assert Hotspot.objects.count() == 2


def test_rows_are_written_chunk_by_chunk_with_progress(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    import gigunion.stations.imports as imports

    monkeypatch.setattr(imports, "CHUNK", 2)
    rows = station_rows()
    rows.append(["坏站", "驿站", "520102", "", "106.7", "26.5", "", "", "", "", "", "", "", ""])  # 5: rejected
    calls: list[tuple[int, int]] = []
    report = stations_import(csv_file(rows), "站点.csv", district(cast), None, lambda *step: calls.append(step))
    assert summary(report) == "imported 3, updated 0, unchanged 0, rejected 1"
    assert calls == [(1, 4), (3, 4), (4, 4)]
    assert Station.objects.count() == 3
