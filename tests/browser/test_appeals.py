"""有诉必应 end to end in real Chromium: the rider files an appeal with a photo on a phone (390 × 844), staff of
南明区总工会 answer and resolve it in the back office on a desktop, the rider rates it 5 stars on the phone.

Elements are found by id, name, class and data attributes, not by their text, so the test holds whatever
the Chinese catalogue says.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from gigunion.appeals.models import Appeal, AppealAttachment, Status
from gigunion.core import sms
from tests.conftest import PASSWORD, build_cast
from tests.mobile.helpers import last_code
from tests.people import RIDER_PHONE, build_members

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A small JPEG from the phone's camera, with its GPS position in EXIF."""
    image = Image.new("RGB", (320, 240), (40, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (26.0, 34.0, 48.0), 3: "E", 4: (106.0, 42.0, 36.0)}
    path = tmp_path / "工资条.jpg"
    image.save(path, format="JPEG", exif=exif)
    return path


def test_a_rider_files_an_appeal_staff_resolve_it_and_the_rider_rates_it(
    live_server: Any, browser: Browser, phone_page: Page, page: Page, photo: Path, screenshot_dir: Path
) -> None:
    cast = build_cast()
    members = build_members(cast)
    phone = phone_page
    errors: list[str] = []
    for each in (phone, page):
        each.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # The rider asks for help: logged out, the form sends her to log in and back.
    phone.goto(f"{live_server.url}/m/appeals/")
    expect(phone.locator("#id_phone")).to_be_visible()
    phone.locator("#id_phone").fill(RIDER_PHONE)
    phone.locator(".m-inline button[name=action][value=send_code]").tap()
    expect(phone.locator("#id_code")).to_be_visible()
    phone.locator("#id_code").fill(last_code(RIDER_PHONE))
    phone.locator("button.m-wide[name=action][value=login]").tap()
    expect(phone.locator("[data-appeal-new]")).to_be_visible()
    phone.locator("[data-appeal-new]").tap()

    phone.locator(".m-choice", has=phone.locator("input[value=dismissal]")).tap()
    expect(phone.locator("input[name=category][value=dismissal]")).to_be_checked()
    phone.locator("#id_description").fill("货车司机，公司辞退我没有给经济补偿。")
    phone.locator("#id_employer_name").fill("贵阳某某运输有限公司")
    expect(phone.locator("#id_work_region")).to_have_value("520102")
    phone.locator("#id_files").set_input_files(str(photo))
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(screenshot_dir / "mobile-appeal-new.png"), full_page=True)
    phone.locator(".m-appeal-form button[type=submit].m-wide").tap()

    expect(phone.locator(".m-appeal[data-status=submitted]")).to_be_visible()
    appeal = Appeal.objects.get()
    assert (appeal.union, appeal.category, appeal.person) == (cast.district, "dismissal", members.rider)
    assert phone.url == f"{live_server.url}/m/appeals/{appeal.number}/"
    expect(phone.locator(".appeal-union")).to_have_text("南明区总工会")
    attachment = AppealAttachment.objects.get()
    image = phone.locator(f".m-attachments img[src='/m/appeals/{appeal.number}/files/{attachment.pk}']")
    expect(image).to_be_visible()
    assert phone.evaluate("(img) => img.naturalWidth", image.element_handle()) == 320
    with Image.open(io.BytesIO(bytes(attachment.data))) as stored:
        assert dict(stored.getexif()) == {}
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(screenshot_dir / "mobile-appeal-sent.png"), full_page=True)

    # District staff answer it in the back office, then resolve it.
    page.goto(f"{live_server.url}/office/login/")
    page.locator("#id_username").fill("district_staff")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.goto(f"{live_server.url}/office/appeals/{appeal.pk}/")
    expect(page.locator("[data-field=union]")).to_have_text("南明区总工会")
    page.locator("[data-action=accept] button").click()
    expect(page.locator("[data-event=accepted]")).to_have_count(1)
    page.locator("[data-action=respond] textarea").fill("已收到，我们联系公司核实。")
    page.locator("[data-action=respond] button").click()
    expect(page.locator("[data-event=first_response]")).to_have_count(1)
    page.locator("[data-action=resolve] textarea").fill("经调解，公司支付经济补偿12000元。")
    page.locator("[data-action=resolve] button").click()
    expect(page.locator("[data-event=resolved]")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "office-appeal-resolved.png"), full_page=True)
    appeal.refresh_from_db()
    assert appeal.status == Status.RESOLVED
    assert [message.message for message in sms.outbox if message.phone == RIDER_PHONE][-1].endswith(
        f"您的诉求（编号{appeal.number}）已办结，请在“我的诉求”中确认并评价。"
    )

    # The rider sees the answers and rates the outcome.
    phone.reload()
    expect(phone.locator(".m-appeal[data-status=resolved]")).to_be_visible()
    expect(phone.locator(".m-timeline [data-kind=resolved] .m-event-text")).to_have_text(
        "经调解，公司支付经济补偿12000元。"
    )
    expect(phone.locator(".m-timeline [data-kind=first_response] .m-event-text")).to_have_text(
        "已收到，我们联系公司核实。"
    )
    phone.locator("input[name=satisfied][value=yes]").tap()
    phone.locator(".m-star", has=phone.locator("input[name=rating][value='5']")).tap()
    expect(phone.locator("input[name=rating][value='5']")).to_be_checked()
    phone.screenshot(path=str(screenshot_dir / "mobile-appeal-rate.png"), full_page=True)
    phone.locator(".m-appeal-rate button[name=action][value=rate]").tap()

    expect(phone.locator(".appeal-rating")).to_be_visible()
    expect(phone.locator(".m-appeal-rate")).to_have_count(0)
    appeal.refresh_from_db()
    assert (appeal.rating, appeal.satisfied, appeal.status) == (5, True, Status.RESOLVED)
    phone.screenshot(path=str(screenshot_dir / "mobile-appeal-rated.png"), full_page=True)
    page.reload()
    expect(page.locator("[data-field=rating]")).to_contain_text("5★")
    assert errors == []
