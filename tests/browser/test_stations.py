"""A rider in 贵阳 finds the nearest open station with phone charging on a phone, in real Chromium: the page
takes the phone's location, the 充电 chip filters the list, the station's page links to the map app.

Around the rider: a closed station with charging (100 m), an open one without charging (200 m), then the
open station with charging (500 m). Elements are found by class and data attributes, not by their text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Geolocation, Page, expect

from gigunion.stations.models import Service, Station, StationKind, StationStatus, services_mask
from tests.conftest import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RIDER: Geolocation = {"latitude": 26.58, "longitude": 106.71}  # 花果园, 南明区
FIVE_HUNDRED_METRES = re.compile(r"^500 ?(米|m)$")  # 500米 once the catalogue has the words
# Leaflet draws a circle marker as an SVG path with its class leaflet-interactive, plus the className given.
STATION_MARKER = "path.leaflet-interactive.m-map-station"
HERE_MARKER = "path.leaflet-interactive.m-map-here"


@pytest.fixture
def located_phone(browser: Browser) -> Iterator[Page]:
    """A mid-size phone (390 × 844, touch, Chinese) that lets the page know where it is."""
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation=RIDER,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _station(code: str, name: str, lat: float, services: tuple[Service, ...], status: str, organization: Any) -> None:
    Station.objects.create(
        code=code,
        name=name,
        kind=StationKind.OUTDOOR_STATION,
        region_id="520102",
        organization=organization,
        lat=lat,
        lng=106.71,
        services=services_mask(services),
        hours_text="24小时",
        all_day=True,
        status=status,
    )


def test_a_rider_finds_the_nearest_open_station_with_charging(
    live_server: Any, located_phone: Page, screenshot_dir: Path
) -> None:
    cache.clear()  # the live server shares this process's cache
    cast = build_cast()
    _station("closed1", "已关闭充电驿站", 26.5809, (Service.CHARGING,), StationStatus.CLOSED, cast.district)
    _station("rest1", "花果园歇脚驿站", 26.5818, (Service.REST, Service.WATER), StationStatus.OPEN, cast.district)
    _station(
        "charge1", "南明河充电驿站", 26.5755, (Service.CHARGING, Service.TOILET), StationStatus.OPEN, cast.district
    )
    page = located_phone
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/m/stations/")
    page.locator("[data-locate]").tap()
    stations = page.locator("[data-station-list] .m-station")
    expect(stations.first).to_have_attribute("data-code", "rest1")  # the nearest open station, without charging
    expect(stations).to_have_count(2)

    page.locator("[data-filter=charging]").tap()
    expect(page.locator("[data-filter=charging]")).to_have_attribute("aria-pressed", "true")
    expect(stations).to_have_count(1)
    expect(stations.first).to_have_attribute("data-code", "charge1")
    expect(stations.first.locator(".m-distance")).to_have_text(FIVE_HUNDRED_METRES)
    assert "services=charging" in page.url  # a reload or a shared link shows the same list
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "mobile-stations-nearby.png"), full_page=True)

    # The map: Leaflet from our own static files, markers on a plain background (no tile service here).
    page.locator("[data-tab=map]").tap()
    expect(page.locator("[data-map].leaflet-container.is-plain")).to_be_visible()
    expect(page.locator(f"[data-map] {STATION_MARKER}")).to_have_count(1)
    expect(page.locator(f"[data-map] {HERE_MARKER}")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "mobile-stations-map.png"), full_page=True)
    page.locator("[data-tab=list]").tap()

    stations.first.locator("a").tap()
    expect(page.locator(".m-station-page h1")).to_have_text("南明河充电驿站")
    expect(page.locator(".m-station-page .m-distance")).to_have_text(FIVE_HUNDRED_METRES)
    amap = page.locator("[data-nav=amap]")
    expect(amap).to_be_visible()
    href = amap.get_attribute("href") or ""
    assert href.startswith("https://uri.amap.com/marker?position=106.713765,26.571974&name=")
    expect(page.locator("[data-nav=geo]")).to_have_attribute(
        "href",
        "geo:26.575500,106.710000?q=26.575500,106.710000(%E5%8D%97%E6%98%8E%E6%B2%B3%E5%85%85%E7%94%B5%E9%A9%BF%E7%AB%99)",
    )
    page.screenshot(path=str(screenshot_dir / "mobile-station-page.png"), full_page=True)

    # Back to the list by the station page's link (?lat=&lng=, chosen on the server): the map has the stations.
    page.locator(".m-help a[href^='/m/stations/?lat=']").tap()
    expect(stations).to_have_count(2)
    page.locator("[data-tab=map]").tap()
    expect(page.locator(f"[data-map] {STATION_MARKER}")).to_have_count(2)
    expect(page.locator(f"[data-map] {HERE_MARKER}")).to_have_count(1)
    assert errors == []


def test_a_district_chosen_without_location_shows_its_stations_on_the_map(live_server: Any, phone: Page) -> None:
    """No location shared: the district form answers from the server, and the map shows the same stations."""
    cache.clear()
    cast = build_cast()
    _station("closed1", "已关闭充电驿站", 26.5809, (Service.CHARGING,), StationStatus.CLOSED, cast.district)
    _station("rest1", "花果园歇脚驿站", 26.5818, (Service.REST, Service.WATER), StationStatus.OPEN, cast.district)
    _station("charge1", "南明河充电驿站", 26.5755, (Service.CHARGING,), StationStatus.OPEN, cast.district)
    page = phone
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    api_calls: list[str] = []
    page.on("request", lambda request: api_calls.append(request.url) if "/m/api/" in request.url else None)

    page.goto(f"{live_server.url}/m/stations/")
    page.locator("[data-county] select").select_option("520102")
    page.locator("[data-county] button[type=submit]").tap()
    expect(page.locator("[data-station-list] .m-station")).to_have_count(2)
    assert "county=520102" in page.url
    page.locator("[data-tab=map]").tap()
    expect(page.locator("[data-map].leaflet-container")).to_be_visible()
    expect(page.locator(f"[data-map] {STATION_MARKER}")).to_have_count(2)
    expect(page.locator(f"[data-map] {HERE_MARKER}")).to_have_count(1)
    assert api_calls == []  # the stations came with the page
    assert "county=520102" in page.url  # the address still names the district
    assert errors == []
