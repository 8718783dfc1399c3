"""The worker's station pages, through the real views: the public nearby endpoints, the list page (without
JavaScript), a station's page with its map links and photos, and the check-in behind a station's QR code.

Around one point in 南明区, 贵阳: a closed station and a paused one nearest, then open stations at 200 m
(no charging, 24 hours), 500 m (charging and toilet, hours not given), 890 m (charging and food heating,
24 hours) and 2 km (toilet, 08:00-20:00).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from unittest import mock
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from PIL import Image

from gigunion.core import ratelimit
from gigunion.mobile import stations as mobile_stations
from gigunion.orgs.access import jurisdiction_of
from gigunion.stations.geo import distance_m, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_gcj02
from gigunion.stations.hours import parse_hours
from gigunion.stations.models import (
    Merchant,
    Offer,
    Service,
    Station,
    StationKind,
    StationStatus,
    StationVisit,
    services_mask,
)
from gigunion.stations.services import station_photo_add
from tests.conftest import Cast
from tests.mobile.helpers import english_client, last_code, page
from tests.people import RIDER_PHONE, Members

pytestmark = pytest.mark.django_db

HERE = (26.58, 106.71)
API = "/m/api/stations/nearby"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _no_cached_districts() -> None:
    """The page keeps the districts with stations a while (a scan of every station): not across tests."""
    cache.delete(mobile_stations.COUNTIES_CACHE_KEY)


def make_station(
    cast: Cast,
    code: str,
    name: str,
    lat: float,
    lng: float,
    *,
    services: tuple[Service, ...] = (),
    hours: str = "",
    status: str = StationStatus.OPEN,
    kind: str = StationKind.OUTDOOR_STATION,
    region: str = "520102",
    **fields: Any,
) -> Station:
    opening = parse_hours(hours)
    return Station.objects.create(
        code=code,
        name=name,
        kind=kind,
        region_id=region,
        organization=cast.district,
        lat=lat,
        lng=lng,
        services=services_mask(services),
        hours_text=opening.text,
        all_day=opening.all_day,
        hours_ranges=[list(pair) for pair in opening.ranges],
        status=status,
        **fields,
    )


@dataclass
class Street:
    closed: Station
    paused: Station
    rest: Station  # 200 m, 24 hours, no charging
    charging: Station  # 500 m, charging and toilet, hours not given
    heating: Station  # 890 m, charging and food heating, 24 hours
    far: Station  # 2 km, toilet, 08:00-20:00


@pytest.fixture
def street(cast: Cast) -> Street:
    return Street(
        closed=make_station(
            cast, "closed1", "已关闭驿站", 26.5809, 106.71, services=(Service.CHARGING,), status=StationStatus.CLOSED
        ),
        paused=make_station(
            cast, "paused1", "暂停驿站", 26.58, 106.7115, services=(Service.CHARGING,), status=StationStatus.PAUSED
        ),
        rest=make_station(
            cast,
            "rest1",
            "花果园歇脚驿站",
            26.5818,
            106.71,
            services=(Service.REST, Service.WATER),
            hours="24小时",
            kind=StationKind.CARING_STATION,
        ),
        charging=make_station(
            cast, "charge1", "南明河充电驿站", 26.5755, 106.71, services=(Service.CHARGING, Service.TOILET)
        ),
        heating=make_station(
            cast,
            "heat1",
            "青云路司机之家",
            26.58,
            106.719,
            services=(Service.CHARGING, Service.FOOD_HEATING),
            hours="24小时",
            kind=StationKind.DRIVER_HOME,
        ),
        far=make_station(cast, "far1", "二七路驿站", 26.598, 106.71, services=(Service.TOILET,), hours="08:00-20:00"),
    )


def nearby(client: Client, **params: str) -> Any:
    return client.get(API, {"lat": str(HERE[0]), "lng": str(HERE[1]), **params})


def codes(response: Any) -> list[str]:
    return [station["code"] for station in response.json()["stations"]]


def error_of(response: Any) -> tuple[int, str, str, str]:
    error = response.json()["error"]
    field = error["details"][0]["field"] if error["details"] else ""
    return response.status_code, error["code"], field, error["message"]


# The nearby endpoint ----------------------------------------------------------------------------------


def test_it_answers_open_stations_nearest_first_with_exact_fields(street: Street, client_en: Client) -> None:
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)):
        response = nearby(client_en)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=60"
    body = response.json()
    assert body["point"] == {"lat": 26.58, "lng": 106.71}
    expected = []
    for station, services, open_now in (
        (street.rest, ["rest", "water"], True),
        (street.charging, ["charging", "toilet"], False),
        (street.heating, ["charging", "food_heating"], True),
        (street.far, ["toilet"], True),
    ):
        expected.append(
            {
                "id": station.pk,
                "code": station.code,
                "name": station.name,
                "kind": station.kind,
                "kind_label": station.get_kind_display(),
                "distance_m": round(distance_m(*HERE, station.lat, station.lng)),
                "lat": station.lat,
                "lng": station.lng,
                "services": services,
                "open_now": open_now,
                "all_day": station.all_day,
                "hours": station.hours_text,
                "url": f"/m/stations/{station.code}/",
            }
        )
    assert body["stations"] == expected
    assert [station["distance_m"] for station in body["stations"]] == [200, 500, 895, 2002]
    assert [station["kind_label"] for station in body["stations"]] == [
        "Caring station",
        "Outdoor workers' station",
        "Driver home",
        "Outdoor workers' station",
    ]


def test_distances_are_measured_from_the_exact_point_given(street: Street, client_en: Client) -> None:
    # 100.50 m from 花果园歇脚驿站; rounded to 7 decimals (as stored for stations) it would be 100.498 m.
    lat = "26.58089615003446"
    assert round(distance_m(round(float(lat), 7), 106.71, street.rest.lat, street.rest.lng)) == 100
    response = client_en.get(API, {"lat": lat, "lng": "106.71", "limit": "1"})
    assert [(s["code"], s["distance_m"]) for s in response.json()["stations"]] == [("rest1", 101)]


def test_the_open_now_flag_follows_the_hour(street: Street, client_en: Client) -> None:
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 11, 20, 21, 30, tzinfo=SHANGHAI)):
        response = nearby(client_en, services="toilet")
    assert [(s["code"], s["open_now"], s["hours"]) for s in response.json()["stations"]] == [
        ("charge1", False, ""),
        ("far1", False, "08:00-20:00"),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"services": "charging"}, ["charge1", "heat1"]),
        ({"services": "charging,toilet"}, ["charge1"]),
        ({"services": "food_heating"}, ["heat1"]),
        ({"services": "充电、热饭"}, ["heat1"]),  # the Chinese names of the import format work too
        ({"all_day": "1"}, ["rest1", "heat1"]),
        ({"all_day": "1", "services": "charging"}, ["heat1"]),
        ({"all_day": "0"}, ["rest1", "charge1", "heat1", "far1"]),
        ({"limit": "2"}, ["rest1", "charge1"]),
        ({"limit": "50"}, ["rest1", "charge1", "heat1", "far1"]),
    ],
)
def test_filters_and_limit(street: Street, client_en: Client, params: dict[str, str], expected: list[str]) -> None:
    assert codes(nearby(client_en, **params)) == expected


def test_closed_and_paused_stations_come_back_when_they_reopen(street: Street, client_en: Client) -> None:
    assert "closed1" not in codes(nearby(client_en))
    Station.objects.filter(pk=street.paused.pk).update(status=StationStatus.OPEN)
    assert codes(nearby(client_en, limit="2")) == ["paused1", "rest1"]


def test_a_gcj02_point_from_a_phone_sdk_is_converted(street: Street, client_en: Client) -> None:
    glat, glng = wgs84_to_gcj02(*HERE)
    response = client_en.get(API, {"lat": f"{glat:.7f}", "lng": f"{glng:.7f}", "crs": "GCJ02", "limit": "2"})
    point = response.json()["point"]
    wlat, wlng = gcj02_to_wgs84(float(f"{glat:.7f}"), float(f"{glng:.7f}"))
    assert point == {"lat": round(wlat, 7), "lng": round(wlng, 7)}
    assert distance_m(*HERE, point["lat"], point["lng"]) < 0.05
    assert [(s["code"], s["distance_m"]) for s in response.json()["stations"]] == [
        ("rest1", round(distance_m(wlat, wlng, street.rest.lat, street.rest.lng))),
        ("charge1", round(distance_m(wlat, wlng, street.charging.lat, street.charging.lng))),
    ]
    # Taken as WGS-84, the same numbers lie some 500 m away, nearer another station.
    assert distance_m(*HERE, glat, glng) > 500
    unconverted = client_en.get(API, {"lat": f"{glat:.7f}", "lng": f"{glng:.7f}", "limit": "1"})
    assert codes(unconverted) == ["charge1"]


def test_a_bd09_point_is_converted(street: Street, client_en: Client) -> None:
    blat, blng = gcj02_to_bd09(*wgs84_to_gcj02(*HERE))
    response = client_en.get(API, {"lat": f"{blat:.7f}", "lng": f"{blng:.7f}", "crs": "BD09", "limit": "1"})
    point = response.json()["point"]
    assert distance_m(*HERE, point["lat"], point["lng"]) < 0.05
    assert codes(response) == ["rest1"]


GIVE_PLACE = "Give the place as lat and lng in degrees, e.g. lat=26.58&lng=106.71."
LIMIT = "limit is a whole number from 1 to 50."


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, (400, "missing_parameter", "lat", GIVE_PLACE)),
        ({"lat": "26.58"}, (400, "missing_parameter", "lng", GIVE_PLACE)),
        (
            {"lat": "north", "lng": "106.71"},
            (400, "invalid_parameter", "lat", "“north” is not a number of degrees."),
        ),
        (
            {"lat": "106.71", "lng": "26.58"},
            (
                400,
                "outside_china",
                "lat",
                "Latitude 106.71 and longitude 26.58 look swapped: in China latitude is 4–54 and longitude 73–135.",
            ),
        ),
        (
            {"lat": "48.8566", "lng": "2.3522"},
            (400, "outside_china", "lat", "The place (48.8566, 2.3522) is outside China."),
        ),
        ({"lat": "95", "lng": "106.71"}, (400, "outside_china", "lat", "The place (95, 106.71) is outside China.")),
        (
            {"lat": "26.58", "lng": "106.71", "crs": "mars"},
            (400, "invalid_parameter", "crs", "Unknown coordinate system “mars”: use WGS84, GCJ02 or BD09."),
        ),
        ({"lat": "26.58", "lng": "106.71", "limit": "0"}, (400, "invalid_parameter", "limit", LIMIT)),
        ({"lat": "26.58", "lng": "106.71", "limit": "51"}, (400, "invalid_parameter", "limit", LIMIT)),
        ({"lat": "26.58", "lng": "106.71", "limit": "ten"}, (400, "invalid_parameter", "limit", LIMIT)),
        ({"lat": "26.58", "lng": "106.71", "limit": "-3"}, (400, "invalid_parameter", "limit", LIMIT)),
        (
            {"lat": "26.58", "lng": "106.71", "all_day": "maybe"},
            (400, "invalid_parameter", "all_day", "all_day is 1 (open 24 hours only) or 0."),
        ),
    ],
)
def test_bad_input_answers_400_in_one_shape(
    street: Street, client_en: Client, params: dict[str, str], expected: tuple[int, str, str, str]
) -> None:
    response = client_en.get(API, params)
    assert error_of(response) == expected
    assert response["Cache-Control"] == "no-store"
    assert set(response.json()) == {"error"}


def test_an_unknown_service_is_named(street: Street, client_en: Client) -> None:
    response = nearby(client_en, services="charging,teleport")
    status, code, field, message = error_of(response)
    assert (status, code, field) == (400, "invalid_parameter", "services")
    assert message.startswith("Unknown services: teleport. Known: ")


def test_it_takes_three_queries_and_leaves_the_session_alone(
    street: Street, members: Members, client_en: Client, django_assert_num_queries: Any
) -> None:
    client_en.post("/m/login/", {"phone": RIDER_PHONE, "action": "send_code"})
    client_en.post("/m/login/", {"phone": RIDER_PHONE, "code": last_code(RIDER_PHONE), "action": "login"})
    assert client_en.get("/m/me/").status_code == 200
    with mock.patch.object(ratelimit, "PURGE_SHARE", 0), django_assert_num_queries(3):
        # the rate-limit counter, the index search, the rows: no session read or write, nothing per station
        response = nearby(client_en, limit="2", services="charging")
    assert codes(response) == ["charge1", "heat1"]
    assert "sessionid" not in response.cookies
    assert "Set-Cookie" not in response.headers
    assert client_en.get("/m/me/").status_code == 200  # still logged in


def test_it_is_rate_limited_per_address(street: Street, client_en: Client) -> None:
    with mock.patch.object(mobile_stations, "NEARBY_PER_IP", ratelimit.Limit(count=2, seconds=600)):
        assert nearby(client_en).status_code == 200
        assert client_en.get("/m/api/merchants/nearby", {"lat": "26.58", "lng": "106.71"}).status_code == 200
        refused = nearby(client_en)
    assert error_of(refused) == (429, "rate_limited", "", "Too many requests from this network; wait a few minutes.")
    assert refused["Retry-After"] == "600"


def test_it_answers_only_get(street: Street, client_en: Client) -> None:
    assert client_en.post(API, {"lat": "26.58", "lng": "106.71"}).status_code == 405


# Merchants nearby ---------------------------------------------------------------------------------------


def make_merchant(cast: Cast, code: str, name: str, lat: float, lng: float, **fields: Any) -> Merchant:
    return Merchant.objects.create(
        code=code,
        desk_secret=f"secret-{code}",
        name=name,
        region_id="520102",
        organization=cast.district,
        lat=lat,
        lng=lng,
        **fields,
    )


def test_merchants_nearby_with_their_current_offers(cast: Cast, client_en: Client) -> None:
    noodles = make_merchant(cast, "m1", "老凯俚酸汤粉", 26.5810, 106.71, category="餐饮", address="花果园B区")
    repair = make_merchant(cast, "m2", "小李电动车维修", 26.5850, 106.71, category="车辆维修")
    make_merchant(cast, "m3", "已退出的超市", 26.5801, 106.71, is_active=False)
    Offer.objects.create(merchant=noodles, title="会员就餐九折")
    Offer.objects.create(merchant=noodles, title="免费加汤")
    Offer.objects.create(merchant=noodles, title="停用的优惠", is_active=False)
    Offer.objects.create(merchant=repair, title="补胎八折", ends_on=datetime(2020, 1, 1).date())
    response = client_en.get("/m/api/merchants/nearby", {"lat": "26.58", "lng": "106.71"})
    assert response.status_code == 200
    assert response.json() == {
        "point": {"lat": 26.58, "lng": 106.71},
        "merchants": [
            {
                "id": noodles.pk,
                "code": "m1",
                "name": "老凯俚酸汤粉",
                "category": "餐饮",
                "address": "花果园B区",
                "distance_m": round(distance_m(*HERE, 26.5810, 106.71)),
                "lat": 26.5810,
                "lng": 106.71,
                "offers": ["会员就餐九折", "免费加汤"],
            },
            {
                "id": repair.pk,
                "code": "m2",
                "name": "小李电动车维修",
                "category": "车辆维修",
                "address": "",
                "distance_m": round(distance_m(*HERE, 26.5850, 106.71)),
                "lat": 26.5850,
                "lng": 106.71,
                "offers": [],
            },
        ],
    }
    assert error_of(client_en.get("/m/api/merchants/nearby", {"lat": "26.58"}))[:2] == (400, "missing_parameter")


# The list page ----------------------------------------------------------------------------------------


def listed(response: Any, kind: str = "m-station") -> list[str]:
    html = page(response)
    found = []
    marker = f'<li class="{kind}" data-code="'
    start = html.find(marker)
    while start != -1:
        start += len(marker)
        found.append(html[start : html.index('"', start)])
        start = html.find(marker, start)
    return found


def test_the_list_page_renders_the_nearest_stations_without_javascript(street: Street, client_en: Client) -> None:
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 11, 20, 21, 30, tzinfo=SHANGHAI)):
        response = client_en.get("/m/stations/", {"lat": "26.58", "lng": "106.71"})
    assert response.status_code == 200
    html = page(response)
    assert listed(response) == ["rest1", "charge1", "heat1", "far1"]
    assert (
        '<li class="m-station" data-code="charge1"><a class="m-station-link" '
        'href="/m/stations/charge1/?lat=26.580000&lng=106.710000">' in html
    )
    assert [piece.split("<")[0] for piece in html.split('<span class="m-distance">')[1:]] == [
        "200 m",
        "500 m",
        "890 m",
        "2.0 km",
    ]
    assert '<span class="m-open m-open-all_day">Open 24 hours</span>' in html
    assert '<span class="m-open m-open-unknown">Hours not given</span>' in html
    assert '<span class="m-open m-open-closed">Closed now</span>' in html
    assert '<span class="m-service">Phone charging</span><span class="m-service">Toilet</span>' in html
    assert "已关闭驿站" not in html
    assert "暂停驿站" not in html
    config = json.loads(html.split('<script id="nearby-config" type="application/json">')[1].split("</script>")[0])
    assert (config["point"], config["services"], config["tile_url"]) == ({"lat": 26.58, "lng": 106.71}, [], "")
    assert config["stations_api"] == "/m/api/stations/nearby"
    # The stations and merchants listed come along as the endpoints give them, for the map.
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 11, 20, 21, 30, tzinfo=SHANGHAI)):
        answer = nearby(client_en, limit="20").json()
        merchants = client_en.get("/m/api/merchants/nearby", {"lat": "26.58", "lng": "106.71", "limit": "10"})
    assert config["stations"] == answer["stations"]
    assert [station["code"] for station in config["stations"]] == ["rest1", "charge1", "heat1", "far1"]
    assert config["merchants"] == merchants.json()["merchants"] == []
    assert '<script src="/static/js/nearby.js" defer></script>' in html
    assert "leaflet.js" not in html.split('<script id="nearby-config"')[0]  # the map library loads on demand


def test_the_map_base_layer_is_a_setting(street: Street, client_en: Client, settings: Any) -> None:
    settings.MAP_TILE_URL = "https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}"
    settings.MAP_TILE_ATTRIBUTION = "天地图"
    html = page(client_en.get("/m/stations/"))
    config = json.loads(html.split('<script id="nearby-config" type="application/json">')[1].split("</script>")[0])
    assert (config["tile_url"], config["tile_attribution"]) == (settings.MAP_TILE_URL, "天地图")
    assert (config["point"], config["stations"], config["merchants"]) == (None, [], [])
    assert config["centre"] == {"lat": pytest.approx(26.583825, abs=1e-9), "lng": pytest.approx(106.71225, abs=1e-9)}


def test_the_filter_chips_are_links_that_switch_one_filter(street: Street, client_en: Client) -> None:
    response = client_en.get("/m/stations/", {"lat": "26.58", "lng": "106.71", "services": "charging"})
    assert listed(response) == ["charge1", "heat1"]
    html = page(response)
    assert '<a class="m-chip" href="?lat=26.580000&lng=106.710000" data-filter="charging" aria-pressed="true"' in html
    assert (
        '<a class="m-chip" href="?lat=26.580000&lng=106.710000&services=charging,toilet" data-filter="toilet" '
        'aria-pressed="false"' in html
    )
    assert (
        '<a class="m-chip" href="?lat=26.580000&lng=106.710000&services=charging&all_day=1" data-filter="all_day" '
        'aria-pressed="false"' in html
    )
    both = client_en.get("/m/stations/", {"lat": "26.58", "lng": "106.71", "services": "charging", "all_day": "1"})
    assert listed(both) == ["heat1"]


def test_the_list_page_lists_merchants_with_their_offers(street: Street, cast: Cast, client_en: Client) -> None:
    noodles = make_merchant(cast, "m1", "老凯俚酸汤粉", 26.5810, 106.71, category="餐饮")
    Offer.objects.create(merchant=noodles, title="会员就餐九折")
    response = client_en.get("/m/stations/", {"lat": "26.58", "lng": "106.71"})
    assert listed(response, "m-merchant") == ["m1"]
    assert '<span class="m-offers"><span class="m-offer">会员就餐九折</span></span>' in page(response)


def test_without_a_place_it_offers_the_districts_with_stations(street: Street, client_en: Client) -> None:
    response = client_en.get("/m/stations/")
    html = page(response)
    assert response.status_code == 200
    assert listed(response) == []
    assert "Where are you? Share your location to see the nearest stations." in html
    assert '<option value="520102">贵阳市 南明区</option>' in html
    chosen = client_en.get("/m/stations/", {"county": "520102", "services": "toilet"})
    # The centre of 南明区's open stations (the mean of their places), then the nearest with a toilet.
    assert "Near the centre of 贵阳市 南明区" in page(chosen)
    assert '<option value="520102" selected>贵阳市 南明区</option>' in page(chosen)
    assert listed(chosen) == ["charge1", "far1"]
    unknown = client_en.get("/m/stations/", {"county": "110105"})
    assert unknown.status_code == 400
    assert "No open station in this district yet." in page(unknown)


def test_a_bad_place_on_the_list_page_is_explained(street: Street, client_en: Client) -> None:
    response = client_en.get("/m/stations/", {"lat": "106.71", "lng": "26.58"})
    assert response.status_code == 400
    assert (
        "<p>Latitude 106.71 and longitude 26.58 look swapped: in China latitude is 4–54 and longitude 73–135.</p>"
        in page(response)
    )
    assert listed(response) == []


def test_the_home_page_links_to_the_stations(client_en: Client) -> None:
    assert '<a class="m-button secondary" href="/m/stations/">Stations near me</a>' in page(client_en.get("/m/"))


# A station's page ---------------------------------------------------------------------------------------


def test_the_station_page_has_links_that_open_the_phone_map_app(street: Street, client_en: Client) -> None:
    Station.objects.filter(pk=street.charging.pk).update(
        host="中国银行花果园支行",
        address="南明区花果园大街1号",
        contact_name="王师傅",
        contact_phone="0851-85550001",
        stars=4,
    )
    response = client_en.get("/m/stations/charge1/", {"lat": "26.58", "lng": "106.71"})
    assert response.status_code == 200
    html = page(response)
    glat, glng = wgs84_to_gcj02(26.5755, 106.71)
    assert (f"{glat:.6f}", f"{glng:.6f}") == ("26.571974", "106.713765")  # GCJ-02 lies some 500 m away
    name = "%E5%8D%97%E6%98%8E%E6%B2%B3%E5%85%85%E7%94%B5%E9%A9%BF%E7%AB%99"  # 南明河充电驿站
    assert (
        '<a class="m-button" href="https://uri.amap.com/marker?position=106.713765,26.571974'
        f'&name={name}&src=gigunion&coordinate=gaode&callnative=1" data-nav="amap" rel="noopener">' in html
    )
    assert f'href="geo:26.575500,106.710000?q=26.575500,106.710000({name})" data-nav="geo"' in html
    assert '<h1 class="m-h1">南明河充电驿站</h1>' in html
    assert '<span class="m-distance">500 m</span>' in html
    assert "<dt>Host</dt><dd>中国银行花果园支行</dd>" in html
    assert "<dt>Address</dt><dd>南明区花果园大街1号</dd>" in html
    assert "<dt>Opening hours</dt><dd>Hours not given</dd>" in html
    assert '<span aria-hidden="true">★★★★☆</span><span class="visually-hidden">4 stars</span>' in html
    assert '<dd>王师傅 <a href="tel:0851-85550001">0851-85550001</a></dd>' in html
    offered = html.split('<ul class="m-core-services">')[1].split("</ul>")[0]
    assert [line.strip().split("</span> ")[1].split("<")[0] for line in offered.strip().splitlines()] == [
        "Rest",
        "Phone charging",
        "First-aid kit",
        "Drinking water",
        "Reading and exchange",
    ]
    assert offered.count('class="is-offered"') == 1
    assert '<p class="m-services"><span class="m-service">Toilet</span></p>' in html
    assert '<a href="/m/stations/?lat=26.580000&lng=106.710000">All stations near me</a>' in html


def test_a_closed_station_shows_as_closed_without_directions(street: Street, client_en: Client) -> None:
    html = page(client_en.get("/m/stations/closed1/"))
    assert '<span class="m-open m-open-closed" data-station-status>Closed</span>' in html
    assert "This station is not open at present." in html
    assert "data-nav" not in html
    paused = page(client_en.get("/m/stations/paused1/"))
    assert '<span class="m-open m-open-closed" data-station-status>Closed temporarily</span>' in paused


@pytest.mark.parametrize("code", ["closed1", "paused1"])
def test_a_station_that_is_not_open_shows_no_contact(street: Street, client_en: Client, code: str) -> None:
    Station.objects.filter(code__in=[code, "rest1"]).update(contact_name="王师傅", contact_phone="0851-85550001")
    html = page(client_en.get(f"/m/stations/{code}/"))
    assert "<dt>Contact</dt>" not in html
    assert "王师傅" not in html
    assert "0851-85550001" not in html
    assert "tel:" not in html
    # An open station's page still gives them.
    assert '<dd>王师傅 <a href="tel:0851-85550001">0851-85550001</a></dd>' in page(client_en.get("/m/stations/rest1/"))


def test_an_unknown_station_is_404(client_en: Client, db: None) -> None:
    response = client_en.get("/m/stations/nosuchcode/")
    assert response.status_code == 404
    assert "Station not found" in page(response)


def _jpeg(colour: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def test_photos_of_open_stations_are_public_with_cache_headers(street: Street, cast: Cast, client_en: Client) -> None:
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    photo = station_photo_add(jurisdiction=jurisdiction, actor=None, station=street.rest, data=_jpeg())
    closed_photo = station_photo_add(jurisdiction=jurisdiction, actor=None, station=street.closed, data=_jpeg())
    html = page(client_en.get("/m/stations/rest1/"))
    url = f"/m/stations/rest1/photos/{photo.pk}.jpg"
    assert f'<img src="{url}" width="40" height="30" loading="lazy" alt="Photo 1 of 花果园歇脚驿站">' in html
    response = client_en.get(url)
    assert (response.status_code, response["Content-Type"], response["Cache-Control"]) == (
        200,
        "image/jpeg",
        "public, max-age=3600",  # an hour: a deleted photo, or a closed station's, is not kept for a day
    )
    assert response.content == bytes(photo.data)
    assert "Set-Cookie" not in response.headers
    assert client_en.get(f"/m/stations/closed1/photos/{closed_photo.pk}.jpg").status_code == 404
    assert "<img" not in page(client_en.get("/m/stations/closed1/"))
    assert client_en.get(f"/m/stations/far1/photos/{photo.pk}.jpg").status_code == 404  # another station's
    assert client_en.get(f"/m/stations/rest1/photos/{photo.pk + 1000}.jpg").status_code == 404


# Checking in at a station ---------------------------------------------------------------------------------


def log_in(client: Client, next_path: str = "") -> Any:
    client.post("/m/login/", {"phone": RIDER_PHONE, "action": "send_code"})
    data = {"phone": RIDER_PHONE, "code": last_code(RIDER_PHONE), "action": "login"}
    if next_path:
        data["next"] = next_path
    return client.post("/m/login/", data)


def checkin_path(station: Station) -> str:
    """The address in the station's printed QR code: its check-in secret, not its public code."""
    return f"/m/s/{station.checkin_secret}/"


def test_an_anonymous_worker_logs_in_first_and_comes_back(street: Street, members: Members) -> None:
    client = english_client()
    here = checkin_path(street.rest)
    escaped = quote(here, safe="")
    shown = client.get(here)
    assert shown.status_code == 200
    assert f'<a class="m-button m-wide" href="/m/login/?next={escaped}" data-login>Log in to check in</a>' in page(
        shown
    )
    refused = client.post(here)
    assert (refused.status_code, refused["Location"]) == (302, f"/m/login/?next={escaped}")
    assert StationVisit.objects.count() == 0
    login_page = client.get(refused["Location"])
    assert f'<input type="hidden" name="next" value="{here}">' in page(login_page)
    logged_in = log_in(client, next_path=here)
    assert (logged_in.status_code, logged_in["Location"]) == (302, here)
    form = page(client.get(here))
    assert f'<form method="post" action="{here}">' in form
    assert '<button class="m-button m-wide" type="submit" name="action" value="checkin">Check in</button>' in form


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/m/", "/office/", "javascript:alert(1)"])
def test_login_goes_back_only_to_worker_pages(members: Members, target: str) -> None:
    client = english_client()
    assert log_in(client, next_path=target)["Location"] == "/m/me/"


def test_a_worker_checks_in_once_a_day(street: Street, members: Members) -> None:
    client = english_client()
    log_in(client)
    first = client.post(checkin_path(street.rest))
    assert first.status_code == 200
    assert '<p class="m-checkin-result m-ok" role="status">Checked in. Welcome, take a rest!</p>' in page(first)
    second = client.post(checkin_path(street.rest))
    assert '<p class="m-checkin-result m-ok" role="status">Already checked in today.</p>' in page(second)
    assert "Already checked in today." in page(client.get(checkin_path(street.rest)))
    visit = StationVisit.objects.get()
    assert (visit.station_id, visit.person_id, visit.people, visit.source) == (
        street.rest.pk,
        members.rider.pk,
        1,
        "qr",
    )
    client.post(checkin_path(street.heating))
    assert StationVisit.objects.filter(person=members.rider).count() == 2  # another station, another visit


def test_the_public_code_does_not_check_in(street: Street, members: Members) -> None:
    """The code in the station's page address and the nearby answers is public: anyone could check in from
    anywhere with it. Only the secret in the QR code at the station checks in."""
    client = english_client()
    log_in(client)
    for code in ("rest1", "heat1"):
        shown = client.get(f"/m/s/{code}/")
        assert shown.status_code == 404
        assert "QR code not found" in page(shown)
        assert 'value="checkin"' not in page(shown)
        refused = client.post(f"/m/s/{code}/")
        assert refused.status_code == 404
        assert "This QR code does not belong to any station." in page(refused)
    assert StationVisit.objects.count() == 0
    # Nor a secret of the wrong case or cut short.
    secret = street.rest.checkin_secret
    for wrong in (secret.swapcase() if secret.swapcase() != secret else secret + "x", secret[:-1]):
        assert client.post(f"/m/s/{wrong}/").status_code == 404
    assert StationVisit.objects.count() == 0


def test_the_checkin_secret_is_never_published(street: Street, cast: Cast, client_en: Client) -> None:
    make_merchant(cast, "m1", "老凯俚酸汤粉", 26.5810, 106.71)
    secrets = [station.checkin_secret for station in Station.objects.all()]
    assert len(secrets) == 6
    assert all(len(secret) == 24 for secret in secrets)
    answers = [
        nearby(client_en, limit="50"),
        client_en.get("/m/api/merchants/nearby", {"lat": "26.58", "lng": "106.71"}),
        client_en.get("/m/stations/", {"lat": "26.58", "lng": "106.71"}),
        client_en.get("/m/stations/", {"county": "520102"}),
        client_en.get("/m/stations/"),
        *(client_en.get(f"/m/stations/{station.code}/") for station in Station.objects.all()),
    ]
    assert {answer.status_code for answer in answers} == {200}
    for answer in answers:
        body = answer.content.decode()
        assert not [secret for secret in secrets if secret in body]
        assert "/m/s/" not in body
    # The check-in page links to the station's public page, by its code.
    checkin = page(client_en.get(checkin_path(street.rest)))
    assert '<a href="/m/stations/rest1/">About this station: services and hours</a>' in checkin
    assert '<meta name="referrer" content="no-referrer">' in checkin  # the secret goes nowhere in a Referer


@pytest.mark.parametrize("code", ["closed1", "paused1"])
def test_a_station_that_is_not_open_takes_no_check_in(street: Street, members: Members, code: str) -> None:
    client = english_client()
    log_in(client)
    here = checkin_path(Station.objects.get(code=code))
    shown = page(client.get(here))
    assert '<p class="m-problems" role="alert">This station is not open at present.</p>' in shown
    assert 'value="checkin"' not in shown
    refused = client.post(here)
    assert refused.status_code == 400
    assert "This station is not open at present." in page(refused)
    assert StationVisit.objects.count() == 0


def test_check_in_needs_the_csrf_token(street: Street, members: Members) -> None:
    client = english_client(enforce_csrf_checks=True)
    login_page = client.get("/m/login/")
    token = login_page.cookies["csrftoken"].value
    client.post("/m/login/", {"phone": RIDER_PHONE, "action": "send_code", "csrfmiddlewaretoken": token})
    client.post(
        "/m/login/",
        {"phone": RIDER_PHONE, "code": last_code(RIDER_PHONE), "action": "login", "csrfmiddlewaretoken": token},
    )
    assert client.post(checkin_path(street.rest)).status_code == 403
    assert StationVisit.objects.count() == 0


def test_an_unknown_check_in_code_is_404(client_en: Client, db: None) -> None:
    for unknown in ("nosuchcode", "x" * 40):
        response = client_en.get(f"/m/s/{unknown}/")
        assert response.status_code == 404
        assert "This QR code does not belong to any station." in page(response)


def test_the_districts_are_kept_for_ten_minutes(street: Street, cast: Cast, client_en: Client) -> None:
    assert '<option value="520103">' not in page(client_en.get("/m/stations/"))
    make_station(cast, "yy1", "云岩驿站", 26.60, 106.70, region="520103")
    assert '<option value="520103">' not in page(client_en.get("/m/stations/"))
    cache.delete(mobile_stations.COUNTIES_CACHE_KEY)  # as ten minutes later
    assert '<option value="520103">贵阳市 云岩区</option>' in page(client_en.get("/m/stations/"))
