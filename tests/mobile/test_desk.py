"""The merchant's counter (/m/desk/): its link makes a phone the merchant's counter; on that phone the card
check page offers the merchant's current offers, and taking one logs a redemption for the card's member."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client

from gigunion.core import crypto
from gigunion.members.models import CardVerification
from gigunion.members.services import card_token
from gigunion.orgs.access import jurisdiction_of
from gigunion.stations.models import Merchant, Offer, Redemption
from gigunion.stations.services import merchant_desk_reset, merchant_save
from tests.conftest import Cast
from tests.mobile.helpers import english_client, page
from tests.people import Members

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Shop:
    merchant: Merchant
    discount: Offer  # current
    soup: Offer  # current
    ended: Offer  # ended yesterday
    other_offer: Offer  # another merchant's


@pytest.fixture
def shop(cast: Cast, members: Members) -> Shop:
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    values = {"name": "老凯俚酸汤粉", "region": "520102", "lat": 26.581, "lng": 106.71, "category": "餐饮"}
    merchant = merchant_save(jurisdiction=jurisdiction, actor=None, values=values)
    other = merchant_save(jurisdiction=jurisdiction, actor=None, values={**values, "name": "小李电动车维修"})
    return Shop(
        merchant=merchant,
        discount=Offer.objects.create(merchant=merchant, title="会员就餐九折"),
        soup=Offer.objects.create(merchant=merchant, title="免费加汤", description="每单一份"),
        ended=Offer.objects.create(merchant=merchant, title="开业八折", ends_on=date.today() - timedelta(days=1)),
        other_offer=Offer.objects.create(merchant=other, title="补胎八折"),
    )


def counter(shop: Shop, **client_options: Any) -> Client:
    """A phone that opened the merchant's counter link."""
    client = english_client(**client_options)
    assert client.get(f"/m/desk/{shop.merchant.desk_secret}/").status_code == 200
    return client


def redeem_forms(html: str) -> list[tuple[str, str]]:
    """(action, offer id) of each redeem form on the card check page."""
    found = []
    for part in html.split('<form class="m-redeem" method="post" action="')[1:]:
        action = part.split('"')[0]
        offer = part.split('<input type="hidden" name="offer" value="')[1].split('"')[0]
        found.append((action, offer))
    return found


def test_the_counter_link_remembers_the_merchant_by_a_hash_of_its_secret(shop: Shop) -> None:
    client = english_client()
    before = client.session.session_key
    response = client.get(f"/m/desk/{shop.merchant.desk_secret}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private, max-age=0, no-cache, must-revalidate"
    html = page(response)
    assert '<h1 class="m-h1">老凯俚酸汤粉</h1>' in html
    offers = html.split('<ul class="m-rows m-desk-offers">')[1].split("</ul>")[0]
    assert re.findall(r"<li>(.*?)</li>", offers) == [
        "<strong>会员就餐九折</strong>",
        "<strong>免费加汤</strong><span>每单一份</span>",
    ]
    assert "<h2>Today: 0 discounts taken</h2>" in html
    stored = client.session["mobile_desk"]
    assert stored == {
        "merchant": shop.merchant.pk,
        "secret": hashlib.sha256(shop.merchant.desk_secret.encode()).hexdigest(),
    }
    assert client.session.session_key != before
    assert shop.merchant.desk_secret not in str(dict(client.session.items()))
    # Later pages of the counter need no secret in the address.
    assert '<h1 class="m-h1">老凯俚酸汤粉</h1>' in page(client.get("/m/desk/"))


def test_without_a_counter_the_card_check_offers_no_redemption(shop: Shop, members: Members) -> None:
    html = page(english_client().get(f"/m/v/{card_token(members.rider)}/"))
    assert '<h1 class="m-verify-result">Valid</h1>' in html
    assert redeem_forms(html) == []
    assert "m-desk-redeem" not in html
    assert english_client().post(f"/m/desk/redeem/{card_token(members.rider)}/", {"offer": "1"}).status_code == 404
    assert Redemption.objects.count() == 0


def test_the_counter_takes_a_discount_for_a_valid_card_and_logs_it(shop: Shop, members: Members) -> None:
    client = counter(shop)
    token = card_token(members.rider)
    html = page(client.get(f"/m/v/{token}/"))
    assert '<h2 class="m-h2">Discounts at 老凯俚酸汤粉</h2>' in html
    assert redeem_forms(html) == [
        (f"/m/desk/redeem/{token}/", str(shop.discount.pk)),
        (f"/m/desk/redeem/{token}/", str(shop.soup.pk)),
    ]
    response = client.post(f"/m/desk/redeem/{token}/", {"offer": str(shop.discount.pk)}, REMOTE_ADDR="10.1.2.3")
    assert (response.status_code, response["Location"]) == (302, "/m/desk/")
    redemption = Redemption.objects.get()
    assert (
        redemption.merchant_id,
        redemption.offer_id,
        redemption.person_id,
        redemption.union_id,
        redemption.ip_address,
    ) == (shop.merchant.pk, shop.discount.pk, members.rider.pk, members.rider_membership.union_id, "10.1.2.3")
    assert CardVerification.objects.filter(person=members.rider, result="valid").count() == 2  # the check, the redeem
    desk = page(client.get("/m/desk/"))
    assert (
        '<div class="m-notice m-desk-done" role="status"><strong>Redeemed</strong> '
        "<span data-done-offer>会员就餐九折</span> · <span data-done-name>陈*军</span> · 南明区网约送餐员联合工会</div>"
    ) in desk
    assert "<h2>Today: 1 discount taken</h2>" in desk
    assert "陈*军</strong><span>会员就餐九折</span></li>" in desk
    assert "m-desk-done" not in page(client.get("/m/desk/"))  # the confirmation shows once
    # Every POST is one more discount taken (the member may order twice).
    client.post(f"/m/desk/redeem/{token}/", {"offer": str(shop.soup.pk)})
    assert list(Redemption.objects.order_by("pk").values_list("offer__title", flat=True)) == [
        "会员就餐九折",
        "免费加汤",
    ]
    assert "<h2>Today: 2 discounts taken</h2>" in page(client.get("/m/desk/"))


def test_an_expired_card_code_says_so_and_takes_nothing(shop: Shop, members: Members) -> None:
    client = counter(shop)
    with mock.patch("time.time", return_value=time.time() - settings.MEMBER_CARD_TOKEN_SECONDS - 5):
        token = card_token(members.rider)
    response = client.post(f"/m/desk/redeem/{token}/", {"offer": str(shop.discount.pk)})
    assert response.status_code == 400
    html = page(response)
    assert '<h1 class="m-verify-result">Code expired</h1>' in html
    assert '<a class="m-button secondary" href="/m/desk/">Back to the counter</a>' in html
    assert Redemption.objects.count() == 0
    assert CardVerification.objects.filter(result="expired").count() == 1


@pytest.mark.parametrize("kind", ["forged", "join_token"])
def test_an_invalid_card_code_takes_nothing(shop: Shop, members: Members, kind: str) -> None:
    client = counter(shop)
    token = "gAAAAABnot-a-real-token" if kind == "forged" else crypto.seal(f"join:{members.rider.card_number}")
    response = client.post(f"/m/desk/redeem/{token}/", {"offer": str(shop.discount.pk)})
    assert response.status_code == 400
    assert '<h1 class="m-verify-result">Not valid</h1>' in page(response)
    assert Redemption.objects.count() == 0


@pytest.mark.parametrize("which", ["ended", "other_offer", "missing", "word"])
def test_only_the_merchants_current_offers_can_be_taken(shop: Shop, members: Members, which: str) -> None:
    client = counter(shop)
    offer = {
        "ended": str(shop.ended.pk),
        "other_offer": str(shop.other_offer.pk),
        "missing": "",
        "word": "soup",
    }[which]
    response = client.post(f"/m/desk/redeem/{card_token(members.rider)}/", {"offer": offer})
    assert response.status_code == 400
    expected = (
        "Choose the offer the member takes." if which in ("missing", "word") else "This offer is not available now."
    )
    assert f"<p>{expected}</p>" in page(response)
    assert Redemption.objects.count() == 0


def test_a_replaced_link_answers_404_and_ends_the_counter(shop: Shop, cast: Cast, members: Members) -> None:
    client = counter(shop)
    old_secret = shop.merchant.desk_secret
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    merchant_desk_reset(jurisdiction=jurisdiction, actor=None, merchant=shop.merchant)
    token = card_token(members.rider)
    # The phone that held the old link: no redeem buttons, no counter page, no redemption.
    assert redeem_forms(page(client.get(f"/m/v/{token}/"))) == []
    assert "mobile_desk" not in client.session
    assert client.post(f"/m/desk/redeem/{token}/", {"offer": str(shop.discount.pk)}).status_code == 404
    assert client.get("/m/desk/").status_code == 404
    gone = client.get(f"/m/desk/{old_secret}/")
    assert gone.status_code == 404
    assert "This counter link is not in use. Ask the union for the merchant's current link." in page(gone)
    assert Redemption.objects.count() == 0
    shop.merchant.refresh_from_db()
    assert client.get(f"/m/desk/{shop.merchant.desk_secret}/").status_code == 200  # the new link works


def test_a_deactivated_merchant_loses_its_counter(shop: Shop, members: Members) -> None:
    client = counter(shop)
    Merchant.objects.filter(pk=shop.merchant.pk).update(is_active=False)
    assert client.get("/m/desk/").status_code == 404
    assert "mobile_desk" not in client.session
    assert client.get(f"/m/desk/{shop.merchant.desk_secret}/").status_code == 404
    assert english_client().get("/m/desk/not-a-secret/").status_code == 404


def test_leaving_the_counter_ends_it_on_this_phone(shop: Shop, members: Members) -> None:
    client = counter(shop)
    response = client.post("/m/desk/", {"action": "leave"})
    assert (response.status_code, response["Location"]) == (302, "/m/")
    assert client.get("/m/desk/").status_code == 404
    assert redeem_forms(page(client.get(f"/m/v/{card_token(members.rider)}/"))) == []


def test_taking_a_discount_needs_the_csrf_token(shop: Shop, members: Members) -> None:
    client = counter(shop, enforce_csrf_checks=True)
    token = card_token(members.rider)
    assert client.post(f"/m/desk/redeem/{token}/", {"offer": str(shop.discount.pk)}).status_code == 403
    check = client.get(f"/m/v/{token}/")
    csrf = check.cookies["csrftoken"].value if "csrftoken" in check.cookies else client.cookies["csrftoken"].value
    accepted = client.post(f"/m/desk/redeem/{token}/", {"offer": str(shop.discount.pk), "csrfmiddlewaretoken": csrf})
    assert accepted.status_code == 302
    assert Redemption.objects.count() == 1


def test_the_count_of_today_is_every_discount_taken_though_the_list_stops(shop: Shop, members: Members) -> None:
    """The list shows the latest 200; the heading counts all of today's, and nothing of yesterday's."""
    client = counter(shop)
    ten_am = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
    union_id = members.rider_membership.union_id

    def taken(count: int, at: datetime, merchant: Merchant, offer: Offer) -> None:
        with mock.patch("django.utils.timezone.now", return_value=at):
            Redemption.objects.bulk_create(
                Redemption(merchant=merchant, offer=offer, person=members.rider, union_id=union_id)
                for _ in range(count)
            )

    taken(203, ten_am, shop.merchant, shop.discount)
    taken(4, ten_am - timedelta(hours=11), shop.merchant, shop.soup)  # 23:00 the day before
    taken(5, ten_am, shop.other_offer.merchant, shop.other_offer)  # another merchant's
    with mock.patch("django.utils.timezone.now", return_value=ten_am + timedelta(hours=1)):
        html = page(client.get("/m/desk/"))
    assert "<h2>Today: 203 discounts taken</h2>" in html
    today = html.split('<ul class="m-rows m-desk-today">')[1].split("</ul>")[0]
    assert today.count("<li>") == 200
    assert "免费加汤" not in today


def test_a_link_of_another_merchant_asks_before_switching_the_counter(shop: Shop, members: Members) -> None:
    client = counter(shop)
    other = shop.other_offer.merchant
    key_before = client.session.session_key
    response = client.get(f"/m/desk/{other.desk_secret}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private, max-age=0, no-cache, must-revalidate"
    html = page(response)
    assert '<h1 class="m-h1">Switch this phone to 小李电动车维修?</h1>' in html
    assert "This phone is now the counter of 老凯俚酸汤粉." in html
    assert f'<form method="post" action="/m/desk/{other.desk_secret}/">' in html
    assert 'name="action" value="switch">Switch to 小李电动车维修</button>' in html
    assert '<a class="m-button secondary m-wide" href="/m/desk/" data-keep>Stay the counter of 老凯俚酸汤粉</a>' in html
    assert "m-desk-offers" not in html  # not the other merchant's counter yet
    # Opening the link changed nothing: this phone is still the first merchant's counter.
    assert client.session["mobile_desk"]["merchant"] == shop.merchant.pk
    assert client.session.session_key == key_before
    assert '<h1 class="m-h1">老凯俚酸汤粉</h1>' in page(client.get("/m/desk/"))
    token = card_token(members.rider)
    assert [offer for _, offer in redeem_forms(page(client.get(f"/m/v/{token}/")))] == [
        str(shop.discount.pk),
        str(shop.soup.pk),
    ]
    # The button switches.
    switched = client.post(f"/m/desk/{other.desk_secret}/", {"action": "switch"})
    assert (switched.status_code, switched["Location"]) == (302, "/m/desk/")
    assert client.session["mobile_desk"]["merchant"] == other.pk
    assert client.session.session_key != key_before
    assert '<h1 class="m-h1">小李电动车维修</h1>' in page(client.get("/m/desk/"))
    assert [offer for _, offer in redeem_forms(page(client.get(f"/m/v/{token}/")))] == [str(shop.other_offer.pk)]


def test_switching_the_counter_needs_the_csrf_token(shop: Shop) -> None:
    client = counter(shop, enforce_csrf_checks=True)
    other = shop.other_offer.merchant
    assert client.post(f"/m/desk/{other.desk_secret}/", {"action": "switch"}).status_code == 403
    assert client.session["mobile_desk"]["merchant"] == shop.merchant.pk


def test_the_same_link_or_a_phone_without_a_counter_binds_at_once(shop: Shop) -> None:
    client = counter(shop)
    key = client.session.session_key
    again = page(client.get(f"/m/desk/{shop.merchant.desk_secret}/"))  # the same merchant's link: no question
    assert '<h1 class="m-h1">老凯俚酸汤粉</h1>' in again
    assert "Switch this phone" not in again
    assert client.session.session_key == key
    # A counter whose link was replaced is no counter any more: another merchant's link binds at once.
    Merchant.objects.filter(pk=shop.merchant.pk).update(is_active=False)
    other = shop.other_offer.merchant
    bound = page(client.get(f"/m/desk/{other.desk_secret}/"))
    assert '<h1 class="m-h1">小李电动车维修</h1>' in bound
    assert "Switch this phone" not in bound
    assert client.session["mobile_desk"]["merchant"] == other.pk
    # And a fresh phone: the link binds at once (the counter fixture checks the 200).
    fresh = english_client()
    assert '<h1 class="m-h1">小李电动车维修</h1>' in page(fresh.get(f"/m/desk/{other.desk_secret}/"))
    assert fresh.session["mobile_desk"]["merchant"] == other.pk


def test_a_post_to_an_unknown_counter_link_is_404(shop: Shop) -> None:
    client = counter(shop)
    assert client.post("/m/desk/not-a-secret/", {"action": "switch"}).status_code == 404
