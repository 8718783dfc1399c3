"""A rider scans a station's QR code on a phone in real Chromium, joins with an SMS code and sees the card.

Elements are found by name and class, not by their text, so the test holds before and after the
Chinese catalogue gains the membership strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from gigunion.members.models import ChannelKind, JoinChannel, Membership, MembershipStatus, Person
from gigunion.members.services import card_token
from gigunion.regions.models import Region
from tests.conftest import build_cast
from tests.mobile.helpers import last_code
from tests.people import build_members, id_with_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ID_NUMBER = id_with_check("52010219980707051")
PHONE = "13700000077"


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A mid-size phone: 390 × 844 CSS pixels, touch, Chinese."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_rider_joins_through_a_station_qr_code_and_sees_the_card(
    live_server: Any, phone_page: Page, screenshot_dir: Path
) -> None:
    cast = build_cast()
    build_members(cast)
    street = Region.objects.filter(parent_id="520102", is_current=True).order_by("code").first()
    assert street is not None
    JoinChannel.objects.create(
        code="hgy-station",
        kind=ChannelKind.STATION,
        name="花果园户外劳动者驿站",
        union=cast.district,
        region=Region.objects.get(code="520102"),
    )
    page = phone_page
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/m/j/hgy-station/")
    expect(page.locator(".m-channel")).to_have_text("花果园户外劳动者驿站")
    # The picker starts at the station's district and offers its streets.
    selects = page.locator(".region-selects select")
    expect(selects).to_have_count(4)
    expect(selects.nth(0)).to_have_value("520000")
    expect(selects.nth(1)).to_have_value("520100")
    expect(selects.nth(2)).to_have_value("520102")
    expect(page.locator("#id_work_region")).to_be_hidden()
    selects.nth(3).select_option(street.code)
    expect(page.locator("#id_work_region")).to_have_value(street.code)

    page.locator("#id_name").fill("王小明")
    page.locator("#id_id_number").fill(ID_NUMBER)
    page.locator("#id_phone").fill(PHONE)
    page.locator("#id_occupation").select_option("delivery_rider")
    page.locator("#id_platform").fill("美团")
    page.locator("button[name=action][value=send_code]").click()

    expect(page.locator(".m-notice")).to_contain_text("137****0077")
    expect(page.locator("#id_name")).to_have_value("王小明")
    expect(page.locator("#id_occupation")).to_have_value("delivery_rider")
    expect(page.locator(".region-selects select").nth(3)).to_have_value(street.code)
    page.locator("#id_code").fill(last_code(PHONE))
    page.screenshot(path=str(screenshot_dir / "mobile-join-form.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("button.m-wide[name=action][value=join]").click()

    expect(page.locator(".m-result")).to_have_attribute("data-status", "joined")
    page.locator(".m-result a[href='/m/me/']").click()
    person = Person.objects.get(name="王小明")
    expect(page.locator(".card-number")).to_have_text(person.card_number or "-")
    expect(page.locator(".card-union")).to_have_text("南明区网约送餐员联合工会")
    expect(page.locator(".card-name")).to_have_text("王*明")
    qr = page.locator(".m-qr svg.m-qr-code")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None
    assert 150 <= box["width"] <= 390
    page.screenshot(path=str(screenshot_dir / "mobile-member-card.png"), full_page=True)

    membership = Membership.objects.get(person=person)
    assert (membership.union.name, membership.status, membership.channel.code if membership.channel else "") == (
        "南明区网约送餐员联合工会",
        MembershipStatus.ACTIVE,
        "hgy-station",
    )
    assert person.work_region_id == street.code

    # A station scans the card: valid, the union, a masked name.
    page.goto(f"{live_server.url}/m/v/{card_token(person)}/")
    expect(page.locator(".m-verify")).to_have_attribute("data-result", "valid")
    expect(page.locator(".m-verify dd").nth(1)).to_have_text("王*明")
    page.screenshot(path=str(screenshot_dir / "mobile-card-check.png"), full_page=True)
    assert errors == []


def test_the_join_form_works_without_javascript(live_server: Any, browser: Browser) -> None:
    cast = build_cast()
    build_members(cast)
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/m/join/")
        expect(page.locator("#id_work_region")).to_be_visible()
        expect(page.locator(".region-selects select")).to_have_count(0)
        page.locator("#id_name").fill("王小明")
        page.locator("#id_id_number").fill(ID_NUMBER)
        page.locator("#id_phone").fill(PHONE)
        page.locator("#id_occupation").select_option("delivery_rider")
        page.locator("#id_work_region").fill("520102")
        page.locator("button[name=action][value=send_code]").click()
        expect(page.locator(".m-help.region-current")).to_have_text("贵州省 贵阳市 南明区")
        page.locator("#id_code").fill(last_code(PHONE))
        page.locator("#id_code").press("Enter")  # the Enter key joins; it does not ask for another code
        expect(page.locator(".m-result")).to_have_attribute("data-status", "joined")
        page.locator(".m-result a[href='/m/me/']").click()
        expect(page.locator(".m-qr svg.m-qr-code")).to_be_visible()
    finally:
        context.close()
    assert Membership.objects.get(person__name="王小明").union.name == "南明区网约送餐员联合工会"
