from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import PASSWORD, Cast


def text_of(response) -> str:
    return str(response.content.decode())


def street_name(cast: Cast) -> str:
    assert cast.district_street.region is not None
    return cast.district_street.region.name


def count_value(html: str, name: str) -> str:
    match = re.search(rf'data-count="{name}">([^<]*)<', html)
    assert match, name
    return match.group(1)


@pytest.mark.django_db
def test_it_serves_the_login_page_in_chinese_whatever_the_browser_says() -> None:
    response = Client().get("/office/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = text_of(response)
    assert '<html lang="zh-hans">' in html
    assert "工会工作人员登录" in html
    assert "用户名" in html


@pytest.mark.django_db
def test_it_switches_to_english_on_request() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/office/login/"})
    assert response.status_code == 302
    html = text_of(client.get("/office/login/"))
    assert '<html lang="en">' in html
    assert "Union staff login" in html


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_the_login_page() -> None:
    for path in ("/office/", "/office/regions/520102/", "/office/organizations/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/office/login/?next={path}"


def test_it_logs_staff_in_through_the_form(cast: Cast) -> None:
    client = Client()
    response = client.post("/office/login/", {"username": "district_staff", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/office/"
    home = client.get("/office/")
    assert home.status_code == 200
    assert "<h1>南明区总工会</h1>" in text_of(home)


def test_it_shows_a_district_user_only_their_district(cast: Cast) -> None:
    html = text_of(cast.client_for(cast.district_staff).get("/office/"))
    assert "管辖范围：南明区（520102）及其下级。" in html
    assert count_value(html, "organizations") == "3"
    assert count_value(html, "grassroots") == "2"
    assert count_value(html, "staff") == "2"
    assert "云岩区" not in html
    assert street_name(cast) in html


def test_it_shows_the_city_user_the_whole_city(cast: Cast) -> None:
    from gigunion.regions.models import Region

    html = text_of(cast.client_for(cast.city_staff).get("/office/"))
    assert count_value(html, "organizations") == "7"
    assert count_value(html, "staff") == "4"
    expected_regions = Region.objects.filter(code__startswith="5201", is_current=True).count()
    assert count_value(html, "regions") == f"{expected_regions:,}"
    for name in ("南明区", "云岩区", "花溪区", "观山湖区", "清镇市"):
        assert name in html


@pytest.mark.parametrize(
    ("who", "path_of", "status"),
    [
        ("district_staff", lambda c: f"/office/organizations/{c.district_grassroots.pk}/", 200),
        ("district_staff", lambda c: f"/office/organizations/{c.other_grassroots.pk}/", 404),
        ("district_staff", lambda c: f"/office/organizations/{c.city.pk}/", 404),
        ("district_staff", lambda c: "/office/regions/520102/", 200),
        ("district_staff", lambda c: "/office/regions/520103/", 404),
        ("district_staff", lambda c: f"/office/regions/{c.other_street.region_id}/", 404),
        ("other_district_staff", lambda c: f"/office/organizations/{c.district_grassroots.pk}/", 404),
        ("other_district_staff", lambda c: f"/office/organizations/{c.other_grassroots.pk}/", 200),
        ("city_staff", lambda c: f"/office/organizations/{c.other_grassroots.pk}/", 200),
        ("city_staff", lambda c: f"/office/organizations/{c.district_grassroots.pk}/", 200),
        ("city_staff", lambda c: f"/office/organizations/{c.province.pk}/", 404),
        ("city_staff", lambda c: "/office/regions/520103/", 200),
        ("city_staff", lambda c: "/office/regions/520000/", 404),
        ("city_staff", lambda c: "/office/organizations/999999/", 404),
        ("outsider", lambda c: "/office/", 403),
        ("outsider", lambda c: f"/office/organizations/{c.district.pk}/", 403),
        ("outsider", lambda c: "/office/regions/520102/", 403),
    ],
)
def test_it_answers_each_role_by_jurisdiction(cast: Cast, who: str, path_of, status: int) -> None:
    response = cast.client_for(getattr(cast, who)).get(path_of(cast))
    assert response.status_code == status


def test_it_does_not_leak_other_districts_in_the_404_page(cast: Cast) -> None:
    response = cast.client_for(cast.district_staff).get(f"/office/organizations/{cast.other_grassroots.pk}/")
    assert response.status_code == 404
    html = text_of(response)
    assert "云岩区" not in html
    assert "页面不存在，或不在您的管辖范围内。" in html


def test_it_lists_only_visible_organizations(cast: Cast) -> None:
    html = text_of(cast.client_for(cast.district_staff).get("/office/organizations/"))
    assert "3 个组织" in html
    assert "南明区网约送餐员联合工会" in html
    assert "云岩区货车司机工会联合会" not in html
    filtered = text_of(cast.client_for(cast.city_staff).get("/office/organizations/?type=joint"))
    assert "1 个组织" in filtered
    grassroots = text_of(cast.client_for(cast.city_staff).get("/office/organizations/?grassroots=1"))
    assert "4 个组织" in grassroots


def test_it_expands_the_region_tree_with_htmx(cast: Cast) -> None:
    response = cast.client_for(cast.district_staff).get("/office/regions/520102/", HTTP_HX_REQUEST="true")
    html = text_of(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert street_name(cast) in html
    assert 'class="region-tree"' in html


def test_it_shows_the_organization_page_with_its_staff(cast: Cast) -> None:
    html = text_of(cast.client_for(cast.city_staff).get(f"/office/organizations/{cast.district.pk}/"))
    assert "<h1>南明区总工会</h1>" in html
    assert "李娜" in html
    assert "district_staff" in html
    assert "经办员" in html
    assert "赵磊" in html
    assert "查看员" in html
    assert f'href="/office/organizations/{cast.city.pk}/"' in html  # the parent is in the city's jurisdiction
    district_view = text_of(cast.client_for(cast.district_staff).get(f"/office/organizations/{cast.district.pk}/"))
    assert f'href="/office/organizations/{cast.city.pk}/"' not in district_view  # the parent is above the district


def test_it_locks_a_login_out_after_five_failures(cast: Cast) -> None:
    client = Client()
    for _ in range(5):
        response = client.post("/office/login/", {"username": "district_staff", "password": "wrong-password"})
        assert response.status_code in (200, 429)
    locked = client.post("/office/login/", {"username": "district_staff", "password": PASSWORD})
    assert locked.status_code == 429
    assert "登录失败次数过多" in text_of(locked)
    # Another account from the same address is not locked.
    other = client.post("/office/login/", {"username": "city_staff", "password": PASSWORD})
    assert other.status_code == 302


def test_it_shows_a_clear_message_for_a_wrong_password(cast: Cast) -> None:
    response = Client().post("/office/login/", {"username": "district_staff", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in text_of(response)


def test_it_logs_out_with_a_post(cast: Cast) -> None:
    client = cast.client_for(cast.district_staff)
    response = client.post("/office/logout/")
    assert response.status_code == 302
    assert client.get("/office/").status_code == 302


def test_it_shows_the_national_federation_every_province(cast: Cast) -> None:
    from gigunion.orgs.models import StaffRole
    from gigunion.orgs.services import staff_account_create

    national = cast.province.parent
    assert national is not None
    account = staff_account_create(
        username="acftu", password=PASSWORD, display_name="全总", organization=national, role=StaffRole.VIEWER
    )
    html = text_of(cast.client_for(account).get("/office/"))
    assert "管辖范围：全国。" in html
    assert html.count('class="expander"') == 31  # 34 provinces; 台湾, 香港, 澳门 have no loaded children
    assert count_value(html, "organizations") == "9"
