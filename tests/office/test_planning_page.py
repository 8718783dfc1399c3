"""The back office's 15-minute circle page: the analysis for each role and area, the region-point form, the
export. Pages are read in English.

The area: in 南明区 the hotspot 花果园 (60 workers) is 300 m from the station 南明驿站 and 小车河湿地 (30) is
out of reach; in 云岩区 云岩商圈 (50) is next to 云岩驿站. The city: 110 of 140 within reach.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from gigunion.regions.models import Region
from gigunion.stations.geo import EARTH_RADIUS_M, distance_m
from gigunion.stations.models import Hotspot, RegionPoint, Station, StationKind
from tests.conftest import Cast
from tests.people import Members

pytestmark = pytest.mark.django_db

URL = "/office/stations/planning/"
WULICHONG = "520102001"
XIAOCHEHE = "520102002"
WENCHANGGE = "520103001"
HUAGUOYUAN = (26.56, 106.68)
WETLAND = (26.50, 106.72)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def north(point: tuple[float, float], metres: float) -> tuple[float, float]:
    return point[0] + math.degrees(metres / EARTH_RADIUS_M), point[1]


@pytest.fixture
def area(cast: Cast) -> None:
    hotspots = [
        (cast.district, WULICHONG, "花果园", HUAGUOYUAN, 60),
        (cast.district, XIAOCHEHE, "小车河湿地", WETLAND, 30),
        (cast.other_district, WENCHANGGE, "云岩商圈", (26.60, 106.71), 50),
    ]
    for organization, code, name, (lat, lng), weight in hotspots:
        Hotspot.objects.create(organization=organization, region_id=code, name=name, lat=lat, lng=lng, weight=weight)
    stations = [
        (cast.district, WULICHONG, "南明驿站", north(HUAGUOYUAN, 300.0)),
        (cast.other_district, WENCHANGGE, "云岩驿站", north((26.60, 106.71), 100.0)),
    ]
    for index, (organization, code, name, (lat, lng)) in enumerate(stations):
        Station.objects.create(
            code=f"P{index}",
            name=name,
            kind=StationKind.OUTDOOR_STATION,
            region_id=code,
            organization=organization,
            lat=lat,
            lng=lng,
        )


def client(cast: Cast, who: str) -> Client:
    browser = cast.client_for(None if who == "anonymous" else getattr(cast, who))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def figure(text: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', text)
    assert match, f"no figure {name}"
    return html.unescape(match.group(1)).strip()


def cells(text: str, row: str) -> dict[str, str]:
    match = re.search(rf'<tr data-region="{row}">(.*?)</tr>', text, flags=re.S)
    assert match, f"no row {row}"
    return dict(re.findall(r'data-cell="(\w+)">([^<]*)<', match.group(1)))


def test_district_staff_see_their_district_covered(cast: Cast, area: None) -> None:
    text = page(client(cast, "district_staff").get(URL))

    assert "15-minute service circle · 南明区" in text
    assert figure(text, "share") == "66.7%"
    assert figure(text, "covered") == "60 of 90 workers (66.7%)"
    assert figure(text, "radius") == "1,000 m"
    assert figure(text, "stations") == "1"
    assert '<progress max="90" value="60">' in text
    assert cells(text, WULICHONG) == {"demand": "60", "covered": "60", "share": "100.0%"}
    assert cells(text, XIAOCHEHE) == {"demand": "30", "covered": "0", "share": "0.0%"}
    assert cells(text, "520102003") == {"demand": "0", "covered": "0", "share": "—"}
    uncovered = re.findall(r'<tr data-uncovered="\d+">\s*<td>([^<]*)</td>', text)
    assert uncovered == ["小车河湿地"]
    assert re.findall(r'data-cell="nearest">([^<]*)<', text) == ["8,027 m"]
    assert round(distance_m(*WETLAND, *north(HUAGUOYUAN, 300.0))) == 8027
    assert re.findall(r'<tr data-site="(\d+)">.*?data-cell="gain">([^<]*)<', text, flags=re.S) == [
        ("1", "+30 workers, 100.0% after")
    ]
    assert "云岩商圈" not in text


def test_city_staff_see_the_city_by_district_and_drill_down(cast: Cast, area: None) -> None:
    browser = client(cast, "city_staff")
    text = page(browser.get(URL))

    assert figure(text, "share") == "78.6%"
    assert figure(text, "covered") == "110 of 140 workers (78.6%)"
    assert cells(text, "520102") == {"demand": "90", "covered": "60", "share": "66.7%"}
    assert cells(text, "520103") == {"demand": "50", "covered": "50", "share": "100.0%"}
    link = re.search(r'<tr data-region="520102">\s*<td><a href="([^"]+)"', text)
    assert link
    drilled = page(browser.get(html.unescape(link.group(1))))
    assert "15-minute service circle · 南明区" in drilled
    assert figure(drilled, "share") == "66.7%"


def test_the_parameters_change_the_reach(cast: Cast, area: None) -> None:
    query = {"region": "520102", "source": "hotspots", "mode": "ebike", "minutes": "15", "detour": "1.2", "k": "5"}
    text = page(client(cast, "district_staff").get(URL, query))

    assert figure(text, "radius") == "3,125 m"
    assert figure(text, "covered") == "60 of 90 workers (66.7%)"  # 小车河湿地 is 6.7 km away


def test_a_neighbouring_station_within_reach_counts(cast: Cast, area: None) -> None:
    Station.objects.create(
        code="P9",
        name="云岩边界站",
        kind=StationKind.DRIVER_HOME,
        region_id=WENCHANGGE,
        organization=cast.other_district,
        lat=north(WETLAND, 800.0)[0],
        lng=WETLAND[1],
    )
    text = page(client(cast, "district_staff").get(URL))

    assert figure(text, "share") == "100.0%"
    assert "and 1 just outside it" in text


def test_bad_parameters_are_explained_and_nothing_is_analysed(cast: Cast, area: None) -> None:
    response = client(cast, "district_staff").get(URL, {"minutes": "0", "detour": "3", "k": "21"})
    assert response.status_code == 400
    text = response.content.decode()

    assert "Minutes: Ensure this value is greater than or equal to 1." in text
    assert "Detour factor: Ensure this value is less than or equal to 2." in text
    assert "New stations to suggest: Ensure this value is less than or equal to 20." in text
    assert 'data-figure="share"' not in text


def test_no_demand_says_so(cast: Cast) -> None:
    text = page(client(cast, "district_staff").get(URL))

    assert figure(text, "share") == "—"
    assert figure(text, "covered") == "0 of 0 workers (—)"
    assert "There is no demand here from this source (0 of 0)" in text


@pytest.mark.parametrize("who", ["other_district_staff"])
def test_another_district_cannot_choose_this_one(cast: Cast, area: None, who: str) -> None:
    assert client(cast, who).get(URL, {"region": "520102"}).status_code == 404
    assert client(cast, who).get(URL, {"region": "520102", "format": "xlsx"}).status_code == 404
    assert client(cast, "district_staff").get(URL, {"region": "520100"}).status_code == 404


def test_outsiders_are_refused_and_anonymous_users_sent_to_log_in(cast: Cast, area: None) -> None:
    assert client(cast, "outsider").get(URL).status_code == 403
    assert client(cast, "outsider").post(URL, {"point_region": WULICHONG}).status_code == 403
    for response in (client(cast, "anonymous").get(URL), client(cast, "anonymous").post(URL, {})):
        assert response.status_code == 302
        assert response["Location"].startswith("/office/login/")


# The region points --------------------------------------------------------------------------------


def point_post(**values: str) -> dict[str, str]:
    return {
        "region": "520102",
        "source": "members",
        "mode": "walk",
        "minutes": "15",
        "detour": "1.2",
        "k": "5",
        **values,
    }


def test_unplaced_members_are_reported_and_an_operator_places_them(cast: Cast, members: Members) -> None:
    browser = client(cast, "district_staff")
    text = page(browser.get(URL, {"source": "members"}))
    assert "Left out of the analysis: 1 member in 1 region with no point on the map." in text
    assert '<tr data-unplaced-region="520102"><td>南明区</td>' in text
    assert "None of the demand is on the map yet (0 of 0 placed): set the points of its regions below." in text
    assert "data-point-form" in text

    response = browser.post(URL, point_post(point_region="520102", lat="26.57", lng="106.72", crs="WGS84"))

    assert response.status_code == 302
    assert response["Location"] == f"{URL}?region=520102&source=members&mode=walk&minutes=15&detour=1.2&k=5"
    point = RegionPoint.objects.get(region_id="520102")
    assert (point.lat, point.lng, point.updated_by) == (26.57, 106.72, cast.district_staff.user)
    text = page(browser.get(response["Location"]))
    assert "The point of 南明区 is set: its people are now placed there." in text
    assert figure(text, "covered") == "0 of 1 member (0.0%)"
    assert "data-unplaced" not in text
    assert re.findall(r'<tr data-site="(\d+)">.*?data-cell="gain">([^<]*)<', text, flags=re.S) == [
        ("1", "+1 member, 100.0% after")
    ]


def test_a_bad_point_is_explained_and_nothing_is_saved(cast: Cast, members: Members) -> None:
    response = client(cast, "district_staff").post(
        URL, point_post(point_region="520102", lat="106.72", lng="26.57", crs="WGS84")
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "look swapped: in China latitude is 4–54 and longitude 73–135." in html.unescape(text)
    assert 'value="106.72"' in text  # what was typed is kept
    assert not RegionPoint.objects.exists()


def test_a_viewer_may_look_but_not_set_a_point(cast: Cast, members: Members) -> None:
    browser = client(cast, "district_viewer")
    text = page(browser.get(URL, {"source": "members"}))
    assert "Left out of the analysis: 1 member in 1 region with no point on the map." in text
    assert "data-point-form" not in text

    response = browser.post(URL, point_post(point_region="520102", lat="26.57", lng="106.72", crs="WGS84"))

    assert response.status_code == 403
    assert not RegionPoint.objects.exists()


def test_a_point_outside_the_jurisdiction_is_not_found(cast: Cast, members: Members) -> None:
    response = client(cast, "district_staff").post(
        URL, point_post(point_region="520103", lat="26.60", lng="106.71", crs="WGS84")
    )

    assert response.status_code == 404
    assert not RegionPoint.objects.exists()


# The export ----------------------------------------------------------------------------------------


def test_the_export_lists_the_uncovered_demand_and_the_suggestions(cast: Cast, area: None) -> None:
    response = client(cast, "district_staff").get(URL, {"region": "520102", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "service-circle" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Kind",
        "Rank",
        "Name",
        "Division code",
        "Region",
        "Latitude (WGS-84)",
        "Longitude (WGS-84)",
        "Demand",
        "Nearest open station (m)",
        "Coverage added",
        "Share covered after",
    ]
    nearest = round(distance_m(*WETLAND, *north(HUAGUOYUAN, 300.0)))
    assert rows[1:] == [
        ["Uncovered demand", 1, "小车河湿地", XIAOCHEHE, "小车河街道", 26.5, 106.72, 30, nearest, None, None],
        ["Suggested site", 1, "New station 1", None, None, 26.5, 106.72, None, None, 30, 1],
    ]
    assert Region.objects.get(code=XIAOCHEHE).name == "小车河街道"


def test_a_viewer_may_export(cast: Cast, area: None) -> None:
    response = client(cast, "district_viewer").get(URL, {"format": "xlsx"})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    assert sheet.max_row == 3
