"""The survey-round pages: the list, a round's page for an area, entries, the survey sheet, submitting,
corrections and their versions (dataset: tests/surveys/data.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from gigunion.orgs.models import StaffAccount
from gigunion.surveys.models import RoundFigure, RoundSubmission, SurveyEntry, SurveyRound
from gigunion.surveys.services import round_create, round_submit
from tests.conftest import Cast
from tests.people import Members
from tests.surveys.data import Survey, build_survey

pytestmark = pytest.mark.django_db

SHEET_HEADERS = ["区划代码", "地区", "职业", "用工单位数", "工会数", "覆盖单位数", "从业人员数", "会员数", "说明"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def survey(cast: Cast, members: Members) -> Survey:
    return build_survey(cast, members)


@pytest.fixture
def round_h1(province_admin: StaffAccount) -> SurveyRound:
    return round_create(user=province_admin.user, name="2026 H1", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))


def browser(cast: Cast, who: StaffAccount | None) -> Client:
    client = cast.client_for(who)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def figures_of(response: Any, *codes: str) -> dict[str, list[int]]:
    rows = response.context["rows"]
    return {
        row.region.code: [cell.value for cell in row.cells] for row in rows if row.region and row.region.code in codes
    }


def sheet(*rows: list[object]) -> bytes:
    workbook = Workbook()
    workbook.active.append(SHEET_HEADERS)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: Client, round: SurveyRound, data: bytes, area: str = "") -> Any:
    file = io.BytesIO(data)
    file.name = "摸底表.xlsx"
    return client.post(f"/office/rounds/{round.pk}/sheet/", {"sheet": file, "area": area})


def test_a_provincial_administrator_opens_rounds(cast: Cast, province_admin: StaffAccount) -> None:
    admin = browser(cast, province_admin)
    assert 'data-form="round-create"' in admin.get("/office/rounds/").content.decode()
    response = admin.post("/office/rounds/", {"name": "2026 H2", "starts_on": "2026-07-01", "ends_on": "2026-12-31"})
    created = SurveyRound.objects.get(name="2026 H2")
    assert response.status_code == 302
    assert response["Location"] == f"/office/rounds/{created.pk}/"
    again = admin.post("/office/rounds/", {"name": "2026 H2", "starts_on": "2026-07-01", "ends_on": "2026-12-31"})
    assert "A round named 2026 H2 exists already." in again.content.decode()

    city = browser(cast, cast.city_staff)
    page = city.get("/office/rounds/").content.decode()
    assert 'data-form="round-create"' not in page
    assert "2026 H2" in page
    assert city.post("/office/rounds/", {"name": "2027 H1"}).status_code == 403
    assert SurveyRound.objects.count() == 1


def test_the_round_page_shows_what_submitting_would_lock_with_survey_figures(
    cast: Cast, survey: Survey, round_h1: SurveyRound
) -> None:
    district = browser(cast, cast.district_staff)
    response = district.post(
        f"/office/rounds/{round_h1.pk}/entries/",
        {"region_code": "520102", "occupation": "delivery_rider", "workers": "10", "note": "街道摸底表", "area": ""},
    )
    assert response.status_code == 302
    assert SurveyEntry.objects.get().workers == 10

    city = browser(cast, cast.city_staff)
    page = city.get(f"/office/rounds/{round_h1.pk}/")
    assert page.status_code == 200
    assert 'data-status="open"' in page.content.decode()
    # (employers, unions, covered employers, workers, members): 南明区's riders are 10 by the survey sheet.
    assert figures_of(page, "520102", "520103") == {"520102": [3, 1, 1, 10, 2], "520103": [1, 1, 1, 3, 1]}
    row = next(row for row in page.context["rows"] if row.region and row.region.code == "520102")
    assert [cell.entered for cell in row.cells] == [False, False, False, True, False]
    assert row.notes == ["Delivery rider: 街道摸底表"]
    assert [(entry.region_code, entry.occupation_name) for entry in page.context["entries"]] == [
        ("520102", "Delivery rider")
    ]
    assert "<td>520102</td><td>Delivery rider</td>" in page.content.decode()  # the label, not the code
    assert row.drill_down == f"/office/rounds/{round_h1.pk}/?region=520102"
    total = page.context["total"]
    assert (total.workers, total.members, total.membership_rate.percent) == (13, 3, "23.1%")

    down = city.get(f"/office/rounds/{round_h1.pk}/?region=520102")
    assert down.context["region"].code == "520102"
    assert down.context["parent"].code == "520100"


def test_submitting_locks_and_corrections_make_versions(cast: Cast, survey: Survey, round_h1: SurveyRound) -> None:
    district = browser(cast, cast.district_staff)
    response = district.post(f"/office/rounds/{round_h1.pk}/submit/")
    assert response.status_code == 302
    submission = RoundSubmission.objects.get()
    assert (submission.region_prefix, submission.submitted_by) == ("520102", cast.district_staff.user)

    city = browser(cast, cast.city_staff)
    page = city.get(f"/office/rounds/{round_h1.pk}/").content.decode()
    assert 'data-status="partly"' in page
    assert "Partly submitted by lower levels" in page
    own = district.get(f"/office/rounds/{round_h1.pk}/").content.decode()
    assert 'data-status="submitted"' in own
    assert "Submitted by 南明区总工会 (李娜)" in own
    assert 'data-form="correction"' in own
    assert 'data-form="entry"' not in own

    refused = district.post(
        f"/office/rounds/{round_h1.pk}/entries/",
        {"region_code": "520102", "occupation": "all", "workers": "1"},
        follow=True,
    )
    assert "南明区总工会 has submitted these figures; correct them instead." in refused.content.decode()
    twice = district.post(f"/office/rounds/{round_h1.pk}/submit/", follow=True)
    assert "has submitted this round for your area already" in twice.content.decode()

    no_reason = district.post(
        f"/office/rounds/{round_h1.pk}/corrections/",
        {"region_code": "520102", "occupation": "delivery_rider", "workers": "4", "reason": ""},
        follow=True,
    )
    assert "Reason: This field is required." in no_reason.content.decode()
    corrected = district.post(
        f"/office/rounds/{round_h1.pk}/corrections/",
        {"region_code": "520102", "occupation": "delivery_rider", "workers": "4", "reason": "美团补报两人"},
        follow=True,
    )
    assert "The correction is saved as a new version." in corrected.content.decode()
    page_after = city.get(f"/office/rounds/{round_h1.pk}/")
    assert figures_of(page_after, "520102") == {"520102": [3, 1, 1, 4, 2]}
    row = next(row for row in page_after.context["rows"] if row.region and row.region.code == "520102")
    assert all(cell.corrected for cell in row.cells)
    assert "美团补报两人" in district.get(f"/office/rounds/{round_h1.pk}/").content.decode()

    history = district.get(f"/office/rounds/{round_h1.pk}/history/?region=520102&occupation=delivery_rider")
    assert [(row.workers, row.current) for row, _label, _values in history.context["versions"]] == [
        (2, False),
        (4, True),
    ]
    assert "美团补报两人" in history.content.decode()


def test_the_survey_sheet_goes_out_and_comes_back(cast: Cast, survey: Survey, round_h1: SurveyRound) -> None:
    district = browser(cast, cast.district_staff)
    response = district.get(f"/office/rounds/{round_h1.pk}/sheet.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == SHEET_HEADERS
    by_cell = {(row[0], row[2]): row for row in rows[1:]}
    assert by_cell[("520102", "全部")][3:8] == (0, 1, 0, 2, 2)
    assert by_cell[("520102", "网约送餐员")][3:8] == (0, 1, 0, 2, 2)
    assert by_cell[(survey.nanming_street.code, "全部")][3:8] == (3, 0, 1, 0, 0)

    # One bad row: nothing is saved, the rows at fault are listed.
    bad = upload(
        district,
        round_h1,
        sheet(
            ["520102", "南明区", "网约送餐员", None, None, None, 12, 5, "摸底表"],
            ["520103", "云岩区", "全部", None, None, None, 9, None, ""],
            ["520102", "南明区", "飞行员", None, None, None, 1, None, ""],
            [survey.nanming_street.code, "", "全部", 2, None, 3, None, None, ""],
        ),
    )
    assert bad.status_code == 400
    assert [(e.row, e.column, e.message) for e in bad.context["errors"]] == [
        (3, "区划代码", "This region is outside your jurisdiction."),
        (4, "职业", "Unknown occupation 飞行员."),
        (5, "覆盖单位数", "Covered employers cannot exceed employers."),
    ]
    assert not SurveyEntry.objects.exists()

    # Unchanged figures stay computed; changed ones are entered.
    good = upload(
        district,
        round_h1,
        sheet(
            ["520102", "南明区", "网约送餐员", 0, 1, 0, 12, 5, "摸底表"],
            ["520102", "南明区", "全部", 0, 1, 0, 2, 2, ""],
        ),
    )
    assert good.status_code == 302
    assert list(
        SurveyEntry.objects.values_list("region_code", "occupation", "workers", "members", "employers", "note")
    ) == [("520102", "delivery_rider", 12, 5, None, "摸底表")]
    round_submit(user=cast.district_staff.user, round=round_h1)
    assert RoundFigure.objects.get(region_code="520102", occupation="all").workers == 12


def test_who_may_see_and_change_a_round(cast: Cast, survey: Survey, round_h1: SurveyRound) -> None:
    url = f"/office/rounds/{round_h1.pk}/"
    anonymous = cast.client_for(None).get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/office/login/")
    assert cast.client_for(cast.outsider).get(url).status_code == 403
    assert cast.client_for(cast.outsider).get("/office/rounds/").status_code == 403
    outsider = cast.client_for(cast.outsider)
    assert outsider.post(f"{url}submit/").status_code == 403
    assert outsider.post(
        f"{url}entries/", {"region_code": "520102", "occupation": "all", "workers": "1"}
    ).status_code == (403)
    assert outsider.post(f"{url}corrections/", {"region_code": "520102", "occupation": "all"}).status_code == 403
    assert upload(outsider, round_h1, sheet(["520102", "", "全部", 1, None, None, None, None, ""])).status_code == 403
    for path in ("submit/", "entries/", "corrections/", "sheet/"):
        refused = cast.client_for(None).post(f"{url}{path}")
        assert (refused.status_code, refused["Location"][:14]) == (302, "/office/login/")

    viewer = browser(cast, cast.district_viewer)
    page = viewer.get(url)
    assert page.status_code == 200
    assert 'data-confirm="submit"' not in page.content.decode()
    assert viewer.get(f"{url}sheet.xlsx").status_code == 200
    assert viewer.post(f"{url}submit/").status_code == 403
    assert (
        viewer.post(f"{url}entries/", {"region_code": "520102", "occupation": "all", "workers": "1"}).status_code == 403
    )
    assert viewer.post(f"{url}corrections/", {"region_code": "520102", "occupation": "all"}).status_code == 403
    assert upload(viewer, round_h1, sheet(["520102", "", "全部", 1, None, None, None, None, ""])).status_code == 403
    assert not RoundSubmission.objects.exists()
    assert not SurveyEntry.objects.exists()

    other = browser(cast, cast.other_district_staff)
    assert other.get(f"{url}?region=520102").status_code == 404
    assert other.get(f"{url}sheet.xlsx?region=520102").status_code == 404
    assert other.get(f"{url}history/?region=520102").status_code == 404
    assert (
        other.post(
            f"{url}entries/", {"region_code": "520102", "occupation": "all", "workers": "1", "area": "520102"}
        ).status_code
        == 404
    )
    assert browser(cast, cast.district_staff).get("/office/rounds/999/").status_code == 404
