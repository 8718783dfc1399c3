"""Coordinate systems, distances, opening hours and the per-column checks of a station."""

from __future__ import annotations

from datetime import time

import pytest

from gigunion.stations.checks import check_station
from gigunion.stations.geo import (
    Crs,
    bd09_to_gcj02,
    distance_m,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)
from gigunion.stations.hours import HoursError, parse_hours
from gigunion.stations.models import SERVICE_BITS, Service, StationKind


def test_gcj02_and_bd09_match_the_published_reference_values() -> None:
    # Reference values of wandergis/coordtransform (used by hutool and coordtransform-rs tests).
    assert wgs84_to_gcj02(39.915, 116.404) == pytest.approx((39.91640428150164, 116.41024449916938), abs=1e-12)
    assert bd09_to_gcj02(39.915, 116.404) == pytest.approx((39.90865673957631, 116.39762729119315), abs=1e-12)
    assert gcj02_to_bd09(39.915, 116.404) == pytest.approx((39.92133699351021, 116.41036949371029), abs=1e-12)


def test_gcj02_to_wgs84_inverts_the_forward_offset_to_a_millimetre() -> None:
    lat, lng = gcj02_to_wgs84(39.91640428150164, 116.41024449916938)
    assert distance_m(lat, lng, 39.915, 116.404) < 0.001
    blat, blng = gcj02_to_bd09(*wgs84_to_gcj02(26.5783, 106.7135))
    # BD-09 back to GCJ-02 is Baidu's published approximation: within 10 cm.
    assert distance_m(*to_wgs84(blat, blng, Crs.BD09), 26.5783, 106.7135) < 0.1
    assert to_wgs84(26.5, 106.7, Crs.WGS84) == (26.5, 106.7)


def test_distance_is_haversine_on_the_mean_sphere() -> None:
    assert round(distance_m(26.0, 106.0, 27.0, 106.0), 1) == 111195.1  # one degree of latitude
    assert distance_m(26.5, 106.7, 26.5, 106.7) == 0.0


def test_opening_hours() -> None:
    day = parse_hours("08:00-20:00")
    assert (day.all_day, day.ranges) == (False, ((480, 1200),))
    assert [day.is_open_at(time(8, 0)), day.is_open_at(time(19, 59)), day.is_open_at(time(20, 0))] == [
        True,
        True,
        False,
    ]
    night = parse_hours("20:00-08:00")
    assert [night.is_open_at(time(23, 30)), night.is_open_at(time(7, 0)), night.is_open_at(time(12, 0))] == [
        True,
        True,
        False,
    ]
    split = parse_hours("08:00-12:00、14:00-18:00")
    assert split.ranges == ((480, 720), (840, 1080))
    assert split.is_open_at(time(13, 0)) is False
    assert parse_hours("24小时").all_day is True
    assert parse_hours("全天").is_open_at(time(3, 0)) is True
    assert parse_hours("9:00-24:00").ranges == ((540, 0),)
    unknown = parse_hours("")
    assert (unknown.text, unknown.is_open_at(time(12, 0))) == ("", False)
    for bad in ("8点到20点", "25:00-26:00", "08:00-08:00", "08:60-20:00"):
        with pytest.raises(HoursError):
            parse_hours(bad)


ROW = {
    "name": "南明河畔户外劳动者服务站",
    "kind": "户外劳动者服务站点",
    "region": "520102",
    "address": "南明区解放路1号",
    "lng": "106.7135",
    "lat": "26.5783",
    "crs": "",
    "hours": "08:00-20:00",
    "services": "休息、充电、饮水、热饭、如厕",
    "contact_name": "王芳",
    "contact_phone": "0851-85551234",
    "stars": "4",
}


def test_a_good_row() -> None:
    checked = check_station(dict(ROW))
    assert checked.errors == {}
    assert checked.values["kind"] == StationKind.OUTDOOR_STATION
    assert (checked.values["lat"], checked.values["lng"]) == (26.5783, 106.7135)
    mask = sum(
        SERVICE_BITS[s] for s in (Service.REST, Service.CHARGING, Service.WATER, Service.FOOD_HEATING, Service.TOILET)
    )
    assert checked.values["services"] == mask
    assert checked.values["stars"] == 4


def test_a_gcj02_row_is_stored_as_wgs84() -> None:
    glat, glng = wgs84_to_gcj02(26.5783, 106.7135)
    checked = check_station({**ROW, "lat": f"{glat:.7f}", "lng": f"{glng:.7f}", "crs": "GCJ02"})
    assert distance_m(checked.values["lat"], checked.values["lng"], 26.5783, 106.7135) < 0.05  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        (
            {"lat": "106.7135", "lng": "26.5783"},
            "lat",
            "Latitude 106.7135 and longitude 26.5783 look swapped: in China latitude is 4–54 and longitude 73–135.",
        ),
        ({"lat": "48.85", "lng": "2.35"}, "lat", "The place (48.85, 2.35) is outside China."),
        ({"lat": "北纬26"}, "lat", "“北纬26” is not a number of degrees."),
        ({"lng": ""}, "lng", "This is required."),
        ({"crs": "UTM"}, "crs", "Unknown coordinate system “UTM”: use WGS84, GCJ02 or BD09."),
        ({"hours": "早八晚八"}, "hours", "Opening hours “早八晚八” are not like 08:00-20:00 or 24小时."),
        ({"stars": "6"}, "stars", "The star rating is a whole number from 1 to 5."),
        ({"kind": "驿站"}, "kind", "Unknown kind “驿站”: use one of 户外劳动者服务站点、司机之家、爱心小站、健康小站."),
        ({"kind": ""}, "kind", "This is required."),
        ({"name": ""}, "name", "This is required."),
        ({"contact_phone": "call me"}, "contact_phone", "“call me” is not a phone number."),
    ],
)
def test_each_bad_column_has_its_message(changes: dict[str, str], column: str, message: str) -> None:
    checked = check_station({**ROW, **changes})
    assert checked.errors == {column: message}


def test_unknown_services_are_all_named() -> None:
    checked = check_station({**ROW, "services": "休息、按摩、充电、唱歌"})
    assert list(checked.errors) == ["services"]
    assert checked.errors["services"].startswith("Unknown services: 按摩、唱歌. Known: ")


def test_every_bad_column_of_a_row_is_reported_at_once() -> None:
    checked = check_station({**ROW, "stars": "0", "hours": "always", "services": "唱歌"})
    assert sorted(checked.errors) == ["hours", "services", "stars"]
