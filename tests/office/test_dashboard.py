"""The back office's dashboard (数据看板) on tests/surveys/data.py's dataset: who may see which area, the exact
tiles and tables, the lists behind the numbers holding as many rows, and the report downloads.

The city (贵阳市): 5 workers at work, 3 members; 4 employers, 2 covered. 南明区: 2 riders at work, 2 rider
members (one in no roster); 3 employers, 1 covered. 云岩区: 3 at work (truck driver, courier, rider), 1 member
(the truck driver); 1 employer, covered.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gigunion.campaigns.models import Campaign, CampaignTarget
from gigunion.ledger.models import Worker
from gigunion.regions.models import Region
from gigunion.surveys.models import SurveyRound
from gigunion.surveys.reports import report_csv
from gigunion.surveys.services import round_submit
from tests.conftest import Cast
from tests.people import Members
from tests.surveys.data import Survey, build_survey

pytestmark = pytest.mark.django_db

URL = "/office/dashboard/"


@pytest.fixture
def survey(cast: Cast, members: Members) -> Survey:
    return build_survey(cast, members)


def client(cast: Cast, who: str) -> Client:
    browser = cast.client_for(None if who == "anonymous" else getattr(cast, who))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.content.decode())


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def tile(text: str, name: str) -> str:
    match = re.search(rf'<span[^>]*data-tile="{name}">(.*?)</span>(?=<span class="label">|</span></li>)', text, re.S)
    assert match, f"no tile {name}"
    return text_of(match.group(1))


def row(text: str, attribute: str, value: str) -> str:
    match = re.search(rf'<tr {attribute}="{value}">(.*?)</tr>', text, flags=re.S)
    assert match, f"no row {value}"
    return match.group(1)


def cells(fragment: str) -> dict[str, str]:
    return {name: text_of(value) for name, value in re.findall(r'data-cell="(\w+)">(.*?)</td>', fragment, re.S)}


def links(fragment: str) -> dict[str, str]:
    return {name: html.unescape(url) for name, url in re.findall(r'data-cell="(\w+)"><a href="([^"]+)">', fragment)}


def listed(browser: Client, url: str) -> int:
    text = page(browser.get(url))
    match = re.search(
        r'(?:<span data-count="listed">)?(\d+)(?:</span>)? (?:workers?|memberships?|enterprises?)</p>', text
    )
    assert match, f"no count on {url}"
    return int(match.group(1))


def test_who_may_see_the_dashboard(cast: Cast, survey: Survey) -> None:
    anonymous = client(cast, "anonymous").get(URL)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/office/login/")
    assert client(cast, "outsider").get(URL).status_code == 403
    district = client(cast, "district_staff")
    assert "Dashboard · 南明区" in page(district.get(URL))
    assert district.get(URL, {"region": "520103"}).status_code == 404
    assert district.get(URL, {"region": "520100"}).status_code == 404
    assert district.get(URL + "report.xlsx", {"region": "520103"}).status_code == 404
    assert client(cast, "other_district_staff").get(URL, {"region": "520102"}).status_code == 404
    viewer = page(client(cast, "district_viewer").get(URL))
    assert tile(viewer, "membership_sentence") == "2 of 2 (100.0%)"
    assert client(cast, "outsider").get(URL + "report.csv").status_code == 403
    assert client(cast, "city_staff").get(URL, {"round": "999"}).status_code == 404


def test_city_tiles_tables_and_drill_down(cast: Cast, survey: Survey) -> None:
    browser = client(cast, "city_staff")
    text = page(browser.get(URL))
    assert "Dashboard · 贵阳市" in text
    assert [
        tile(text, name) for name in ("workers", "members", "membership_rate", "employers", "covered_employers")
    ] == [
        "5",
        "3",
        "60.0%",
        "4",
        "2",
    ]
    assert tile(text, "membership_sentence") == "3 of 5 (60.0%)"
    assert tile(text, "founding_sentence") == "2 of 4 (50.0%)"
    assert tile(text, "key_groups_sentence") == "3 of 5; no target set"
    assert cells(row(text, "data-occupation", "delivery_rider")) == {
        "workers": "3",
        "members": "2",
        "membership_rate": "66.7%",
        "target": "—",
        "employers": "1",
        "covered_employers": "1",
    }
    # Ranked by membership rate: 南明区 (100%), 云岩区 (33.3%), then the districts with no workers.
    ranked = re.findall(r'<tr data-region="(\w+)">', text.split('data-table="places"')[1])
    assert ranked[:3] == ["520102", "520103", "520111"]
    assert cells(row(text, "data-region", "520103")) == {
        "workers": "3",
        "members": "1",
        "membership_rate": "33.3%",
        "employers": "1",
        "unions": "1",
        "covered_employers": "1",
        "founding_rate": "100.0%",
    }
    assert [
        text_of(value)
        for value in re.findall(r'data-step="\w+"><td>[^<]*</td><td class="num" data-cell="value">(.*?)</td>', text)
    ] == [
        "4",
        "0",
        "0",
        "2",
    ]
    # The same numbers feed the charts.
    assert '"places": {"labels": ["\\u5357\\u660e\\u533a", "\\u4e91\\u5ca9\\u533a"' in text
    assert '"rates": [100.0, 33.3, null' in text
    assert (
        '"funnel": {"labels": ["Employers", "On the founding worklist", "Founding in progress", "Covered by a union"], "values": [4, 0, 0, 2]}'
        in text
    )

    drilled = page(browser.get(URL, {"region": "520102"}))
    assert "Dashboard · 南明区" in drilled
    assert (
        '<p class="breadcrumbs"><a href="?region=520100">贵阳市</a> › <span aria-current="page">南明区</span></p>'
        in drilled
    )
    assert tile(drilled, "membership_sentence") == "2 of 2 (100.0%)"
    street = cells(row(drilled, "data-region", survey.nanming_street.code))
    assert (street["employers"], street["covered_employers"], street["workers"]) == ("3", "1", "0")
    # The ledger's workers of 南明区 are placed at the district itself: its own row, last.
    assert cells(row(drilled, "data-region", "own"))["workers"] == "2"


def test_every_linked_list_counts_what_the_dashboard_shows(cast: Cast, survey: Survey) -> None:
    browser = client(cast, "city_staff")
    for region, occupation in [("520102", "delivery_rider"), ("520103", "truck_driver"), ("520103", "courier")]:
        text = page(browser.get(URL, {"occupations": occupation}))
        shown = row(text, "data-region", region)
        behind = links(shown)
        assert set(behind) == {"workers", "members", "employers", "covered_employers"}
        for name, url in behind.items():
            assert listed(browser, url) == int(cells(shown)[name]), (region, occupation, name, url)
    # The whole city, every occupation: the tiles' links.
    text = page(browser.get(URL))
    for name in ("workers", "members", "employers", "covered_employers"):
        match = re.search(rf'data-tile="{name}"><a href="([^"]+)">(\d+)</a>', text)
        assert match
        assert listed(browser, html.unescape(match.group(1))) == int(match.group(2)), name


def test_the_target_line_and_the_key_groups_against_it(cast: Cast, survey: Survey) -> None:
    campaign = Campaign.objects.create(
        name="集中行动", organization=cast.city, starts_on=date(2020, 1, 1), ends_on=date(2099, 12, 31)
    )
    CampaignTarget.objects.create(
        campaign=campaign,
        region_code="520100",
        occupations=["truck_driver", "ride_hailing_driver", "courier", "delivery_rider"],
        rate=Decimal("0.8"),
        deadline=date(2099, 12, 31),
        responsible=cast.city,
        baseline_on=date(2020, 1, 1),
    )
    text = page(client(cast, "city_staff").get(URL, {"region": "520102"}))
    assert tile(text, "key_groups_sentence") == "2 of 2 against a target of 80.0%"
    assert cells(row(text, "data-occupation", "delivery_rider"))["target"] == "80.0%"
    assert '"targets": [80.0, 80.0, 80.0]' in text


def test_a_round_shows_its_snapshot_without_links_and_the_trend(cast: Cast, survey: Survey) -> None:
    first_half = SurveyRound.objects.create(name="2026 H1", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    round_submit(user=cast.city_staff.user, round=first_half)
    Worker.objects.filter(name="王小明").update(work_region_id="520103")
    browser = client(cast, "city_staff")
    in_round = page(browser.get(URL, {"round": str(first_half.pk), "region": "520102"}))
    assert tile(in_round, "workers") == "2"
    assert "/office/ledger/workers/" not in in_round
    now = page(browser.get(URL, {"region": "520102"}))
    assert tile(now, "workers") == "1"
    trend = re.findall(
        r'<tr><td><a href="[^"]*">([^<]+)</a></td><td class="num" data-cell="workers">(\d+)</td>',
        now.split('data-table="trend"')[1],
    )
    assert trend == [("2026 H1", "2"), ("Now", "1")]


def test_the_downloads_hold_the_same_numbers(cast: Cast, survey: Survey) -> None:
    browser = client(cast, "city_staff")
    csv_response = browser.get(URL + "report.csv", {"region": "520100"})
    assert csv_response.status_code == 200
    assert csv_response.content == report_csv(Region.objects.get(code="520100"))
    xlsx = browser.get(URL + "report.xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    totals = list(book["总表"].iter_rows(values_only=True))
    assert totals[-1] == ("全部职业", 4, 2, 2, 5, 3, "0.6000", "0.5000")
    places = {row[0]: row for row in list(book["分地区"].iter_rows(values_only=True))[2:]}
    assert places["520103"] == ("520103", "云岩区", 1, 1, 1, 3, 1, "0.3333", "1.0000")
    district = client(cast, "district_staff").get(URL + "report.xlsx")
    assert openpyxl.load_workbook(io.BytesIO(district.content))["分地区"]["A1"].value.startswith(
        "范围：南明区（520102）"
    )


def test_the_page_takes_a_handful_of_queries_whatever_the_children(cast: Cast, survey: Survey) -> None:
    """Session and jurisdiction, the area's figures (the refresh day and one GROUP BY per tally, read once and
    shared with the trend's "now"), the rounds, the trend, the targets: the same for a city of ten districts
    as for a district of streets."""
    browser = client(cast, "city_staff")
    page(browser.get(URL))  # the employer tallies refreshed, the session saved
    counts = []
    for region in ("520100", "520102"):
        with CaptureQueriesContext(connection) as queries:
            page(browser.get(URL, {"region": region}))
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] == 18
