"""The back office's campaign pages: list, set-up form, the campaign with its targets' progress; every role.

Pages are read in English. Figures come from tests/surveys/data.py: the four key groups in 贵阳市 hold
3 members of 5 workers; 南明区 2 of 2 (all occupations)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gigunion.campaigns import services
from gigunion.campaigns.models import Campaign, CampaignTarget, Indicator
from gigunion.core.occupations import KEY_GROUPS
from gigunion.members.models import Membership, MembershipStatus
from tests.conftest import Cast
from tests.people import Members
from tests.surveys.data import Survey, build_survey

pytestmark = pytest.mark.django_db

KEY = [str(value) for value in KEY_GROUPS]


def client(cast: Cast, who: str) -> Client:
    browser = cast.client_for(None if who == "anonymous" else getattr(cast, who))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def html(response: Any) -> str:
    return str(response.content.decode())


def rows(page: str, name: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'<tr data-{name}="(\d+)"', page)]


def today() -> date:
    return timezone.localdate()


@pytest.fixture
def survey(cast: Cast, members: Members) -> Survey:
    return build_survey(cast, members)


@pytest.fixture
def city_campaign(cast: Cast) -> Campaign:
    day = today()
    return services.campaign_create(
        user=cast.city_staff.user,
        name="新就业形态劳动者入会集中行动",
        starts_on=day - timedelta(days=30),
        ends_on=day + timedelta(days=300),
        phases={
            "mobilize": (day - timedelta(days=30), day - timedelta(days=1)),
            "implement": (day, day + timedelta(days=200)),
            "review": (day + timedelta(days=201), day + timedelta(days=300)),
        },
    )


@pytest.fixture
def district_campaign(cast: Cast) -> Campaign:
    return services.campaign_create(
        user=cast.district_staff.user,
        name="南明区骑手入会月",
        starts_on=today() - timedelta(days=400),
        ends_on=today() - timedelta(days=370),
    )


def test_anonymous_goes_to_login_and_outsiders_are_refused(cast: Cast, city_campaign: Campaign) -> None:
    for url in [
        "/office/campaigns/",
        "/office/campaigns/new/",
        f"/office/campaigns/{city_campaign.pk}/",
        f"/office/campaigns/{city_campaign.pk}/edit/",
    ]:
        response = client(cast, "anonymous").get(url)
        assert response.status_code == 302, url
        assert "/office/login/" in response["Location"], url
        assert client(cast, "outsider").get(url).status_code == 403, url
    response = client(cast, "outsider").post(f"/office/campaigns/{city_campaign.pk}/targets/", {})
    assert response.status_code == 403


def test_the_list_shows_running_campaigns_first_to_those_who_may_see_them(
    cast: Cast, city_campaign: Campaign, district_campaign: Campaign
) -> None:
    page = html(client(cast, "district_staff").get("/office/campaigns/"))
    assert rows(page, "campaign") == [city_campaign.pk, district_campaign.pk]
    assert "Implement" in page
    assert "Running" in page
    assert "Ended" in page
    assert "New campaign" in page
    # 云岩区 sees the city's campaign, not 南明区's; the viewer may not set one up.
    assert rows(html(client(cast, "other_district_staff").get("/office/campaigns/")), "campaign") == [city_campaign.pk]
    assert client(cast, "other_district_staff").get(f"/office/campaigns/{district_campaign.pk}/").status_code == 404
    assert "New campaign" not in html(client(cast, "district_viewer").get("/office/campaigns/"))


def test_a_campaign_is_set_up_with_its_phases(cast: Cast) -> None:
    browser = client(cast, "district_staff")
    data = {
        "name": "南明区集中行动",
        "starts_on": "2026-08-01",
        "ends_on": "2026-12-31",
        "description": "",
        "mobilize_from": "2026-08-01",
        "mobilize_to": "2026-09-30",
        "implement_from": "2026-09-15",  # starts before mobilizing ends
        "implement_to": "2026-11-30",
        "review_from": "2026-12-01",
        "review_to": "2026-12-31",
    }
    response = browser.post("/office/campaigns/new/", data)
    assert response.status_code == 200
    assert "cannot start before the Mobilize phase ends" in html(response)
    assert not Campaign.objects.exists()
    response = browser.post("/office/campaigns/new/", data | {"implement_from": "2026-10-01"})
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/office/campaigns/{campaign.pk}/"
    assert campaign.organization == cast.district
    assert list(campaign.phases.values_list("kind", "starts_on")) == [
        ("mobilize", date(2026, 8, 1)),
        ("implement", date(2026, 10, 1)),
        ("review", date(2026, 12, 1)),
    ]
    edit = f"/office/campaigns/{campaign.pk}/edit/"
    assert "2026-10-01" in html(browser.get(edit))
    assert client(cast, "district_viewer").get(edit).status_code == 403
    assert client(cast, "district_viewer").post("/office/campaigns/new/", data).status_code == 403
    assert client(cast, "other_district_staff").get(edit).status_code == 404
    browser.post(edit, data | {"implement_from": "2026-10-01", "name": "南明区集中行动（二）"})
    campaign.refresh_from_db()
    assert campaign.name == "南明区集中行动（二）"


def test_a_target_is_added_with_the_preset_and_its_progress_shown(
    cast: Cast, survey: Survey, city_campaign: Campaign
) -> None:
    url = f"/office/campaigns/{city_campaign.pk}/"
    browser = client(cast, "city_staff")
    page = html(browser.get(url))
    assert page.count('<li aria-current="step" data-now>') == 1
    checked = re.findall(r'name="occupations" value="(\w+)" id="id_occupations_\d+" checked>', page)
    assert sorted(checked) == sorted(KEY)  # the four key groups, preset
    deadline = (today() + timedelta(days=200)).isoformat()
    form = {
        "region": "520100",
        "occupations": KEY,
        "indicator": Indicator.MEMBERSHIP_RATE,
        "percent": "80",
        "deadline": deadline,
        "responsible": str(cast.city.pk),
    }
    response = browser.post(f"{url}targets/", form | {"percent": "120"})
    assert response.status_code == 200
    assert not CampaignTarget.objects.exists()
    response = browser.post(f"{url}targets/", form)
    assert response.status_code == 302
    target = CampaignTarget.objects.get()
    assert (target.rate, target.baseline_numerator, target.baseline_denominator) == (Decimal("0.8000"), 3, 5)
    page = html(browser.get(url))
    assert "The four key groups" in page
    assert "3 of 5 (60.0%)" in page
    assert "Not enough time elapsed" in page
    assert 'href="/office/dashboard/?region=520100"' in page
    assert '<progress max="100" value="75"' in page
    # 南明区's operator sees the city's campaign but may not change it.
    district = client(cast, "district_staff")
    page = html(district.get(url))
    assert "3 of 5 (60.0%)" in page
    assert "Add a target" not in page
    assert district.post(f"{url}targets/", form).status_code == 403
    assert district.post(f"{url}targets/{target.pk}/remove/").status_code == 403
    assert client(cast, "district_viewer").post(f"{url}targets/", form).status_code == 403
    assert browser.post(f"{url}targets/{target.pk}/remove/").status_code == 302
    assert not CampaignTarget.objects.exists()


def test_targets_behind_show_first(cast: Cast, survey: Survey, members: Members, city_campaign: Campaign) -> None:
    def add(region: str, occupations: list[str], rate: str, responsible: Any) -> CampaignTarget:
        return services.target_add(
            user=cast.city_staff.user,
            campaign=city_campaign,
            region_code=region,
            occupations=occupations,
            indicator=Indicator.MEMBERSHIP_RATE,
            rate=rate,
            deadline=today() + timedelta(days=100),
            responsible=responsible,
            today=today() - timedelta(days=10),
        )

    met = add("520102", [], "0.5", cast.district)  # 2 of 2 then, 1 of 2 now: met
    behind = add("520100", KEY, "0.8", cast.city)  # 3 of 5 then, 2 of 5 now: falling, behind
    Membership.objects.filter(pk=members.rider_membership.pk).update(status=MembershipStatus.LEFT)
    page = html(client(cast, "district_viewer").get(f"/office/campaigns/{city_campaign.pk}/"))
    assert rows(page, "target") == [behind.pk, met.pk]
    assert f'data-target="{behind.pk}" data-status="behind"' in page
    assert f'data-target="{met.pk}" data-status="met"' in page
    assert "2 of 5 (40.0%)" in page
    assert "1 of 2 (50.0%)" in page
    listing = html(client(cast, "district_viewer").get("/office/campaigns/"))
    assert '<span class="tag warn">1</span>' in listing


def test_a_district_sees_the_city_campaign_targets_of_its_own_area_and_above_only(
    cast: Cast, survey: Survey, city_campaign: Campaign
) -> None:
    def add(region: str) -> CampaignTarget:
        return services.target_add(
            user=cast.city_staff.user,
            campaign=city_campaign,
            region_code=region,
            occupations=KEY,
            indicator=Indicator.MEMBERSHIP_RATE,
            rate=Decimal("0.8"),
            deadline=today() + timedelta(days=100),
            responsible=cast.city,
        )

    city, nanming, yunyan = add("520100"), add("520102"), add("520103")
    page = html(client(cast, "district_staff").get(f"/office/campaigns/{city_campaign.pk}/"))
    assert sorted(rows(page, "target")) == sorted([city.pk, nanming.pk])
    assert yunyan.pk not in rows(page, "target")
    assert sorted(
        rows(html(client(cast, "city_staff").get(f"/office/campaigns/{city_campaign.pk}/")), "target")
    ) == sorted([city.pk, nanming.pk, yunyan.pk])
