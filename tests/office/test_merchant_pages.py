"""The partner merchant pages of the back office: the list (filters, export), the form, a merchant's page
with its offers, counter link and redemption log.

Every page and every POST is tried against the roles that must not pass; pages are read in English.
The merchants: 老凯俚酸汤鱼 and 南明车辆维修 in 南明区 (our district), 云岩区便民超市 in 云岩区.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook  # type: ignore[import-untyped]

from gigunion.core.models import AuditAction, AuditEvent
from gigunion.members.services import card_number_issue, card_token
from gigunion.orgs.access import require_jurisdiction
from gigunion.stations.geo import bd09_to_gcj02, gcj02_to_wgs84
from gigunion.stations.models import Merchant, Offer, Redemption
from gigunion.stations.services import merchant_for_desk, merchant_save, offer_save, redemption_record
from gigunion.stations.spatial import nearest
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def client(cast: Cast, who: str) -> Client:
    browser = cast.client_for(None if who == "anonymous" else getattr(cast, who))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def html(response: Any) -> str:
    return str(response.content.decode())


def rows(page: str, name: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'<tr data-{name}="(\d+)"', page)]


def row(page: str, name: str, key: str | int) -> str:
    return page.split(f'<tr data-{name}="{key}"')[1].split("</tr>")[0]


def form_errors(response: Any) -> dict[str, str]:
    pattern = r'<ul class="errorlist"[^>]*id="id_(\w+)_error"[^>]*><li>(.*?)</li>'
    return dict(re.findall(pattern, html(response), flags=re.S))


def make_merchant(cast: Cast, **values: Any) -> Merchant:
    fields: dict[str, Any] = {
        "name": "老凯俚酸汤鱼",
        "category": "餐饮",
        "region": "520102",
        "address": "花果园 R2 区",
        "lat": 26.5683,
        "lng": 106.7135,
        "contact_name": "杨老板",
        "contact_phone": "13800000001",
        "is_active": True,
    }
    fields.update(values)
    user = cast.city_staff.user
    return merchant_save(jurisdiction=require_jurisdiction(user), actor=user, values=fields)


class Merchants:
    def __init__(self, cast: Cast) -> None:
        self.fish = make_merchant(cast)
        self.repair = make_merchant(
            cast, name="南明车辆维修", category="车辆维修", address="", lat=26.56, lng=106.72, is_active=False
        )
        self.market = make_merchant(cast, name="云岩区便民超市", category="超市", region="520103", lat=26.6, lng=106.71)
        jurisdiction = require_jurisdiction(cast.city_staff.user)
        self.discount = offer_save(jurisdiction=jurisdiction, merchant=self.fish, title="会员就餐九折")
        self.drink = offer_save(jurisdiction=jurisdiction, merchant=self.fish, title="免费酸梅汤")
        self.old = offer_save(
            jurisdiction=jurisdiction,
            merchant=self.fish,
            title="开业八折",
            starts_on=timezone.localdate() - timedelta(days=60),
            ends_on=timezone.localdate() - timedelta(days=30),
        )


@pytest.fixture
def merchants(cast: Cast) -> Merchants:
    return Merchants(cast)


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "贵阳快修",
        "category": "车辆维修",
        "region": "520102",
        "address": "遵义路 20 号",
        "crs": "WGS84",
        "lat": "26.5650",
        "lng": "106.7080",
        "contact_name": "李师傅",
        "contact_phone": "13900000002",
        "is_active": "on",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------------
# Who may see and change what
# ---------------------------------------------------------------------------------------------


def test_anonymous_outsider_and_other_district_are_kept_out(cast: Cast, merchants: Merchants) -> None:
    pk = merchants.fish.pk
    offer = merchants.discount.pk
    pages = [f"/office/merchants/{pk}/", f"/office/merchants/{pk}/edit/", f"/office/merchants/{pk}/offers/{offer}/"]
    posts = [
        f"/office/merchants/{pk}/edit/",
        f"/office/merchants/{pk}/offers/",
        f"/office/merchants/{pk}/offers/{offer}/",
        f"/office/merchants/{pk}/offers/{offer}/active/",
        f"/office/merchants/{pk}/desk/reset/",
    ]
    secret = merchants.fish.desk_secret
    anonymous = client(cast, "anonymous")
    outsider = client(cast, "outsider")
    other = client(cast, "other_district_staff")
    for url in ["/office/merchants/", "/office/merchants/new/", *pages]:
        assert anonymous.get(url).status_code == 302, url
        assert outsider.get(url).status_code == 403, url
    for url in pages:
        assert other.get(url).status_code == 404, url
    for url in posts:
        assert anonymous.post(url, {"title": "x"}).status_code == 302, url
        assert outsider.post(url, {"title": "x"}).status_code == 403, url
        assert other.post(url, {"title": "x"}).status_code == 404, url
    assert other.get("/office/merchants/?region=520102").status_code == 404
    # Another merchant's offer through this merchant's address is not found either.
    market_offer = offer_save(
        jurisdiction=require_jurisdiction(cast.city_staff.user), merchant=merchants.market, title="满50减5"
    )
    assert client(cast, "district_staff").get(f"/office/merchants/{pk}/offers/{market_offer.pk}/").status_code == 404
    assert Merchant.objects.get(pk=pk).desk_secret == secret
    assert Offer.objects.filter(merchant=merchants.fish).count() == 3


def test_a_viewer_may_look_but_not_change_nor_see_the_counter_link(cast: Cast, merchants: Merchants) -> None:
    browser = client(cast, "district_viewer")
    pk = merchants.fish.pk
    secret = merchants.fish.desk_secret
    assert rows(html(browser.get("/office/merchants/")), "merchant") == [merchants.repair.pk, merchants.fish.pk]
    response = browser.get(f"/office/merchants/{pk}/")
    page = html(response)
    assert response.status_code == 200
    assert secret not in page
    assert "/m/desk/" not in page
    assert 'id="desk"' not in page
    assert 'data-form="offer"' not in page
    assert browser.get("/office/merchants/new/").status_code == 403
    assert browser.get(f"/office/merchants/{pk}/edit/").status_code == 403
    assert browser.get(f"/office/merchants/{pk}/offers/{merchants.discount.pk}/").status_code == 403
    assert browser.post("/office/merchants/new/", form_data()).status_code == 403
    assert browser.post(f"/office/merchants/{pk}/edit/", form_data()).status_code == 403
    assert browser.post(f"/office/merchants/{pk}/offers/", {"offer-title": "买一送一"}).status_code == 403
    offer_url = f"/office/merchants/{pk}/offers/{merchants.discount.pk}/"
    assert browser.post(offer_url, {"title": "x"}).status_code == 403
    assert browser.post(f"{offer_url}active/", {"active": "0"}).status_code == 403
    assert browser.post(f"/office/merchants/{pk}/desk/reset/").status_code == 403
    assert Merchant.objects.get(pk=pk).desk_secret == secret
    assert not Merchant.objects.filter(name="贵阳快修").exists()
    assert Offer.objects.get(pk=merchants.discount.pk).is_active
    assert not AuditEvent.objects.filter(action=AuditAction.MERCHANT_DESK_RESET).exists()


# ---------------------------------------------------------------------------------------------
# The list and its export
# ---------------------------------------------------------------------------------------------


def listed(cast: Cast, query: str = "", who: str = "district_staff") -> list[int]:
    response = client(cast, who).get(f"/office/merchants/{query}")
    assert response.status_code == 200
    return rows(html(response), "merchant")


def test_the_list_filters(cast: Cast, merchants: Merchants) -> None:
    fish, repair, market = merchants.fish.pk, merchants.repair.pk, merchants.market.pk
    # By region, then name (in character order: 南 before 老).
    assert listed(cast) == [repair, fish]
    assert listed(cast, who="city_staff") == [repair, fish, market]
    assert listed(cast, "?q=酸汤") == [fish]
    assert listed(cast, "?q=花果园") == [fish]
    assert listed(cast, "?category=车辆维修") == [repair]
    assert listed(cast, "?active=yes") == [fish]
    assert listed(cast, "?active=no") == [repair]
    assert listed(cast, "?region=520103", who="city_staff") == [market]
    page = html(client(cast, "district_staff").get("/office/merchants/"))
    assert "2 merchants" in page
    assert "会员就餐九折、免费酸梅汤" in row(page, "merchant", fish)
    assert "开业八折" not in row(page, "merchant", fish)
    assert "Inactive" in row(page, "merchant", repair)
    categories = page.split('name="category"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]+)"', categories) == ["车辆维修", "餐饮"]


def test_the_export_is_the_filtered_list(cast: Cast, merchants: Merchants, members: Any) -> None:
    card_number_issue(members.rider, cast.district_grassroots)
    redemption_record(merchant=merchants.fish, offer_id=merchants.discount.pk, token=card_token(members.rider))
    response = client(cast, "district_staff").get("/office/merchants/?format=xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    contact = ["杨老板", "13800000001"]
    assert [list(cells) for cells in sheet.iter_rows(values_only=True)] == [
        [
            "商户名称",
            "类别",
            "区划代码",
            "地区",
            "地址",
            "经度",
            "纬度",
            "坐标系",
            "联系人",
            "联系电话",
            "状态",
            "当前优惠",
            "近30天核销",
        ],
        ["南明车辆维修", "车辆维修", "520102", "南明区", None, 106.72, 26.56, "WGS84", *contact, "停用", None, 0],
        [
            "老凯俚酸汤鱼",
            "餐饮",
            "520102",
            "南明区",
            "花果园 R2 区",
            106.7135,
            26.5683,
            "WGS84",
            *contact,
            "启用",
            "会员就餐九折、免费酸梅汤",
            1,
        ],
    ]


# ---------------------------------------------------------------------------------------------
# Creating and changing a merchant
# ---------------------------------------------------------------------------------------------


def test_an_operator_adds_a_merchant_with_baidu_coordinates(cast: Cast) -> None:
    response = client(cast, "district_staff").post("/office/merchants/new/", form_data(crs="BD09"))
    merchant = Merchant.objects.get(name="贵阳快修")
    assert response.status_code == 302
    assert response["Location"] == f"/office/merchants/{merchant.pk}/"
    lat, lng = gcj02_to_wgs84(*bd09_to_gcj02(26.565, 106.708))
    assert (merchant.lat, merchant.lng) == (round(lat, 7), round(lng, 7))
    assert (merchant.category, merchant.region_id, merchant.contact_phone, merchant.is_active) == (
        "车辆维修",
        "520102",
        "13900000002",
        True,
    )
    assert merchant.organization_id == cast.district.pk
    assert len(merchant.desk_secret) == 43
    assert AuditEvent.objects.get(action=AuditAction.MERCHANT_CHANGED, object_id=merchant.pk).actor == (
        cast.district_staff.user
    )
    assert [near.id for near in nearest("merchant", lat=lat, lng=lng, limit=1)] == [merchant.pk]


def test_bad_merchant_input_gets_a_message_per_field(cast: Cast, merchants: Merchants) -> None:
    browser = client(cast, "district_staff")
    response = browser.post(
        "/office/merchants/new/", form_data(name="", lat="106.7080", lng="26.5650", contact_phone="n/a")
    )
    assert response.status_code == 400
    assert form_errors(response) == {
        "name": "This field is required.",
        "lat": "Latitude 106.7080 and longitude 26.5650 look swapped: in China latitude is 4–54 and longitude 73–135.",
        "contact_phone": "“n/a” is not a phone number.",
    }
    response = browser.post("/office/merchants/new/", form_data(lat="40.7128", lng="-74.0060"))
    assert form_errors(response) == {"lat": "The place (40.7128, -74.0060) is outside China."}
    response = browser.post("/office/merchants/new/", form_data(region="520103"))
    assert form_errors(response) == {"region": "云岩区 (520103) is outside your jurisdiction."}
    response = browser.post("/office/merchants/new/", form_data(name="老凯俚酸汤鱼"))
    assert form_errors(response) == {"name": "南明区 already has a merchant named 老凯俚酸汤鱼."}
    response = browser.post("/office/merchants/new/", form_data(crs="MARS"))
    assert set(form_errors(response)) == {"crs"}
    assert Merchant.objects.count() == 3


def test_an_operator_changes_a_merchant(cast: Cast, merchants: Merchants) -> None:
    browser = client(cast, "district_staff")
    pk = merchants.fish.pk
    page = html(browser.get(f"/office/merchants/{pk}/edit/"))
    assert 'name="name" value="老凯俚酸汤鱼"' in page
    assert 'name="lat" value="26.5683"' in page
    assert re.search(r'name="is_active"[^>]*checked', page)
    data = form_data(name="老凯俚酸汤鱼", category="餐饮", lat="26.5683", lng="106.7135")
    del data["is_active"]
    response = browser.post(f"/office/merchants/{pk}/edit/", data)
    assert response.status_code == 302
    merchant = Merchant.objects.get(pk=pk)
    assert (merchant.is_active, merchant.contact_name, merchant.address) == (False, "李师傅", "遵义路 20 号")
    # An inactive merchant drops out of the workers' map.
    assert pk not in [near.id for near in nearest("merchant", lat=26.5683, lng=106.7135, limit=10)]


# ---------------------------------------------------------------------------------------------
# A merchant's page: offers, counter link, redemptions
# ---------------------------------------------------------------------------------------------


def test_offers_are_added_changed_and_ended(cast: Cast, merchants: Merchants) -> None:
    browser = client(cast, "district_staff")
    pk = merchants.fish.pk
    response = browser.post(f"/office/merchants/{pk}/offers/", {"offer-title": "  买一送一 ", "offer-is_active": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/office/merchants/{pk}/#offers"
    added = Offer.objects.get(merchant_id=pk, title="买一送一")
    assert added.is_active
    page = html(browser.get(f"/office/merchants/{pk}/"))
    assert "The offer “买一送一” is added." in page
    assert "Current" in row(page, "offer", added.pk)
    assert "Outside its dates" in row(page, "offer", merchants.old.pk)
    today = timezone.localdate()
    bad = browser.post(
        f"/office/merchants/{pk}/offers/",
        {"offer-title": "周末特惠", "offer-starts_on": today.isoformat(), "offer-ends_on": "2020-01-01"},
    )
    assert bad.status_code == 400
    assert "The offer ends before it starts." in html(bad)
    assert 'id="id_offer-ends_on_error"' in html(bad)
    assert not Offer.objects.filter(title="周末特惠").exists()
    edit_url = f"/office/merchants/{pk}/offers/{merchants.old.pk}/"
    chinese = html(cast.client_for(cast.district_staff).get(edit_url))
    starts = (today - timedelta(days=60)).isoformat()
    assert f'<input type="date" name="starts_on" value="{starts}"' in chinese
    edit_url = f"/office/merchants/{pk}/offers/{added.pk}/"
    assert 'value="买一送一"' in html(browser.get(edit_url))
    response = browser.post(edit_url, {"title": "买一送一（限堂食）", "description": "每桌限一次", "is_active": "on"})
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.title, added.description, added.is_active) == ("买一送一（限堂食）", "每桌限一次", True)
    assert form_errors(browser.post(edit_url, {"title": "  "})) == {"title": "This field is required."}
    browser.post(f"{edit_url}active/", {"active": "0"})
    added.refresh_from_db()
    assert (added.title, added.is_active) == ("买一送一（限堂食）", False)
    assert "Ended" in row(html(browser.get(f"/office/merchants/{pk}/")), "offer", added.pk)
    browser.post(f"{edit_url}active/", {"active": "1"})
    assert Offer.objects.get(pk=added.pk).is_active


def test_the_counter_link_is_shown_to_operators_and_can_be_replaced(
    cast: Cast, merchants: Merchants, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = "https://union.example.cn"
    browser = client(cast, "district_staff")
    pk = merchants.fish.pk
    old = merchants.fish.desk_secret
    response = browser.get(f"/office/merchants/{pk}/")
    page = html(response)
    assert f"https://union.example.cn/m/desk/{old}/" in page
    assert re.search(r'<svg viewBox="0 0 \d+ \d+" class="station-qr">', page)
    assert response["Cache-Control"] == "no-store"
    assert browser.get(f"/office/merchants/{pk}/desk/reset/").status_code == 405
    response = browser.post(f"/office/merchants/{pk}/desk/reset/")
    assert response["Location"] == f"/office/merchants/{pk}/#desk"
    new = Merchant.objects.get(pk=pk).desk_secret
    assert new != old
    assert merchant_for_desk(old) is None
    assert merchant_for_desk(new) == merchants.fish
    page = html(browser.get(f"/office/merchants/{pk}/"))
    assert f"https://union.example.cn/m/desk/{new}/" in page
    assert old not in page
    assert "The counter link is replaced: the old link no longer works." in page
    event = AuditEvent.objects.get(action=AuditAction.MERCHANT_DESK_RESET)
    assert (event.actor, event.object_id, event.region_code) == (cast.district_staff.user, str(pk), "520102")
    assert old not in str(event.details)
    assert new not in str(event.details)


def test_the_redemption_log_masks_names_and_counts_per_offer(cast: Cast, merchants: Merchants, members: Any) -> None:
    card_number_issue(members.rider, cast.district_grassroots)
    card_number_issue(members.other_member, cast.other_grassroots)
    fish = merchants.fish
    redemption_record(merchant=fish, offer_id=merchants.discount.pk, token=card_token(members.rider))
    redemption_record(merchant=fish, offer_id=merchants.discount.pk, token=card_token(members.other_member))
    redemption_record(merchant=fish, offer_id=merchants.drink.pk, token=card_token(members.rider))
    redemption_record(merchant=fish, offer_id=merchants.drink.pk, token="not-a-card")  # refused: nothing logged
    assert Redemption.objects.count() == 3
    page = html(client(cast, "district_viewer").get(f"/office/merchants/{fish.pk}/"))
    assert re.search(r'data-count="total">2<', row(page, "offer", merchants.discount.pk))
    assert re.search(r'data-count="recent">2<', row(page, "offer", merchants.discount.pk))
    assert re.search(r'data-count="total">1<', row(page, "offer", merchants.drink.pk))
    assert re.search(r'data-count="total">0<', row(page, "offer", merchants.old.pk))
    assert re.search(r'data-count="redemptions_total">3<', page)
    log = [
        re.findall(r"<td>(.*?)</td>", row(page, "redemption", redemption.pk))[1:]
        for redemption in Redemption.objects.order_by("-created_at", "-pk")
    ]
    assert log == [
        ["免费酸梅汤", "陈*军", "南明区网约送餐员联合工会"],
        ["会员就餐九折", "马*国", "云岩区货车司机工会联合会"],
        ["会员就餐九折", "陈*军", "南明区网约送餐员联合工会"],
    ]
    assert "陈小军" not in page
    assert "马建国" not in page
    listing = html(client(cast, "district_staff").get("/office/merchants/"))
    assert re.search(r'data-count="redemptions">3<', row(listing, "merchant", fish.pk))
