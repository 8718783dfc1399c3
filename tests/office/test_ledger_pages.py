"""The reconciliation pages (清底数) of the back office: overview, the list behind every number, one worker.

The dataset is tests/ledger/test_reconciliation.py's (two sources, a mover, a pending applicant, a
member in no roster). Every page is tried against every role; pages are read in English.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from gigunion.core.models import AuditAction, AuditEvent
from gigunion.office.ledger import WORKER_EXPORT_HEADERS
from tests.conftest import Cast
from tests.ledger.test_reconciliation import A, B, C, D, Ledger, build_ledger, key
from tests.people import OTHER_ID, RIDER_ID, Members

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def ledger(cast: Cast, members: Members) -> Ledger:
    return build_ledger(cast, members)


def client(cast: Cast, who: str) -> Client:
    browser = cast.client_for(None if who == "anonymous" else getattr(cast, who))
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


def text(response: Any) -> str:
    return str(response.content.decode())


def figures(page: str) -> dict[str, tuple[str, int]]:
    """Each linked number of a page: its name → (the list behind it, the number)."""
    found = re.findall(r'<a href="([^"]+)" data-figure="([^"]+)">(\d+)</a>', page)
    return {name: (html_lib.unescape(url), int(number)) for url, name, number in found}


def listed(page: str) -> int:
    match = re.search(r'<span data-count="listed">(\d+)</span>', page)
    assert match, "no count on the list"
    return int(match.group(1))


def listed_workers(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr data-worker="(\d+)">', page)}


def sighting_rows(page: str) -> dict[str, str]:
    """The source table of a worker's page: source name → the row's HTML."""
    return dict(re.findall(r'<tr data-sighting="([^"]+)">(.*?)</tr>', page, flags=re.S))


def xlsx_rows(response: Any) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


PAGES = [
    "/office/ledger/",
    "/office/ledger/workers/",
    "/office/ledger/workers/?format=xlsx",
    "/office/ledger/members-in-no-roster/",
    "/office/ledger/workers/{a}/",
    "/office/ledger/?region=520102",
    "/office/ledger/workers/?region=520102",
    "/office/ledger/members-in-no-roster/?region=520102",
]
# Pages of 南明区 (王小明 works there): another district answers 404.
NANMING_ONLY = {4, 5, 6, 7}


@pytest.mark.parametrize("page", range(len(PAGES)))
def test_every_page_answers_each_role(cast: Cast, ledger: Ledger, page: int) -> None:
    url = PAGES[page].format(a=key(A))
    anonymous = client(cast, "anonymous").get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/office/login/")
    assert client(cast, "outsider").get(url).status_code == 403
    for who in ("district_staff", "district_viewer", "city_staff"):
        assert client(cast, who).get(url).status_code == 200, who
    assert client(cast, "other_district_staff").get(url).status_code == (404 if page in NANMING_ONLY else 200)


def test_the_city_sees_both_districts_rolled_up(cast: Cast, ledger: Ledger) -> None:
    page = text(client(cast, "city_staff").get("/office/ledger/"))

    numbers = {name: number for name, (_url, number) in figures(page).items()}
    assert [numbers[f"total-{name}"] for name in ("workers", "members", "pending", "not_joined")] == [6, 2, 1, 3]
    assert numbers["unlisted"] == 1
    assert '<span class="value" data-rate="total">33.3%</span>' in page
    assert "Membership rate: 2 of 6" in page
    assert [numbers[f"{code}-workers"] for code in ("520102", "520103", "520111")] == [2, 3, 1]
    assert numbers["520103-truck_driver-members"] == 1
    assert numbers["520103-courier-pending"] == 1
    assert numbers["occupation-delivery_rider-workers"] == 3
    assert (numbers["source-美团-workers"], numbers["source-贵阳市交通运输局-workers"]) == (4, 5)
    assert "(data as of 2026-06-30)" in page
    assert 'href="/office/ledger/?region=520102"' in page
    assert 'data-chart="stacked-bar"' in page


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("city_staff", "/office/ledger/"),
        ("city_staff", "/office/ledger/?region=520102"),
        ("city_staff", "/office/ledger/?active=1"),
        ("district_staff", "/office/ledger/"),
        ("other_district_staff", "/office/ledger/"),
    ],
)
def test_every_number_on_the_page_is_the_count_of_the_list_behind_it(
    cast: Cast, ledger: Ledger, who: str, url: str
) -> None:
    browser = client(cast, who)
    numbers = figures(text(browser.get(url)))

    assert len(numbers) > 10
    for name, (list_url, number) in numbers.items():
        response = browser.get(list_url)
        assert response.status_code == 200, list_url
        assert listed(text(response)) == number, (name, list_url)


def test_another_district_sees_only_its_own(cast: Cast, ledger: Ledger) -> None:
    browser = client(cast, "other_district_staff")
    numbers = {name: number for name, (_url, number) in figures(text(browser.get("/office/ledger/"))).items()}

    assert [numbers[f"total-{name}"] for name in ("workers", "members", "pending", "not_joined")] == [3, 1, 1, 1]
    assert numbers["unlisted"] == 0
    assert listed_workers(text(browser.get("/office/ledger/workers/"))) == {key(OTHER_ID), key(B), key(C)}
    assert browser.get(f"/office/ledger/workers/{key(RIDER_ID)}/").status_code == 404
    assert browser.get("/office/ledger/?region=520102").status_code == 404
    assert browser.get("/office/ledger/?region=520111").status_code == 404
    # The mover now works in 云岩区: theirs, not 南明区's.
    assert browser.get(f"/office/ledger/workers/{key(C)}/").status_code == 200
    assert client(cast, "district_staff").get(f"/office/ledger/workers/{key(C)}/").status_code == 404


def test_the_district_drills_down_from_the_city(cast: Cast, ledger: Ledger) -> None:
    page = text(client(cast, "city_staff").get("/office/ledger/?region=520102"))

    assert "南明区 itself (no lower region given)" in page
    numbers = {name: number for name, (_url, number) in figures(page).items()}
    assert (numbers["total-workers"], numbers["total-members"], numbers["unlisted"]) == (2, 1, 1)
    assert 'href="/office/ledger/?region=520100"' in page  # back up to the city


def test_the_list_filters_and_masks(cast: Cast, ledger: Ledger) -> None:
    browser = client(cast, "city_staff")

    page = text(browser.get("/office/ledger/workers/", {"platform": "美团", "status": "not_member"}))
    assert listed_workers(page) == {key(A), key(C)}
    assert "王*明" in page
    assert "王小明" not in page
    assert A[:4] + "**********" + A[-4:] in page
    assert A not in page
    assert "139****1001" in page
    assert "13985101001" not in page
    assert listed_workers(text(browser.get("/office/ledger/workers/", {"active": "0"}))) == {key(D)}
    assert listed_workers(
        text(browser.get("/office/ledger/workers/", {"source": str(ledger.transport.pk), "occupation": "courier"}))
    ) == {key(B), key(D)}
    assert listed_workers(text(browser.get("/office/ledger/workers/", {"status": "pending"}))) == {key(B)}
    assert listed_workers(text(browser.get("/office/ledger/workers/", {"region": "520103"}))) == {
        key(OTHER_ID),
        key(B),
        key(C),
    }
    assert "invite_not_joined" not in page  # the reserved block renders nothing yet


def test_one_worker_shows_sources_dates_platform_ids_and_the_member_page(cast: Cast, ledger: Ledger) -> None:
    page = text(client(cast, "district_staff").get(f"/office/ledger/workers/{key(RIDER_ID)}/"))

    assert 'data-status="member"' in page
    assert 'data-link="member"' in page
    assert f'href="/office/members/{ledger_rider_pk(cast)}/"' in page
    sightings = sighting_rows(page)
    assert "MT100" in sightings["美团"]
    assert "<td>2026-06-30</td><td>2026-06-30</td>" in sightings["美团"]
    assert "<td>2026-03-31</td><td>2026-03-31</td>" in sightings["贵阳市交通运输局"]
    assert "Delivery rider" in page
    assert "520102" in page
    assert RIDER_ID not in page

    mover = text(client(cast, "city_staff").get(f"/office/ledger/workers/{key(C)}/"))
    assert 'data-status="not_member"' in mover
    assert 'data-link="member"' not in mover
    assert "云岩区" in mover


def ledger_rider_pk(cast: Cast) -> int:
    from gigunion.members.models import Person
    from gigunion.members.selectors import id_number_index

    return Person.objects.get(id_number_index=id_number_index(RIDER_ID)).pk


def test_a_member_of_a_union_outside_the_jurisdiction_is_not_linked(cast: Cast, ledger: Ledger) -> None:
    # 马建国 works in 云岩区 and is a member there: the city sees the link, 南明区 does not see him at all.
    page = text(client(cast, "city_staff").get(f"/office/ledger/workers/{key(OTHER_ID)}/"))
    assert 'data-link="member"' in page


def test_members_in_no_roster(cast: Cast, ledger: Ledger) -> None:
    page = text(client(cast, "district_staff").get("/office/ledger/members-in-no-roster/"))

    assert listed(page) == 1
    assert f'<tr data-person="{ledger.unlisted_member.pk}">' in page
    assert "刘*" in page
    assert "刘洋" not in page
    assert listed(text(client(cast, "other_district_staff").get("/office/ledger/members-in-no-roster/"))) == 0


def test_the_viewer_exports_masked_only_and_every_export_is_audited(cast: Cast, ledger: Ledger) -> None:
    browser = client(cast, "district_viewer")

    response = browser.get("/office/ledger/workers/", {"format": "xlsx"})

    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert rows[0] == WORKER_EXPORT_HEADERS
    assert sorted(row[1] for row in rows[1:]) == sorted(
        number[:4] + "**********" + number[-4:] for number in (RIDER_ID, A)
    )
    by_id = {row[1][-4:]: row for row in rows[1:]}
    assert by_id[A[-4:]][:6] == ["王*明", A[:4] + "**********" + A[-4:], "139****1001", "网约送餐员", "美团", "MT001"]
    assert by_id[A[-4:]][8:12] == ["520102", "是", "未入会", "美团"]
    assert by_id[RIDER_ID[-4:]][10:12] == ["会员", "美团、贵阳市交通运输局"]
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_EXPORT)
    assert (event.actor, event.object_type, event.details) == (
        cast.district_viewer.user,
        "ledger_workers",
        {"rows": 2, "unmasked": False},
    )
    assert browser.get("/office/ledger/workers/", {"format": "xlsx", "unmasked": "1"}).status_code == 403
    assert "Export unmasked" not in text(browser.get("/office/ledger/workers/"))
    assert AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_EXPORT).count() == 1


def test_an_administrator_exports_unmasked_and_it_is_audited(cast: Cast, ledger: Ledger) -> None:
    response = client(cast, "city_staff").get(
        "/office/ledger/workers/", {"format": "xlsx", "unmasked": "1", "region": "520103"}
    )

    rows = xlsx_rows(response)
    assert sorted(row[1] for row in rows[1:]) == sorted([OTHER_ID, B, C])
    assert {row[0] for row in rows[1:]} == {"马建国", "李娟", "张伟"}
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_EXPORT)
    assert (event.actor, event.details) == (cast.city_staff.user, {"rows": 3, "unmasked": True})


def test_revealing_a_worker_takes_permission_and_is_audited(cast: Cast, ledger: Ledger) -> None:
    url = f"/office/ledger/workers/{key(A)}/reveal/id_number/"
    assert client(cast, "district_viewer").post(url).status_code == 403
    assert client(cast, "district_staff").post(url).status_code == 403
    assert client(cast, "other_district_staff").post(url).status_code == 404

    response = client(cast, "city_staff").post(url)

    assert response.status_code == 200
    assert A in text(response)
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEW)
    assert (event.object_type, event.object_id, event.details) == ("worker", str(key(A)), {"field": "id_number"})
    htmx = client(cast, "city_staff").post(
        f"/office/ledger/workers/{key(A)}/reveal/name/", headers={"HX-Request": "true"}
    )
    assert text(htmx).strip() == '<span class="revealed">王小明</span>'
    assert client(cast, "city_staff").post(f"/office/ledger/workers/{key(A)}/reveal/birth/").status_code == 404
