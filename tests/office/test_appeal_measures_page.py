"""The appeal measures page and the home tile: every role, exact numbers, links to the lists behind them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from gigunion.appeals.models import Channel, EventKind
from gigunion.appeals.services import AppealInput, appeal_step, appeal_submit
from gigunion.orgs.access import jurisdiction_of
from tests.conftest import Cast

pytestmark = pytest.mark.django_db
CHINA = ZoneInfo("Asia/Shanghai")
URL = "/office/appeals/measures/"
PERIOD = "?since=2026-01-01&until=2026-03-10"


@pytest.fixture(autouse=True)
def english() -> object:
    with translation.override("en"):
        yield


@pytest.fixture
def appeals(cast: Cast) -> None:
    """Two appeals in 南明区 (one answered, one never; both overdue by now), one in 云岩区."""
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    for region, description in [
        ("520102", "平台拖欠两个月工资"),
        ("520102", "没有休息日"),
        ("520103", "货主拖欠三笔运费"),
    ]:
        appeal = appeal_submit(
            data=AppealInput(
                category="wage_arrears", description=description, work_region=region, contact_name="王师傅"
            ),
            channel=Channel.HOTLINE,
            now=datetime(2026, 2, 2, 10, tzinfo=CHINA),
        )
        if description == "没有休息日":
            appeal_step(
                appeal=appeal,
                kind=EventKind.FIRST_RESPONSE,
                jurisdiction=jurisdiction,
                actor=None,
                text="已联系企业",
                now=datetime(2026, 2, 3, 10, tzinfo=CHINA),
            )


def client(cast: Cast, who: object) -> Client:
    browser = cast.client_for(who)  # type: ignore[arg-type]
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the pages' English words, asserted below
    return browser


def test_it_shows_the_rates_with_links_to_the_lists(cast: Cast, appeals: None) -> None:
    response = client(cast, cast.district_staff).get(URL + PERIOD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    period = "status=all&amp;since=2026-01-01&amp;until=2026-03-10"
    assert (
        f'<a href="/office/appeals/?{period}&amp;responded=1">1</a> of <a href="/office/appeals/?{period}">2</a> (50.0%)'
        in body
    )
    assert 'id="category-chart" type="application/json"' in body
    assert 'id="trend-chart" type="application/json"' in body


def test_the_overdue_link_asks_for_open_overdue_appeals(cast: Cast, appeals: None) -> None:
    body = client(cast, cast.district_staff).get(URL + PERIOD).content.decode()
    assert 'href="/office/appeals/?status=open&amp;since=2026-01-01&amp;until=2026-03-10&amp;overdue=1"' in body


def test_the_city_sees_both_districts_and_may_choose_one(cast: Cast, appeals: None) -> None:
    city = client(cast, cast.city_staff)
    body = city.get(URL + PERIOD).content.decode()
    assert '<a href="/office/appeals/?status=all&amp;since=2026-01-01&amp;until=2026-03-10">3</a>' in body
    assert "?region=520102&since=2026-01-01&until=2026-03-10" in body.replace("&amp;", "&")
    narrowed = city.get(URL + PERIOD + "&region=520103").content.decode()
    assert (
        '<a href="/office/appeals/?status=all&amp;since=2026-01-01&amp;until=2026-03-10&amp;region=520103">1</a>'
        in narrowed
    )


@pytest.mark.parametrize("who", ["district_staff", "district_viewer", "city_staff", "other_district_staff"])
def test_every_staff_role_may_look(cast: Cast, who: str) -> None:
    assert client(cast, getattr(cast, who)).get(URL).status_code == 200


def test_another_district_cannot_choose_ours(cast: Cast) -> None:
    assert client(cast, cast.other_district_staff).get(URL + "?region=520102").status_code == 404


def test_the_other_district_does_not_see_our_appeals(cast: Cast, appeals: None) -> None:
    body = client(cast, cast.other_district_staff).get(URL + PERIOD).content.decode()
    assert '<a href="/office/appeals/?status=all&amp;since=2026-01-01&amp;until=2026-03-10">1</a>' in body


def test_an_outsider_is_refused_and_an_anonymous_visitor_sent_to_log_in(cast: Cast) -> None:
    assert client(cast, cast.outsider).get(URL).status_code == 403
    response = client(cast, None).get(URL)
    assert (response.status_code, response["Location"]) == (302, f"/office/login/?next={URL}")


def test_a_bad_period_falls_back_to_this_year(cast: Cast) -> None:
    response = client(cast, cast.district_staff).get(URL + "?since=yesterday&until=2026-13-40")
    today = timezone.localdate()
    assert (response.status_code, response.context["since"], response.context["until"]) == (
        200,
        today.replace(month=1, day=1),
        today,
    )


def test_the_home_page_shows_the_response_rate_and_the_overdue_count(cast: Cast, appeals: None) -> None:
    body = client(cast, cast.district_staff).get("/office/").content.decode()
    assert 'data-count="appeal_response_rate">50.0%<' in body
    assert "1 of 2 answered" in body
    assert 'data-count="appeals_overdue">2<' in body
    assert 'href="/office/appeals/measures/"' in body
    assert 'href="/office/appeals/?status=open&amp;overdue=1"' in body
