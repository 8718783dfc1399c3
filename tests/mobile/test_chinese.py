"""Pages in the default language, Simplified Chinese: no language cookie, the catalogue's exact words."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Cast
from tests.mobile.helpers import join_form, page
from tests.people import Members, id_with_check

pytestmark = pytest.mark.django_db

NEW_ID = id_with_check("52010220000101011")  # the ID number of tests.people.worker


def error_of(html: str, field: str) -> str:
    """The message shown under one field of the form."""
    start = html.index(f'<p class="m-error" id="{field}-error">') + len(f'<p class="m-error" id="{field}-error">')
    return html[start : html.index("</p>", start)]


def test_the_join_page_is_in_chinese_by_default(members: Members) -> None:
    html = page(Client().get("/m/join/"))
    assert '<html lang="zh-hans">' in html
    assert '<h1 class="m-h1">加入工会</h1>' in html
    assert "<title>加入工会</title>" in html


def test_a_wrong_id_number_check_character_is_explained_in_chinese(members: Members) -> None:
    wrong = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    # The ID number is checked when the form is submitted (sending a code checks only the phone).
    response = Client().post("/m/join/", {**join_form(id_number=wrong), "code": "123456", "action": "join"})
    assert response.status_code == 400
    assert error_of(page(response), "id_number") == "身份证号最后一位（校验码）不对，请检查是否输错。"


def test_a_wrong_mobile_number_is_explained_in_chinese(members: Members) -> None:
    response = Client().post("/m/join/", {**join_form(phone="1234567"), "action": "send_code"})
    assert response.status_code == 400
    assert error_of(page(response), "phone") == "手机号应为 11 位数字，以 13 至 19 开头。"


def test_the_member_list_heading_is_in_chinese_for_district_staff(cast: Cast, members: Members) -> None:
    response = cast.client_for(cast.district_staff).get("/office/members/")
    html = page(response)
    assert response.status_code == 200
    assert "<h1>会员</h1>" in html
    assert "<title>会员" in html
