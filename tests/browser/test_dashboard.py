"""City staff open the dashboard in real Chromium: the four charts draw, clicking a district's bar opens its
dashboard, and the Excel report downloads and opens (tests/surveys/data.py's dataset)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, build_cast
from tests.people import build_members
from tests.surveys.data import build_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["occupations", "trend", "places", "funnel"]


def test_city_staff_read_the_dashboard_drill_down_and_download_the_report(
    live_server: Any, page: Page, screenshot_dir: Path
) -> None:
    cache.clear()
    cast = build_cast()
    build_survey(cast, build_members(cast))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/office/login/")
    page.locator("#id_username").fill("city_staff")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{live_server.url}/office/")
    page.goto(f"{live_server.url}/office/dashboard/")
    for chart in CHARTS:
        expect(page.locator(f"[data-dashboard-chart={chart}] canvas")).to_have_count(1)
    expect(page.locator("[data-tile=membership_sentence]")).to_have_text(
        "3 / 5（60.0%）"
    )  # the back office speaks Chinese by default
    page.screenshot(path=str(screenshot_dir / "office-dashboard.png"), full_page=True)

    # The ranked chart's first bar is 南明区 (100%): clicking it opens 南明区's dashboard.
    ranked = page.locator("[data-dashboard-chart=places] canvas")
    page.locator("[data-dashboard-chart=places]").scroll_into_view_if_needed()
    box = ranked.bounding_box()
    assert box is not None
    first_bar = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.querySelector('[data-dashboard-chart=places]'));
            return chart.convertToPixel({seriesIndex: 0}, [50, 0]);
        }"""
    )
    page.mouse.click(box["x"] + first_bar[0], box["y"] + first_bar[1])
    page.wait_for_url("**/office/dashboard/?region=520102*")
    expect(page.locator("h1")).to_have_text("数据看板 · 南明区")
    for chart_name in CHARTS:
        expect(page.locator(f"[data-dashboard-chart={chart_name}] canvas")).to_have_count(1)
    # And back up through the breadcrumb, then down through the table's link.
    page.locator(".breadcrumbs a", has_text="贵阳市").click()
    expect(page.locator("h1")).to_have_text("数据看板 · 贵阳市")
    page.locator("tr[data-region='520103'] a[data-drill]").click()
    expect(page.locator("h1")).to_have_text("数据看板 · 云岩区")

    with page.expect_download() as download_info:
        page.locator("a[data-download=xlsx]").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = download.path()
    assert path is not None
    book = openpyxl.load_workbook(io.BytesIO(Path(path).read_bytes()))
    assert book.sheetnames == ["总表", "分地区", "地区×职业", "说明"]
    assert list(book["总表"].iter_rows(values_only=True))[-1] == ("全部职业", 1, 1, 1, 3, 1, "0.3333", "1.0000")
    assert errors == []
