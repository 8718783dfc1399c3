"""The platform partner pages of the back office: the list, a platform's keys and calls, issuing,
rotating and revoking keys.

Every page and every POST is tried against the roles that must not pass; pages are read in English.
满帮 is held by the city federation, 好活 by the other district; the tests add 美团, held by our
district, where a district operator or viewer can look but not change.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gigunion.core.models import AuditEvent
from gigunion.platforms.models import ApiCall, ApiKey, Platform
from gigunion.platforms.services import api_key_authenticate, api_key_issue, platform_save
from tests.conftest import Cast
from tests.platforms import ALL_SCOPES, PlatformCast

pytestmark = pytest.mark.django_db

SHOWN_KEY = re.compile(r'id="issued-key"[^>]*value="(gu_[^"]+)"')


def client(cast: Cast, who: str) -> Client:
    """A client for one role of the cast (or nobody), reading pages in English."""
    browser = cast.client_for(None if who == "anonymous" else getattr(cast, who))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def html(response: Any) -> str:
    return str(response.content.decode())


def meituan(cast: Cast) -> Platform:
    """A platform held by our district (南明区), so its staff see it."""
    return platform_save(code="meituan", name="美团", organization=cast.district, actor=cast.city_staff.user)


def key_of(text: str) -> ApiKey:
    """The stored key a full key text names (usable or not)."""
    return ApiKey.objects.get(prefix=text.removeprefix("gu_").partition("_")[0])


def shown_key(response: Any) -> str:
    match = SHOWN_KEY.search(html(response))
    assert match, "no key shown"
    return match.group(1)


def rows(page: str, name: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'<tr data-{name}="(\d+)"', page)]


def row(page: str, name: str, pk: int) -> str:
    return page.split(f'<tr data-{name}="{pk}"')[1].split("</tr>")[0]


def count_value(page: str, name: str) -> str:
    match = re.search(rf'data-count="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1)


def audit(action: str) -> list[tuple[str, int | None, dict[str, Any]]]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk").values_list("object_id", "actor", "details"))


def call(platform: Platform, key: ApiKey | None, status: int, *, hours_ago: float = 1, **fields: Any) -> ApiCall:
    return ApiCall.objects.create(
        platform=platform,
        api_key=key,
        status=status,
        created_at=timezone.now() - timedelta(hours=hours_ago),
        method=fields.get("method", "GET"),
        path=fields.get("path", "/api/v1/members/status"),
        duration_ms=fields.get("duration_ms", 12),
        rows=fields.get("rows", 1),
    )


# ---------------------------------------------------------------------------------------------
# Who may open which page
# ---------------------------------------------------------------------------------------------

# The list, then each platform's page: who gets what (anonymous and outsiders are refused everywhere).
PAGE_STATUS = {
    "list": {"district_staff": 200, "district_viewer": 200, "other_district_staff": 200, "city_staff": 200},
    "manbang": {"district_staff": 404, "district_viewer": 404, "other_district_staff": 404, "city_staff": 200},
    "haohuo": {"district_staff": 404, "district_viewer": 404, "other_district_staff": 200, "city_staff": 200},
    "meituan": {"district_staff": 200, "district_viewer": 200, "other_district_staff": 404, "city_staff": 200},
}


@pytest.mark.parametrize("page", PAGE_STATUS)
def test_every_page_answers_each_role(cast: Cast, platforms: PlatformCast, page: str) -> None:
    held = {"manbang": platforms.manbang, "haohuo": platforms.haohuo, "meituan": meituan(cast)}
    url = "/office/platforms/" if page == "list" else f"/office/platforms/{held[page].pk}/"
    anonymous = client(cast, "anonymous").get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/office/login/")
    assert client(cast, "outsider").get(url).status_code == 403
    for who, status in PAGE_STATUS[page].items():
        assert client(cast, who).get(url).status_code == status, who


def test_the_navigation_leads_to_the_platforms(cast: Cast, platforms: PlatformCast) -> None:
    page = html(client(cast, "district_viewer").get("/office/"))
    assert 'href="/office/platforms/"' in page
    assert "Platform partners" in page
    listed = html(client(cast, "district_viewer").get("/office/platforms/"))
    assert '<a href="/office/platforms/" aria-current="page">Platform partners</a>' in listed


# ---------------------------------------------------------------------------------------------
# The list and a new platform
# ---------------------------------------------------------------------------------------------


def test_the_list_shows_the_jurisdiction_with_usable_keys_and_recent_calls(cast: Cast, platforms: PlatformCast) -> None:
    manbang_key = key_of(platforms.manbang_key)
    haohuo_key = key_of(platforms.haohuo_key)
    for status in (200, 404, 500):
        call(platforms.manbang, manbang_key, status)
    call(platforms.manbang, manbang_key, 200, hours_ago=25)
    call(platforms.haohuo, haohuo_key, 200)
    # A revoked key and a key whose grace period has run out are not counted.
    ApiKey.objects.filter(pk=key_of(platforms.manbang_status_key).pk).update(revoked_at=timezone.now())
    expired = api_key_issue(platform=platforms.haohuo, name="旧", scopes=ALL_SCOPES).key
    ApiKey.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    city = html(client(cast, "city_staff").get("/office/platforms/"))
    assert sorted(rows(city, "platform")) == sorted([platforms.manbang.pk, platforms.haohuo.pk])
    manbang = row(city, "platform", platforms.manbang.pk)
    assert (count_value(manbang, "usable_keys"), count_value(manbang, "recent_calls")) == ("1", "3")
    assert "满帮" in manbang
    assert "manbang" in manbang
    assert "贵阳市总工会" in manbang
    assert "Active" in manbang
    haohuo = row(city, "platform", platforms.haohuo.pk)
    assert (count_value(haohuo, "usable_keys"), count_value(haohuo, "recent_calls")) == ("1", "1")
    assert "云岩区总工会" in haohuo
    assert "Calls in the last 24 hours" in city

    other = html(client(cast, "other_district_staff").get("/office/platforms/"))
    assert rows(other, "platform") == [platforms.haohuo.pk]
    district = html(client(cast, "district_staff").get("/office/platforms/"))
    assert rows(district, "platform") == []
    assert "No platform partner in your jurisdiction yet." in district


def test_the_list_takes_the_same_queries_however_many_platforms(cast: Cast, platforms: PlatformCast) -> None:
    city = client(cast, "city_staff")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert city.get("/office/platforms/").status_code == 200
        return len(captured)

    before = queries()
    extra = meituan(cast)
    api_key_issue(platform=extra, name="生产", scopes=ALL_SCOPES)
    call(extra, None, 401)
    assert queries() == before


def test_an_administrator_adds_a_platform(cast: Cast, platforms: PlatformCast) -> None:
    city = client(cast, "city_staff")
    assert "New platform partner" in html(city.get("/office/platforms/"))
    response = city.post(
        "/office/platforms/", {"code": "meituan", "name": " 美团 ", "organization": cast.district.pk}, follow=True
    )
    platform = Platform.objects.get(code="meituan")
    assert response.redirect_chain == [(f"/office/platforms/{platform.pk}/", 302)]
    assert "The platform partner “美团” is added." in html(response)
    assert (platform.name, platform.organization, platform.is_active) == ("美团", cast.district, True)
    assert audit("platform.changed")[-1] == (
        str(platform.pk),
        cast.city_staff.user.pk,
        {"code": "meituan", "name": "美团", "active": True},
    )
    assert AuditEvent.objects.get(action="platform.changed", object_id=str(platform.pk)).region_code == "520102"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("organization", "province", "Select a valid choice."),  # outside the city's jurisdiction
        ("organization", "district_grassroots", "Select a valid choice."),  # not a federation
        ("code", "manbang", "Another platform already has this code or name."),
        ("name", "满帮", "Another platform already has this code or name."),
        ("code", "美团", "Enter a valid “slug”"),
        ("name", "   ", "This field is required."),
    ],
)
def test_a_new_platform_needs_a_federation_in_the_jurisdiction_and_its_own_names(
    cast: Cast, platforms: PlatformCast, field: str, value: str, error: str
) -> None:
    data: dict[str, Any] = {"code": "meituan", "name": "美团", "organization": cast.district.pk}
    data[field] = getattr(cast, value).pk if field == "organization" else value
    response = client(cast, "city_staff").post("/office/platforms/", data)
    assert response.status_code == 400
    assert error in html(response)
    assert Platform.objects.count() == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("outsider", 403),
        ("district_staff", 403),
        ("district_viewer", 403),
        ("other_district_staff", 403),
    ],
)
def test_only_administrators_add_platforms(cast: Cast, platforms: PlatformCast, who: str, status: int) -> None:
    data = {"code": "meituan", "name": "美团", "organization": cast.district.pk}
    assert client(cast, who).post("/office/platforms/", data).status_code == status
    assert not Platform.objects.filter(code="meituan").exists()
    if who not in ("anonymous", "outsider"):
        assert "New platform partner" not in html(client(cast, who).get("/office/platforms/"))


# ---------------------------------------------------------------------------------------------
# One platform: details and changes
# ---------------------------------------------------------------------------------------------


def test_the_page_shows_the_keys_with_readable_scopes(cast: Cast, platforms: PlatformCast) -> None:
    page = html(client(cast, "city_staff").get(f"/office/platforms/{platforms.manbang.pk}/"))
    full = key_of(platforms.manbang_key)
    status_only = key_of(platforms.manbang_status_key)
    assert rows(page, "key") == [status_only.pk, full.pk]  # newest first
    first = row(page, "key", full.pk)
    assert f"gu_{full.prefix}_…" in first
    assert "生产" in first
    assert "Push worker rosters" in first
    assert "Read membership status" in first
    assert "Issue one-tap join links" in first
    assert ">600<" in first
    assert "王敏" in first
    assert 'data-state="in_use"' in page
    assert "In use" in first
    second = row(page, "key", status_only.pk)
    assert "Read membership status" in second
    assert "Push worker rosters" not in second
    # The full text of a key is never on the page.
    assert platforms.manbang_key not in page
    assert platforms.manbang_status_key not in page
    assert full.secret_hash not in page
    assert "贵阳市总工会" in page
    for action in ("Issue a key", "Rotate…", "Revoke…", "Change the platform partner"):
        assert action in page


def test_those_who_may_only_look_see_no_actions(cast: Cast, platforms: PlatformCast) -> None:
    held = meituan(cast)
    api_key_issue(platform=held, name="生产", scopes=ALL_SCOPES)
    pages = [
        html(client(cast, "district_viewer").get(f"/office/platforms/{held.pk}/")),
        html(client(cast, "district_staff").get(f"/office/platforms/{held.pk}/")),
        html(client(cast, "other_district_staff").get(f"/office/platforms/{platforms.haohuo.pk}/")),
    ]
    for page in pages:
        assert "In use" in page
        for action in ("Issue a key", "Rotate…", "Revoke…", "Change the platform partner", "/rotate/", "/revoke/"):
            assert action not in page


def test_an_administrator_changes_a_platform(cast: Cast, platforms: PlatformCast) -> None:
    city = client(cast, "city_staff")
    url = f"/office/platforms/{platforms.manbang.pk}/"
    response = city.post(
        url,
        {"platform-code": "manbang", "platform-name": "满帮集团", "platform-organization": cast.district.pk},
        follow=True,
    )
    assert response.redirect_chain == [(url, 302)]
    assert "The platform partner is saved." in html(response)
    platform = Platform.objects.get(pk=platforms.manbang.pk)
    assert (platform.code, platform.name, platform.organization, platform.is_active) == (
        "manbang",
        "满帮集团",
        cast.district,
        False,  # the box was not ticked
    )
    assert "Inactive: its keys do not work" in html(response)
    # An inactive platform's keys stop working.
    assert api_key_authenticate(platforms.manbang_key) is None
    assert audit("platform.changed")[-1] == (
        str(platform.pk),
        cast.city_staff.user.pk,
        {"code": "manbang", "name": "满帮集团", "active": False},
    )

    city.post(
        url,
        {
            "platform-code": "manbang",
            "platform-name": "满帮集团",
            "platform-organization": cast.district.pk,
            "platform-is_active": "on",
        },
    )
    assert Platform.objects.get(pk=platform.pk).is_active
    authenticated = api_key_authenticate(platforms.manbang_key)
    assert authenticated is not None
    assert authenticated.pk == key_of(platforms.manbang_key).pk


def test_a_change_to_another_platforms_name_is_refused(cast: Cast, platforms: PlatformCast) -> None:
    response = client(cast, "city_staff").post(
        f"/office/platforms/{platforms.manbang.pk}/",
        {"platform-code": "haohuo", "platform-name": "满帮", "platform-organization": cast.city.pk},
    )
    assert response.status_code == 400
    assert "Another platform already has this code or name." in html(response)
    assert Platform.objects.get(pk=platforms.manbang.pk).code == "manbang"
    assert len(audit("platform.changed")) == 2


# ---------------------------------------------------------------------------------------------
# Every change, refused to those who may not make it
# ---------------------------------------------------------------------------------------------

REFUSED = [
    ("anonymous", "manbang", 302),
    ("outsider", "manbang", 403),
    ("district_staff", "manbang", 404),  # 南明区 does not hold the city's agreement
    ("district_viewer", "manbang", 404),
    ("other_district_staff", "manbang", 404),
    ("other_district_staff", "haohuo", 403),  # sees its own district's platform, but is no administrator
    ("district_staff", "meituan", 403),
    ("district_viewer", "meituan", 403),
]


@pytest.mark.parametrize(("who", "held_by", "status"), REFUSED)
def test_changes_are_refused_to_those_who_may_not_make_them(
    cast: Cast, platforms: PlatformCast, who: str, held_by: str, status: int
) -> None:
    platform = meituan(cast) if held_by == "meituan" else getattr(platforms, held_by)
    key = api_key_issue(platform=platform, name="生产", scopes=ALL_SCOPES)
    browser = client(cast, who)  # logging in is audited too: count after it
    keys_before = ApiKey.objects.count()
    events_before = AuditEvent.objects.count()
    attempts = {
        "edit": browser.post(
            f"/office/platforms/{platform.pk}/",
            {"platform-code": "changed", "platform-name": "改名", "platform-organization": cast.city.pk},
        ),
        "issue": browser.post(
            f"/office/platforms/{platform.pk}/keys/",
            {"key-name": "偷偷", "key-scopes": ALL_SCOPES, "key-rate_per_minute": "600"},
        ),
        "rotate": browser.post(f"/office/platforms/keys/{key.key.pk}/rotate/", {"grace_hours": "0"}),
        "revoke": browser.post(f"/office/platforms/keys/{key.key.pk}/revoke/"),
    }
    assert {name: response.status_code for name, response in attempts.items()} == dict.fromkeys(attempts, status)
    for response in attempts.values():
        assert not SHOWN_KEY.search(html(response))
    assert ApiKey.objects.count() == keys_before
    assert AuditEvent.objects.count() == events_before
    assert Platform.objects.get(pk=platform.pk).name == platform.name
    assert api_key_authenticate(key.text) is not None


def test_changes_take_a_post(cast: Cast, platforms: PlatformCast) -> None:
    city = client(cast, "city_staff")
    key = key_of(platforms.manbang_key)
    assert city.get(f"/office/platforms/{platforms.manbang.pk}/keys/").status_code == 405
    assert city.get(f"/office/platforms/keys/{key.pk}/rotate/").status_code == 405
    assert city.get(f"/office/platforms/keys/{key.pk}/revoke/").status_code == 405
    assert city.post("/office/platforms/keys/999999/revoke/").status_code == 404
    assert city.post("/office/platforms/999999/keys/", {"key-scopes": ALL_SCOPES}).status_code == 404
    assert api_key_authenticate(platforms.manbang_key) is not None


def test_changes_need_the_csrf_token(cast: Cast, platforms: PlatformCast) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.city_staff.user)
    key = key_of(platforms.manbang_key)
    assert browser.post(f"/office/platforms/keys/{key.pk}/revoke/").status_code == 403
    assert browser.post(f"/office/platforms/{platforms.manbang.pk}/keys/", {"key-scopes": ALL_SCOPES}).status_code == (
        403
    )
    assert api_key_authenticate(platforms.manbang_key) is not None
    assert ApiKey.objects.count() == 3


# ---------------------------------------------------------------------------------------------
# Issuing a key: shown once
# ---------------------------------------------------------------------------------------------


def test_a_new_key_is_shown_once_and_works(cast: Cast, platforms: PlatformCast) -> None:
    city = client(cast, "city_staff")
    response = city.post(
        f"/office/platforms/{platforms.manbang.pk}/keys/",
        {"key-name": " 测试环境 ", "key-scopes": ["status:read", "roster:write"], "key-rate_per_minute": "120"},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    text = shown_key(response)
    page = html(response)
    assert page.count(text) == 1
    assert "Copy the key now: it will not be shown again." in page
    assert 'data-copy="issued-key"' in page
    assert 'curl -H "Authorization: Bearer &lt;key&gt;" http://testserver/api/v1/' in page
    assert 'href="/api/v1/docs"' in page
    assert "Push worker rosters, Read membership status" in page

    key = api_key_authenticate(text)
    assert key is not None
    assert (key.platform, key.name, key.scopes, key.rate_per_minute, key.created_by, key.expires_at) == (
        platforms.manbang,
        "测试环境",
        ["roster:write", "status:read"],
        120,
        cast.city_staff.user,
        None,
    )
    assert audit("api_key.issued")[-1] == (
        str(key.pk),
        cast.city_staff.user.pk,
        {"platform": "manbang", "prefix": key.prefix, "scopes": ["roster:write", "status:read"]},
    )

    # Nowhere else: not in the session, the cookies, the audit trail, nor any later page.
    assert text not in str(dict(city.session.items()))
    assert text not in str(city.cookies)
    secret = text.partition(f"gu_{key.prefix}_")[2]
    assert secret not in str(list(AuditEvent.objects.values_list("details", flat=True)))
    detail = html(city.get(f"/office/platforms/{platforms.manbang.pk}/"))
    assert text not in detail
    assert secret not in detail
    assert f"gu_{key.prefix}_…" in detail
    assert rows(detail, "key")[0] == key.pk
    listed = html(city.get("/office/platforms/"))
    assert count_value(row(listed, "platform", platforms.manbang.pk), "usable_keys") == "3"


def test_the_how_to_uses_the_public_address_when_set(cast: Cast, platforms: PlatformCast, settings: Any) -> None:
    settings.PUBLIC_BASE_URL = "https://union.example.cn/"
    response = client(cast, "city_staff").post(
        f"/office/platforms/{platforms.haohuo.pk}/keys/", {"key-scopes": ["join_tokens"], "key-rate_per_minute": "60"}
    )
    assert 'Bearer &lt;key&gt;" https://union.example.cn/api/v1/' in html(response)
    key = api_key_authenticate(shown_key(response))
    assert key is not None
    assert (key.platform, key.name, key.scopes) == (platforms.haohuo, "API key", ["join_tokens"])


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"key-name": "x", "key-rate_per_minute": "600"}, "This field is required."),
        ({"key-scopes": ["admin"], "key-rate_per_minute": "600"}, "Select a valid choice. admin is not one"),
        ({"key-scopes": ALL_SCOPES, "key-rate_per_minute": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"key-scopes": ALL_SCOPES, "key-rate_per_minute": "100001"}, "less than or equal to 100000."),
    ],
)
def test_a_key_needs_known_scopes_and_a_sensible_rate(
    cast: Cast, platforms: PlatformCast, data: dict[str, Any], error: str
) -> None:
    response = client(cast, "city_staff").post(f"/office/platforms/{platforms.manbang.pk}/keys/", data)
    assert response.status_code == 400
    assert error in html(response)
    assert not SHOWN_KEY.search(html(response))
    assert ApiKey.objects.count() == 3
    assert len(audit("api_key.issued")) == 3


# ---------------------------------------------------------------------------------------------
# Rotating and revoking
# ---------------------------------------------------------------------------------------------


def test_rotating_shows_the_new_key_once_and_the_old_one_works_for_the_grace_period(
    cast: Cast, platforms: PlatformCast
) -> None:
    city = client(cast, "city_staff")
    old = key_of(platforms.manbang_key)
    before = timezone.now()
    response = city.post(f"/office/platforms/keys/{old.pk}/rotate/", {"grace_hours": "24"})
    after = timezone.now()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = html(response)
    assert "The key is rotated" in page
    assert f"gu_{old.prefix}_… keeps working until" in page
    text = shown_key(response)
    new = api_key_authenticate(text)
    assert new is not None
    assert (new.platform, new.name, sorted(new.scopes), new.rate_per_minute) == (
        platforms.manbang,
        "生产",
        sorted(ALL_SCOPES),
        600,
    )
    old.refresh_from_db()
    assert old.replaced_by == new
    assert old.revoked_at is None
    assert old.expires_at is not None
    assert before + timedelta(hours=24) <= old.expires_at <= after + timedelta(hours=24)
    authenticated = api_key_authenticate(platforms.manbang_key)
    assert authenticated is not None
    assert authenticated.pk == old.pk
    assert audit("api_key.rotated") == [
        (str(old.pk), cast.city_staff.user.pk, {"prefix": old.prefix, "new_prefix": new.prefix, "grace_hours": 24})
    ]
    assert audit("api_key.issued")[-1][0] == str(new.pk)

    detail = html(city.get(f"/office/platforms/{platforms.manbang.pk}/"))
    assert text not in detail
    old_row = row(detail, "key", old.pk)
    assert 'data-state="rotated"' in old_row
    assert "Rotated: works until" in old_row
    assert f"Replaced by gu_{new.prefix}_…" in old_row
    assert f"/office/platforms/keys/{old.pk}/rotate/" not in detail
    assert f"/office/platforms/keys/{old.pk}/revoke/" in detail

    # Sending the form again makes no second key: the old key already has its successor.
    again = city.post(f"/office/platforms/keys/{old.pk}/rotate/", {"grace_hours": "24"}, follow=True)
    assert "This key was already rotated: rotate its replacement instead." in html(again)
    assert not SHOWN_KEY.search(html(again))
    assert ApiKey.objects.filter(platform=platforms.manbang).count() == 3

    # When the grace period is over, the old key stops working.
    ApiKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_key_authenticate(platforms.manbang_key) is None
    assert api_key_authenticate(text) is not None
    assert 'data-state="expired"' in html(city.get(f"/office/platforms/{platforms.manbang.pk}/"))


def test_rotating_without_a_grace_period_stops_the_old_key_at_once(cast: Cast, platforms: PlatformCast) -> None:
    old = key_of(platforms.manbang_status_key)
    response = client(cast, "city_staff").post(f"/office/platforms/keys/{old.pk}/rotate/", {"grace_hours": "0"})
    assert f"gu_{old.prefix}_… stopped working at once." in html(response)
    assert api_key_authenticate(platforms.manbang_status_key) is None
    new = api_key_authenticate(shown_key(response))
    assert new is not None
    assert new.scopes == ["status:read"]
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert audit("api_key.rotated")[0][2]["grace_hours"] == 0


@pytest.mark.parametrize(
    ("grace_hours", "error"),
    [("721", "The grace period is between 0 and 720 hours."), ("", "Enter the grace period in hours.")],
)
def test_a_grace_period_outside_the_limits_is_refused(
    cast: Cast, platforms: PlatformCast, grace_hours: str, error: str
) -> None:
    old = key_of(platforms.manbang_key)
    response = client(cast, "city_staff").post(
        f"/office/platforms/keys/{old.pk}/rotate/", {"grace_hours": grace_hours}, follow=True
    )
    assert response.redirect_chain == [(f"/office/platforms/{platforms.manbang.pk}/", 302)]
    assert error in html(response)
    assert ApiKey.objects.count() == 3
    assert audit("api_key.rotated") == []
    old.refresh_from_db()
    assert (old.expires_at, old.replaced_by) == (None, None)


def test_revoking_stops_a_key_at_once(cast: Cast, platforms: PlatformCast) -> None:
    city = client(cast, "city_staff")
    key = key_of(platforms.manbang_status_key)
    url = f"/office/platforms/keys/{key.pk}/revoke/"
    response = city.post(url, follow=True)
    assert response.redirect_chain == [(f"/office/platforms/{platforms.manbang.pk}/", 302)]
    page = html(response)
    assert f"The key gu_{key.prefix}_… is revoked: it no longer works." in page
    assert api_key_authenticate(platforms.manbang_status_key) is None
    assert api_key_authenticate(platforms.manbang_key) is not None
    assert api_key_authenticate(platforms.haohuo_key) is not None
    assert f'<tr data-key="{key.pk}" data-state="revoked">' in page
    assert "Revoked " in row(page, "key", key.pk)
    assert f"/office/platforms/keys/{key.pk}/revoke/" not in page
    assert f"/office/platforms/keys/{key.pk}/rotate/" not in page
    assert audit("api_key.revoked") == [(str(key.pk), cast.city_staff.user.pk, {"prefix": key.prefix})]

    # A revoked key cannot be rotated back to life, and revoking it again changes nothing.
    refused = city.post(f"/office/platforms/keys/{key.pk}/rotate/", {"grace_hours": "24"}, follow=True)
    assert "This key is no longer in use or has already been rotated." in html(refused)
    city.post(url)
    assert len(audit("api_key.revoked")) == 1
    assert ApiKey.objects.count() == 3


# ---------------------------------------------------------------------------------------------
# The calls
# ---------------------------------------------------------------------------------------------


def test_the_page_shows_recent_calls_and_the_last_days_counts_by_status_class(
    cast: Cast, platforms: PlatformCast
) -> None:
    key = key_of(platforms.manbang_key)
    made = [
        call(platforms.manbang, key, status, hours_ago=hours)
        for status, hours in ((200, 6), (201, 5), (204, 4), (401, 3), (429, 2), (500, 1))
    ]
    old = call(platforms.manbang, key, 200, hours_ago=30)
    anonymous = call(platforms.manbang, None, 401, hours_ago=0.5, method="POST", path="/api/v1/rosters", rows=0)
    latest = call(platforms.manbang, key, 200, hours_ago=0.1, method="POST", path="/api/v1/rosters", duration_ms=87)
    call(platforms.haohuo, key_of(platforms.haohuo_key), 500)

    page = html(client(cast, "city_staff").get(f"/office/platforms/{platforms.manbang.pk}/"))
    assert [count_value(page, name) for name in ("total", "2xx", "4xx", "5xx")] == ["8", "4", "3", "1"]
    assert rows(page, "call") == [latest.pk, anonymous.pk, *[made_call.pk for made_call in reversed(made)], old.pk]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row(page, "call", latest.pk))
    assert cells[2:] == ["POST", "/api/v1/rosters", "200", "87", "1"]
    assert f"gu_{key.prefix}_…" in row(page, "call", latest.pk)
    assert "—" in row(page, "call", anonymous.pk)
    assert timezone.localtime(latest.created_at).strftime("%Y-%m-%d %H:%M:%S") in row(page, "call", latest.pk)


def test_the_page_lists_the_last_hundred_calls_in_the_same_queries(cast: Cast, platforms: PlatformCast) -> None:
    city = client(cast, "city_staff")
    url = f"/office/platforms/{platforms.manbang.pk}/"
    key = key_of(platforms.manbang_key)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert city.get(url).status_code == 200
        return len(captured)

    call(platforms.manbang, key, 200)
    before = queries()
    now = timezone.now()
    ApiCall.objects.bulk_create(
        ApiCall(
            platform=platforms.manbang,
            api_key=key,
            method="GET",
            path=f"/api/v1/members/{number}",
            status=200,
            created_at=now - timedelta(minutes=number),
        )
        for number in range(1, 120)
    )
    api_key_issue(platform=platforms.manbang, name="备用", scopes=ALL_SCOPES, actor=cast.city_staff.user)
    assert queries() == before
    page = html(city.get(url))
    assert len(rows(page, "call")) == 100
    assert count_value(page, "total") == "120"
    assert "/api/v1/members/1<" in page
    assert "/api/v1/members/119<" not in page
