"""The station pages of the back office: the list (filters, usage by area, map, export), the form, a
station's page (status, photos, QR code, usage) and every change made there.

Every page and every POST is tried against the roles that must not pass; pages are read in English.
The stations: 花果园驿站 and 油榨街司机之家 in a street of 南明区 (our district), 青云路爱心小站 placed on
南明区 itself, and 北京路驿站 in 云岩区 (the other district).
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook  # type: ignore[import-untyped]
from PIL import Image

from gigunion.core.models import AuditAction, AuditEvent
from gigunion.orgs.access import require_jurisdiction
from gigunion.regions.models import Region
from gigunion.stations.checks import check_station
from gigunion.stations.geo import gcj02_to_wgs84
from gigunion.stations.imports import STATION_EXPORT_HEADERS
from gigunion.stations.models import (
    SERVICE_BITS,
    Service,
    Station,
    StationPhoto,
    StationStatus,
    StationVisit,
    VisitSource,
    services_mask,
)
from gigunion.stations.services import station_checkin, station_save, station_set_status, visit_record
from gigunion.stations.spatial import nearest
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

HUAGUOYUAN = (26.5683, 106.7135)
CORE = "休息、充电、医药箱、饮水、学习交流"


def client(cast: Cast, who: str) -> Client:
    """A client for one role of the cast (or nobody), reading pages in English."""
    browser = cast.client_for(None if who == "anonymous" else getattr(cast, who))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def html(response: Any) -> str:
    return str(response.content.decode())


def rows(page: str, name: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'<tr data-{name}="(\d+)"', page)]


def row(page: str, name: str, key: str | int) -> str:
    return page.split(f'<tr data-{name}="{key}"')[1].split("</tr>")[0]


def counts(fragment: str) -> dict[str, str]:
    """The numbers of a row by their data-count name (links unwrapped)."""
    return {
        name: re.sub(r"<[^>]+>", "", value)
        for name, value in re.findall(r'data-count="(\w+)">(.*?)</td>', fragment, flags=re.S)
    }


def json_script(page: str, element_id: str) -> Any:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, flags=re.S)
    assert match, element_id
    return json.loads(match.group(1))


def street(code: str, index: int = 0) -> Region:
    return list(Region.objects.filter(parent_id=code).order_by("code"))[index]


def make_station(cast: Cast, **texts: str) -> Station:
    """A station saved the way the form saves one (checked as an import row), by the city administrator."""
    row = {
        "name": "花果园驿站",
        "kind": "户外劳动者服务站点",
        "region": street("520102").code,
        "lat": str(HUAGUOYUAN[0]),
        "lng": str(HUAGUOYUAN[1]),
        "hours": "24小时",
        "services": CORE,
    }
    row.update(texts)
    checked = check_station(row)
    assert checked.ok, checked.errors
    user = cast.city_staff.user
    return station_save(jurisdiction=require_jurisdiction(user), actor=user, values=checked.values)


class Stations:
    def __init__(self, cast: Cast) -> None:
        self.huaguoyuan = make_station(cast, host="工商银行花果园支行", stars="4", services=CORE + "、如厕")
        self.youzhajie = make_station(
            cast,
            name="油榨街司机之家",
            kind="司机之家",
            lat="26.5600",
            lng="106.7200",
            hours="08:00-20:00",
            services="休息、热饭",
        )
        self.qingyun = make_station(
            cast,
            name="青云路爱心小站",
            kind="爱心小站",
            region="520102",
            lat="26.5750",
            lng="106.7100",
            services="饮水",
        )
        self.beijinglu = make_station(
            cast, name="北京路驿站", region=street("520103").code, lat="26.6000", lng="106.7100", services=CORE
        )
        user = cast.city_staff.user
        station_set_status(
            jurisdiction=require_jurisdiction(user), actor=user, station=self.qingyun, status=StationStatus.PAUSED
        )


@pytest.fixture
def stations(cast: Cast) -> Stations:
    return Stations(cast)


def jpeg_with_gps() -> bytes:
    """A camera-like JPEG whose EXIF holds a GPS position and a camera model."""
    image = Image.new("RGB", (64, 48), (200, 30, 40))
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # Model
    exif[0x8825] = {1: "N", 2: (26.0, 34.0, 5.88), 3: "E", 4: (106.0, 42.0, 48.6)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(0x8825)[2] == (26.0, 34.0, 5.88)
    return data


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def form_data(**overrides: str | list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "遵义路驿站",
        "kind": "outdoor_station",
        "host": "社区服务中心",
        "region": "520102",
        "address": "遵义路 18 号",
        "crs": "WGS84",
        "lat": "26.5650",
        "lng": "106.7080",
        "hours": "08:00-12:00、14:00-20:00",
        "services": ["rest", "charging", "food_heating"],
        "stars": "3",
        "contact_name": "王芳",
        "contact_phone": "0851-85550000",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------------
# Who may see and change what
# ---------------------------------------------------------------------------------------------


def page_urls(stations: Stations) -> list[str]:
    pk = stations.huaguoyuan.pk
    return [
        f"/office/stations/{pk}/",
        f"/office/stations/{pk}/edit/",
        f"/office/stations/{pk}/poster/",
        f"/office/stations/{pk}/qr.png",
    ]


def post_urls(stations: Stations) -> list[str]:
    pk = stations.huaguoyuan.pk
    return [
        f"/office/stations/{pk}/edit/",
        f"/office/stations/{pk}/status/",
        f"/office/stations/{pk}/photos/",
        f"/office/stations/{pk}/visits/",
    ]


def test_it_sends_anonymous_visitors_to_the_login_page(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "anonymous")
    for url in ["/office/stations/", "/office/stations/new/", *page_urls(stations)]:
        response = browser.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/office/login/"), url
    for url in post_urls(stations):
        assert browser.post(url, {"status": "closed"}).status_code == 302, url
    assert Station.objects.get(pk=stations.huaguoyuan.pk).status == StationStatus.OPEN


def test_it_refuses_accounts_outside_any_union(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "outsider")
    for url in ["/office/stations/", "/office/stations/new/", *page_urls(stations)]:
        assert browser.get(url).status_code == 403, url
    for url in post_urls(stations):
        assert browser.post(url, {"status": "closed"}).status_code == 403, url


def test_another_districts_station_is_not_found(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "other_district_staff")
    for url in page_urls(stations):
        assert browser.get(url).status_code == 404, url
    for url in post_urls(stations):
        assert browser.post(url, {"status": "closed", "people": "3"}).status_code == 404, url
    assert browser.get("/office/stations/?region=520102").status_code == 404
    assert Station.objects.get(pk=stations.huaguoyuan.pk).status == StationStatus.OPEN
    assert not StationVisit.objects.exists()


def test_a_viewer_may_look_but_not_change(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "district_viewer")
    pk = stations.huaguoyuan.pk
    assert browser.get("/office/stations/").status_code == 200
    page = html(browser.get(f"/office/stations/{pk}/"))
    assert 'data-section="status"' not in page
    assert 'name="photos"' not in page
    assert 'data-form="visits"' not in page
    assert f"/office/stations/{pk}/edit/" not in page
    assert browser.get(f"/office/stations/{pk}/poster/").status_code == 200
    assert browser.get("/office/stations/new/").status_code == 403
    assert browser.get(f"/office/stations/{pk}/edit/").status_code == 403
    assert browser.post("/office/stations/new/", form_data()).status_code == 403
    assert browser.post(f"/office/stations/{pk}/edit/", form_data()).status_code == 403
    assert browser.post(f"/office/stations/{pk}/status/", {"status": "closed"}).status_code == 403
    photos = {"photos": upload("a.jpg", jpeg_with_gps())}
    assert browser.post(f"/office/stations/{pk}/photos/", photos).status_code == 403
    today = timezone.localdate().isoformat()
    assert browser.post(f"/office/stations/{pk}/visits/", {"visited_on": today, "people": "3"}).status_code == 403
    assert Station.objects.get(pk=pk).status == StationStatus.OPEN
    assert not Station.objects.filter(name="遵义路驿站").exists()
    assert not StationPhoto.objects.exists()
    assert not StationVisit.objects.exists()


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


def listed(cast: Cast, who: str = "district_staff", query: str = "") -> list[int]:
    response = client(cast, who).get(f"/office/stations/{query}")
    assert response.status_code == 200
    return rows(html(response), "station")


def test_the_list_shows_the_jurisdictions_stations_with_their_figures(cast: Cast, stations: Stations) -> None:
    page = html(client(cast, "district_staff").get("/office/stations/"))
    # Ordered by region code, then name: 南明区 itself before its streets.
    assert rows(page, "station") == [stations.qingyun.pk, stations.youzhajie.pk, stations.huaguoyuan.pk]
    assert "3 stations" in page
    huaguoyuan = row(page, "station", stations.huaguoyuan.pk)
    assert "花果园驿站" in huaguoyuan
    assert "工商银行花果园支行" in huaguoyuan
    assert "Outdoor workers&#x27; station" in huaguoyuan
    assert street("520102").name in huaguoyuan
    assert re.search(r"data-services>5/5 \+ 1</td>", huaguoyuan)
    assert "24 hours" in huaguoyuan
    assert 'data-status="open"' in huaguoyuan
    assert "4★" in huaguoyuan
    youzhajie = row(page, "station", stations.youzhajie.pk)
    assert re.search(r"data-services>1/5 \+ 1</td>", youzhajie)
    assert "08:00-20:00" in youzhajie
    assert 'data-status="paused"' in row(page, "station", stations.qingyun.pk)
    assert listed(cast, "city_staff") == [
        stations.qingyun.pk,
        stations.youzhajie.pk,
        stations.huaguoyuan.pk,
        stations.beijinglu.pk,
    ]


def test_the_list_filters(cast: Cast, stations: Stations) -> None:
    first_street = street("520102").code
    assert listed(cast, query="?q=花果园") == [stations.huaguoyuan.pk]
    assert listed(cast, query="?q=工商银行") == [stations.huaguoyuan.pk]
    assert listed(cast, query=f"?region={first_street}") == [stations.youzhajie.pk, stations.huaguoyuan.pk]
    assert listed(cast, query="?kind=driver_home") == [stations.youzhajie.pk]
    assert listed(cast, query="?status=paused") == [stations.qingyun.pk]
    assert listed(cast, query="?status=open") == [stations.youzhajie.pk, stations.huaguoyuan.pk]
    assert listed(cast, query="?service=charging") == [stations.huaguoyuan.pk]
    assert listed(cast, query="?service=food_heating&status=open") == [stations.youzhajie.pk]
    assert listed(cast, query="?service=toilet&kind=caring_station") == []
    assert listed(cast, "city_staff", query="?region=520103") == [stations.beijinglu.pk]
    page = html(client(cast, "district_staff").get("/office/stations/?service=charging"))
    assert "1 station" in page


def test_the_list_pages_by_fifty_in_a_fixed_number_of_queries(cast: Cast, stations: Stations) -> None:
    region = street("520102", 1).code
    browser = client(cast, "district_staff")
    make_station(cast, name="站点00", region=region, lat="26.55", lng="106.700")
    with CaptureQueriesContext(connection) as few:
        assert len(rows(html(browser.get(f"/office/stations/?region={region}")), "station")) == 1
    for index in range(1, 52):
        make_station(cast, name=f"站点{index:02d}", region=region, lat="26.55", lng=f"{106.70 + index / 1000:.3f}")
    with CaptureQueriesContext(connection) as many:
        first = html(browser.get(f"/office/stations/?region={region}"))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(rows(first, "station")) == 50
    assert "52 stations" in first
    assert "Page 1 of 2" in first
    second = html(browser.get(f"/office/stations/?region={region}&page=2"))
    assert [Station.objects.get(pk=pk).name for pk in rows(second, "station")] == ["站点50", "站点51"]


def test_the_list_sums_usage_by_child_region_in_the_period(cast: Cast, stations: Stations, members: Any) -> None:
    today = timezone.localdate()
    user = cast.city_staff.user
    jurisdiction = require_jurisdiction(user)

    def record(station: Station, people: int, days_ago: int) -> None:
        visit_record(
            jurisdiction=jurisdiction,
            actor=user,
            station=station,
            people=people,
            visited_on=today - timedelta(days=days_ago),
        )

    record(stations.huaguoyuan, 10, 1)
    station_checkin(station=stations.huaguoyuan, person=members.rider)
    record(stations.qingyun, 3, 2)
    record(stations.qingyun, 5, 40)  # before the default period
    record(stations.beijinglu, 7, 1)  # another district
    first_street = street("520102")
    browser = client(cast, "district_staff")
    page = html(browser.get("/office/stations/"))
    assert counts(row(page, "usage", "total")) == {"stations": "3", "open": "2", "person_times": "14"}
    assert counts(row(page, "usage", first_street.code)) == {"stations": "2", "open": "2", "person_times": "11"}
    assert counts(row(page, "usage", "520102")) == {"stations": "1", "open": "0", "person_times": "3"}
    assert "Directly in 南明区" in row(page, "usage", "520102")
    assert counts(row(page, "usage", street("520102", 1).code)) == {"stations": "0", "open": "0", "person_times": "0"}
    assert counts(row(page, "station", stations.huaguoyuan.pk)) == {"person_times": "11"}
    assert counts(row(page, "station", stations.qingyun.pk)) == {"person_times": "3"}
    # Each number leads to the list it counts.
    link = re.search(r'href="([^"]+)"', row(page, "usage", first_street.code))
    assert link
    assert link.group(1) == f"/office/stations/?region={first_street.code}"
    open_link = re.findall(r'href="([^"]+)"', row(page, "usage", first_street.code))[1]
    assert open_link == f"/office/stations/?region={first_street.code}&amp;status=open"
    assert listed(cast, query=f"?region={first_street.code}") == [stations.youzhajie.pk, stations.huaguoyuan.pk]
    # A longer period takes the older count in; the links keep the period.
    since = (today - timedelta(days=45)).isoformat()
    longer = html(browser.get(f"/office/stations/?since={since}&until={today.isoformat()}"))
    assert counts(row(longer, "usage", "total")) == {"stations": "3", "open": "2", "person_times": "19"}
    assert counts(row(longer, "station", stations.qingyun.pk)) == {"person_times": "8"}
    assert f"since={since}&amp;until={today.isoformat()}&amp;region={first_street.code}" in row(
        longer, "usage", first_street.code
    )
    # The city sees the districts.
    city = html(client(cast, "city_staff").get("/office/stations/"))
    assert counts(row(city, "usage", "total")) == {"stations": "4", "open": "3", "person_times": "21"}
    assert counts(row(city, "usage", "520102")) == {"stations": "3", "open": "2", "person_times": "14"}
    assert counts(row(city, "usage", "520103")) == {"stations": "1", "open": "1", "person_times": "7"}


def test_a_bad_period_says_so_and_shows_the_last_30_days(cast: Cast, stations: Stations) -> None:
    page = html(client(cast, "district_staff").get("/office/stations/?since=2026-13-01"))
    assert "Enter the period&#x27;s dates as YYYY-MM-DD; the last 30 days are shown." in page
    today = timezone.localdate()
    assert f'name="since" type="date" value="{(today - timedelta(days=29)).isoformat()}"' in page
    page = html(client(cast, "district_staff").get("/office/stations/?since=2026-02-01&until=2026-01-01"))
    assert "The period ends before it starts; the last 30 days are shown." in page


def test_the_map_has_the_filtered_stations_on_a_plain_background(cast: Cast, stations: Stations) -> None:
    page = html(client(cast, "district_staff").get("/office/stations/?status=open"))
    markers = json_script(page, "station-map-points")
    assert markers == [
        [stations.youzhajie.pk, "油榨街司机之家", 26.56, 106.72, "open"],
        [stations.huaguoyuan.pk, "花果园驿站", HUAGUOYUAN[0], HUAGUOYUAN[1], "open"],
    ]
    config = json_script(page, "station-map-config")
    assert config["tile_url"] == ""
    assert config["labels"] == {"open": "Open", "paused": "Closed temporarily", "closed": "Closed"}
    assert "data-no-base-map" in page
    assert "/static/vendor/leaflet/leaflet.js" in page
    assert "/static/js/station-map.js" in page


def test_the_map_uses_the_configured_tile_service(cast: Cast, stations: Stations, settings: Any) -> None:
    settings.MAP_TILE_URL = "https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
    settings.MAP_TILE_ATTRIBUTION = "天地图"
    page = html(client(cast, "district_staff").get("/office/stations/"))
    config = json_script(page, "station-map-config")
    assert config["tile_url"] == settings.MAP_TILE_URL
    assert config["attribution"] == "天地图"
    assert "data-no-base-map" not in page


def test_the_export_is_the_filtered_list_in_the_import_columns(cast: Cast, stations: Stations) -> None:
    response = client(cast, "district_staff").get("/office/stations/?status=open&format=xlsx&page=2")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(cells) for cells in sheet.iter_rows(values_only=True)]
    assert values[0] == STATION_EXPORT_HEADERS
    first_street = street("520102").code
    youzhajie = ["油榨街司机之家", "司机之家", first_street, None, 106.72, 26.56, "WGS84", "08:00-20:00"]
    huaguoyuan = ["花果园驿站", "户外劳动者服务站点", first_street, None, HUAGUOYUAN[1], HUAGUOYUAN[0], "WGS84"]
    assert values[1:] == [
        [*youzhajie, "休息、热饭", None, None, None, None, "开放"],
        [
            *huaguoyuan,
            "24小时",
            "休息、充电、医药箱、饮水、学习交流、如厕",
            None,
            None,
            4,
            "工商银行花果园支行",
            "开放",
        ],
    ]


def test_the_list_links_to_the_import_and_a_new_station_for_operators(cast: Cast, stations: Stations) -> None:
    page = html(client(cast, "district_staff").get("/office/stations/"))
    assert 'href="/office/imports/stations/"' in page
    assert 'href="/office/stations/new/"' in page
    viewer = html(client(cast, "district_viewer").get("/office/stations/"))
    assert 'href="/office/imports/stations/"' not in viewer
    assert 'href="/office/stations/new/"' not in viewer


# ---------------------------------------------------------------------------------------------
# Creating and changing a station
# ---------------------------------------------------------------------------------------------


def test_an_operator_adds_a_station(cast: Cast) -> None:
    response = client(cast, "district_staff").post("/office/stations/new/", form_data())
    station = Station.objects.get(name="遵义路驿站")
    assert response.status_code == 302
    assert response["Location"] == f"/office/stations/{station.pk}/"
    assert (station.kind, station.host, station.region_id, station.address) == (
        "outdoor_station",
        "社区服务中心",
        "520102",
        "遵义路 18 号",
    )
    assert (station.lat, station.lng) == (26.565, 106.708)
    assert (station.hours_text, station.all_day, station.hours_ranges) == (
        "08:00-12:00、14:00-20:00",
        False,
        [[480, 720], [840, 1200]],
    )
    assert station.services == services_mask([Service.REST, Service.CHARGING, Service.FOOD_HEATING])
    assert (station.stars, station.contact_name, station.contact_phone) == (3, "王芳", "0851-85550000")
    assert (station.status, station.organization_id, station.created_by) == (
        StationStatus.OPEN,
        cast.district.pk,
        cast.district_staff.user,
    )
    event = AuditEvent.objects.get(action=AuditAction.STATION_CHANGED, object_id=station.pk)
    assert event.actor == cast.district_staff.user
    assert [near.id for near in nearest("station", lat=26.565, lng=106.708, limit=1)] == [station.pk]


def test_coordinates_from_amap_are_converted_to_wgs84(cast: Cast) -> None:
    client(cast, "district_staff").post("/office/stations/new/", form_data(crs="GCJ02", lat="26.5650", lng="106.7080"))
    station = Station.objects.get(name="遵义路驿站")
    lat, lng = gcj02_to_wgs84(26.565, 106.708)
    assert (station.lat, station.lng) == (round(lat, 7), round(lng, 7))
    assert abs(station.lat - 26.565) > 0.001


def form_errors(response: Any) -> dict[str, str]:
    """Each field's error, by field name (Django renders the errors just before the field's input)."""
    page = html(response)
    pattern = r'<ul class="errorlist"[^>]*id="id_(\w+)_error"[^>]*><li>(.*?)</li>'
    return dict(re.findall(pattern, page, flags=re.S))


def test_bad_input_gets_a_message_next_to_each_field_and_saves_nothing(cast: Cast) -> None:
    response = client(cast, "district_staff").post(
        "/office/stations/new/", form_data(lat="106.7080", lng="26.5650", hours="8点到晚上", contact_phone="call me")
    )
    assert response.status_code == 400
    assert form_errors(response) == {
        "lat": "Latitude 106.7080 and longitude 26.5650 look swapped: in China latitude is 4–54 and longitude 73–135.",
        "hours": "Opening hours “8点到晚上” are not like 08:00-20:00 or 24小时.",
        "contact_phone": "“call me” is not a phone number.",
    }
    assert "Correct the fields marked below; nothing was saved." in html(response)
    assert not Station.objects.exists()


def test_a_place_outside_china_or_another_district_is_refused(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "district_staff")
    response = browser.post("/office/stations/new/", form_data(lat="48.8566", lng="2.3522"))
    assert form_errors(response) == {"lat": "The place (48.8566, 2.3522) is outside China."}
    response = browser.post("/office/stations/new/", form_data(region="520103"))
    assert response.status_code == 400
    assert form_errors(response) == {"region": "云岩区 (520103) is outside your jurisdiction."}
    response = browser.post("/office/stations/new/", form_data(region="999999"))
    assert form_errors(response) == {"region": "Unknown division code 999999."}
    response = browser.post("/office/stations/new/", form_data(name="花果园驿站", region=street("520102").code))
    assert form_errors(response) == {"name": f"{street('520102').name} already has a station named 花果园驿站."}
    response = browser.post("/office/stations/new/", form_data(services=["rest", "sauna"], kind="castle"))
    assert set(form_errors(response)) == {"services", "kind"}
    assert Station.objects.count() == 4


def test_an_operator_changes_a_station(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "district_staff")
    pk = stations.youzhajie.pk
    page = html(browser.get(f"/office/stations/{pk}/edit/"))
    assert 'name="name" value="油榨街司机之家"' in page
    assert 'name="lat" value="26.56"' in page
    assert re.search(r'value="food_heating"[^>]*checked', page)
    assert not re.search(r'value="charging"[^>]*checked', page)
    response = browser.post(
        f"/office/stations/{pk}/edit/",
        form_data(name="油榨街司机之家", kind="driver_home", hours="24小时", services=["rest", "toilet"], stars=""),
    )
    assert response.status_code == 302
    station = Station.objects.get(pk=pk)
    assert (station.all_day, station.services, station.stars, station.region_id) == (
        True,
        SERVICE_BITS[Service.REST] | SERVICE_BITS[Service.TOILET],
        None,
        "520102",
    )
    bad = browser.post(f"/office/stations/{pk}/edit/", form_data(name="", lat="abc"))
    assert bad.status_code == 400
    assert form_errors(bad) == {"name": "This field is required.", "lat": "“abc” is not a number of degrees."}
    assert Station.objects.get(pk=pk).name == "油榨街司机之家"


# ---------------------------------------------------------------------------------------------
# A station's page
# ---------------------------------------------------------------------------------------------


def test_the_station_page_shows_all_its_data(cast: Cast, stations: Stations) -> None:
    page = html(client(cast, "district_staff").get(f"/office/stations/{stations.huaguoyuan.pk}/"))
    assert "工商银行花果园支行" in page
    assert f'{street("520102").name} <span class="code">{street("520102").code}</span>' in page
    assert "26.568300, 106.713500" in page
    assert "24 hours" in page
    assert "Open now" in page
    assert "4★" in page
    assert '<dd data-field="organization">贵阳市总工会</dd>' in page  # the city administrator created it
    core = page.split('data-services="core"')[1].split("</ul>")[0]
    assert "missing" not in core
    extra = page.split('data-services="extra"')[1].split("</ul>")[0]
    assert "Toilet" in extra
    youzhajie = html(client(cast, "district_staff").get(f"/office/stations/{stations.youzhajie.pk}/"))
    core = youzhajie.split('data-services="core"')[1].split("</ul>")[0]
    assert core.count("(missing)") == 4


def test_closing_a_station_takes_it_off_the_workers_map(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "district_staff")
    pk = stations.huaguoyuan.pk
    assert [near.id for near in nearest("station", lat=HUAGUOYUAN[0], lng=HUAGUOYUAN[1], limit=1)] == [pk]
    response = browser.post(f"/office/stations/{pk}/status/", {"status": "paused"})
    assert response.status_code == 302
    assert response["Location"] == f"/office/stations/{pk}/"
    assert Station.objects.get(pk=pk).status == StationStatus.PAUSED
    near = [near.id for near in nearest("station", lat=HUAGUOYUAN[0], lng=HUAGUOYUAN[1], limit=10)]
    assert near == [stations.youzhajie.pk, stations.beijinglu.pk]
    page = html(browser.get(f"/office/stations/{pk}/"))
    assert "“花果园驿站” is now: Closed temporarily." in page
    browser.post(f"/office/stations/{pk}/status/", {"status": "open"})
    assert nearest("station", lat=HUAGUOYUAN[0], lng=HUAGUOYUAN[1], limit=1)[0].id == pk
    details = list(
        AuditEvent.objects.filter(action=AuditAction.STATION_CHANGED, object_id=pk)
        .order_by("pk")
        .values_list("details", flat=True)
    )
    assert details[-2:] == [{"status": "paused"}, {"status": "open"}]
    browser.post(f"/office/stations/{pk}/status/", {"status": "demolished"})
    assert Station.objects.get(pk=pk).status == StationStatus.OPEN


def test_photos_are_stored_and_served_without_exif(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "district_staff")
    pk = stations.huaguoyuan.pk
    original = jpeg_with_gps()
    response = browser.post(
        f"/office/stations/{pk}/photos/",
        {"photos": [upload("front.jpg", original), upload("inside.jpg", jpeg_with_gps())]},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/office/stations/{pk}/#photos"
    photos = list(StationPhoto.objects.filter(station_id=pk))
    assert len(photos) == 2
    page = html(browser.get(f"/office/stations/{pk}/"))
    assert "2 photos are added." in page
    assert f'src="/office/stations/photos/{photos[0].pk}.jpg"' in page
    served = browser.get(f"/office/stations/photos/{photos[0].pk}.jpg")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, max-age=604800, immutable"
    data = served.content
    assert data[:2] == b"\xff\xd8"
    assert b"Exif" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (64, 48)
    # Only staff who may see the station get its photos.
    assert client(cast, "other_district_staff").get(f"/office/stations/photos/{photos[0].pk}.jpg").status_code == 404
    assert client(cast, "district_viewer").get(f"/office/stations/photos/{photos[0].pk}.jpg").status_code == 200
    assert client(cast, "outsider").get(f"/office/stations/photos/{photos[0].pk}.jpg").status_code == 403
    anonymous = client(cast, "anonymous").get(f"/office/stations/photos/{photos[0].pk}.jpg")
    assert anonymous.status_code == 302


def test_a_disguised_file_is_refused_with_its_name(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "district_staff")
    pk = stations.huaguoyuan.pk
    response = browser.post(
        f"/office/stations/{pk}/photos/",
        {"photos": [upload("notes.jpg", b"just some text, not a photo\n"), upload("ok.jpg", jpeg_with_gps())]},
        follow=True,
    )
    page = html(response)
    assert "“notes.jpg” is not added: This file is not a photo that can be read." in page
    assert "1 photo is added." in page
    assert StationPhoto.objects.filter(station_id=pk).count() == 1
    empty = html(browser.post(f"/office/stations/{pk}/photos/", {}, follow=True))
    assert "Choose one or more photos." in empty


def test_a_station_has_at_most_nine_photos(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "district_staff")
    pk = stations.huaguoyuan.pk
    files = [upload(f"p{index}.jpg", jpeg_with_gps()) for index in range(11)]
    page = html(browser.post(f"/office/stations/{pk}/photos/", {"photos": files}, follow=True))
    assert "“p9.jpg” is not added: A station has at most 9 photos." in page
    assert "p10.jpg" not in page
    assert "9 photos are added." in page
    assert StationPhoto.objects.filter(station_id=pk).count() == 9


def test_deleting_a_photo(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "district_staff")
    pk = stations.huaguoyuan.pk
    browser.post(f"/office/stations/{pk}/photos/", {"photos": [upload("a.jpg", jpeg_with_gps())]})
    photo = StationPhoto.objects.get(station_id=pk)
    url = f"/office/stations/photos/{photo.pk}/delete/"
    assert client(cast, "district_viewer").post(url).status_code == 403
    assert client(cast, "other_district_staff").post(url).status_code == 404
    assert client(cast, "outsider").post(url).status_code == 403
    assert client(cast, "anonymous").post(url).status_code == 302
    assert StationPhoto.objects.filter(pk=photo.pk).exists()
    assert browser.get(url).status_code == 405
    response = browser.post(url)
    assert response["Location"] == f"/office/stations/{pk}/#photos"
    assert not StationPhoto.objects.exists()
    assert browser.get(f"/office/stations/photos/{photo.pk}.jpg").status_code == 404


def test_the_check_in_qr_code_and_poster(cast: Cast, stations: Stations, settings: Any) -> None:
    browser = client(cast, "district_staff")
    station = stations.huaguoyuan
    page = html(browser.get(f"/office/stations/{station.pk}/"))
    assert f"http://testserver/m/s/{station.checkin_secret}/" in page
    assert re.search(r'<svg viewBox="0 0 \d+ \d+" class="station-qr">', page)
    settings.PUBLIC_BASE_URL = "https://union.example.cn/"
    poster = html(browser.get(f"/office/stations/{station.pk}/poster/"))
    assert f"https://union.example.cn/m/s/{station.checkin_secret}/" in poster
    assert "Scan to check in" in poster
    assert "贵阳市总工会" in poster
    assert re.search(r'<svg viewBox="0 0 \d+ \d+" class="poster-qr">', poster)
    png = browser.get(f"/office/stations/{station.pk}/qr.png")
    assert png["Content-Type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert browser.get(f"/office/stations/{station.pk}/qr.svg")["Content-Type"] == "image/svg+xml"
    assert browser.get(f"/office/stations/{station.pk}/qr.gif").status_code == 404
    closed = html(browser.get(f"/office/stations/{stations.qingyun.pk}/poster/"))
    assert "This station is not open" in closed


def test_staff_record_person_times_and_the_page_shows_usage(cast: Cast, stations: Stations, members: Any) -> None:
    browser = client(cast, "district_staff")
    pk = stations.huaguoyuan.pk
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    chinese = html(cast.client_for(cast.district_staff).get(f"/office/stations/{pk}/"))
    assert f'<input type="date" name="visited_on" value="{today.isoformat()}"' in chinese  # what date inputs take
    response = browser.post(f"/office/stations/{pk}/visits/", {"visited_on": yesterday.isoformat(), "people": "12"})
    assert response.status_code == 302
    assert response["Location"] == f"/office/stations/{pk}/#usage"
    visit = StationVisit.objects.get(station_id=pk)
    assert (visit.people, visit.visited_on, visit.source, visit.recorded_by) == (
        12,
        yesterday,
        VisitSource.STAFF,
        cast.district_staff.user,
    )
    station_checkin(station=stations.huaguoyuan, person=members.rider)
    page = html(browser.get(f"/office/stations/{pk}/"))
    assert f"12 person-times are recorded for {yesterday.isoformat()}." in page
    usage = page.split('id="usage"')[1]
    assert re.search(r'data-count="total">13<', usage)
    assert re.search(r'data-count="qr">1<', usage)
    assert re.search(r'data-count="staff">12<', usage)
    chart = json_script(page, "station-usage")
    assert len(chart["labels"]) == 30
    assert chart["labels"][-1] == today.strftime("%m-%d")
    assert chart["values"][-2:] == [12, 1]
    assert sum(chart["values"]) == 13
    assert f'<tr data-visit="{visit.pk}"><td>{yesterday.isoformat()}</td><td class="num">12</td>' in page


def test_bad_person_time_records_are_refused(cast: Cast, stations: Stations) -> None:
    browser = client(cast, "district_staff")
    pk = stations.huaguoyuan.pk
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = browser.post(f"/office/stations/{pk}/visits/", {"visited_on": tomorrow, "people": "3"})
    assert response.status_code == 400
    assert form_errors(response) == {"visited_on": "Visits cannot be recorded for a day in the future."}
    response = browser.post(f"/office/stations/{pk}/visits/", {"visited_on": "yesterday", "people": "0"})
    assert form_errors(response) == {
        "visited_on": "Enter a valid date.",
        "people": "Ensure this value is greater than or equal to 1.",
    }
    assert not StationVisit.objects.exists()
