"""A district organizer's morning in real Chromium: import a list, work the worklist, see the rate chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from gigunion.founding.models import WorklistItem
from tests.conftest import PASSWORD, build_cast
from tests.core.test_validators import credit_with_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "单位名称,统一社会信用代码,所属行业,区划代码,地址,职工人数,新就业形态劳动者人数,企业类型\n"


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/office/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_import_then_plan_the_worklist_then_see_the_rate(
    live_server: Any, page: Page, tmp_path: Path, screenshot_dir: Path
) -> None:
    build_cast()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    body = (
        f"南明货运车队,{credit_with_check('91520102MA6M00001')},道路货物运输,520102,,40,,挂靠\n"
        f"南明家政服务部,{credit_with_check('91520102MA6M00002')},家政服务,520102,,15,,其他\n"
        "信用代码错了,ABC,,520102,,,,\n"
    )
    upload = tmp_path / "企业名单.csv"
    upload.write_bytes((HEADER + body).encode("gbk"))

    log_in(page, live_server.url, "district_staff")
    page.get_by_role("link", name="企业", exact=True).first.click()
    page.get_by_role("link", name="导入").click()
    page.get_by_label("文件").set_input_files(str(upload))
    page.get_by_role("button", name="上传并导入").click()

    expect(page.locator(".job-progress")).to_have_attribute("data-status", "succeeded")
    expect(page.locator(".job-progress progress")).to_have_attribute("value", "100")
    result = page.locator(".job-result .stat")
    expect(result.nth(0)).to_contain_text("2")
    expect(result.nth(3)).to_contain_text("1")
    expect(page.locator(".job-result table")).to_contain_text("统一社会信用代码不正确。")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载未通过的行（CSV）").click()
    assert Path(download.value.path()).read_bytes().decode("utf-8-sig").splitlines()[1].startswith("4,")
    page.screenshot(path=str(screenshot_dir / "office-import-result.png"), full_page=True)

    page.get_by_role("link", name="应建未建").first.click()
    expect(page.locator("table.worklist tbody tr")).to_have_count(2)
    page.get_by_role("link", name="南明货运车队").click()
    page.get_by_label("状态").select_option("contacted")
    page.get_by_label("责任人").select_option(label="李娜 (南明区总工会)")
    page.get_by_label("完成时限").fill("2020-06-30")
    page.get_by_label("备注（无需建会时填写原因）").fill("已上门宣讲")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存。")
    expect(page.locator("h1 .tag.alert")).to_have_text("逾期")
    expect(page.locator(".timeline")).to_contain_text("未启动 → 已联系")
    item = WorklistItem.objects.get(enterprise__name="南明货运车队")
    assert (item.state, str(item.deadline), item.note) == ("contacted", "2020-06-30", "已上门宣讲")

    page.get_by_role("link", name="建会率").first.click()
    expect(page.locator(".stat .value").first).to_have_text("0.0%")
    expect(page.locator(".chart svg")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "office-founding-rate.png"), full_page=True)
    assert errors == []
