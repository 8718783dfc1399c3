from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.conftest import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_through_the_real_page_and_expands_the_region_tree(
    live_server, page: Page, screenshot_dir: Path
) -> None:
    build_cast()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{live_server.url}/office/")
    expect(page.get_by_role("heading", name="工会工作人员登录")).to_be_visible()
    page.get_by_label("用户名").fill("city_staff")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("贵阳市总工会")
    expect(page.locator('[data-count="organizations"]')).to_have_text("7")
    nanming = page.locator(".region-row", has=page.get_by_role("link", name="南明区", exact=True))
    nanming.get_by_role("button").click()
    first_street = page.locator(".subtree .region-row").first
    expect(first_street).to_be_visible()
    expect(first_street.locator(".code")).to_have_text("520102001")
    page.screenshot(path=str(screenshot_dir / "office-home.png"), full_page=True)
    nanming.get_by_role("button").click()  # a second click folds the branch
    expect(page.locator(".subtree .region-row")).to_have_count(0)
    expect(nanming.get_by_role("button")).to_have_attribute("aria-expanded", "false")
    assert errors == []


def test_it_shows_a_wrong_password_in_chinese(live_server, page: Page) -> None:
    build_cast()
    page.goto(f"{live_server.url}/office/login/")
    page.get_by_label("用户名").fill("district_staff")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的")


def test_it_switches_the_back_office_to_english(live_server, page: Page) -> None:
    page.goto(f"{live_server.url}/office/login/")
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", name="Union staff login")).to_be_visible()


def test_it_renders_the_worker_home_on_a_phone(live_server, phone: Page, screenshot_dir: Path) -> None:
    phone.goto(f"{live_server.url}/m/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("工会就在新就业形态劳动者身边")
    phone.screenshot(path=str(screenshot_dir / "mobile-home.png"), full_page=True)


def test_it_renders_the_api_docs_offline(live_server, page: Page) -> None:
    external: list[str] = []
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on(
        "request", lambda request: None if request.url.startswith(live_server.url) else external.append(request.url)
    )
    page.on("console", on_console)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("gigunion platform API")
    expect(page.get_by_text("/api/v1/health")).to_be_visible()
    assert external == []
    assert problems == []
