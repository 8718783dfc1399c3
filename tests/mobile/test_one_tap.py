"""One-tap join (一键入会): a platform's sealed token with the worker's details; no SMS code."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from gigunion.core import sms
from gigunion.members.models import JoinSource, Membership, MembershipStatus, Person, SmsCode
from gigunion.members.selectors import id_number_index
from gigunion.members.services import join_token_issue
from tests.conftest import Cast
from tests.mobile.helpers import page
from tests.people import RIDER_ID, RIDER_PHONE, Members, worker

pytestmark = pytest.mark.django_db

EXPIRED = "This join link has expired or is not valid. Open it again from the app."


def test_the_one_tap_page_shows_the_details_masked(members: Members, client_en: Client) -> None:
    token = join_token_issue(data=worker(employer_name="贵阳某某配送站"), issuer="美团")
    response = client_en.get("/m/join/", {"t": token})
    html = page(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Your details from 美团:" in html
    facts = [
        ("Name", "刘洋"),
        ("ID number", "5201**********011X"),
        ("Mobile number", "137****0001"),
        ("Occupation", "Delivery rider"),
        ("Platform", "美团"),
        ("Employer", "贵阳某某配送站"),
        ("Where you work", "贵州省 贵阳市 南明区"),
        ("Join where", "Where I work"),
    ]
    for label, value in facts:
        assert f"<div><dt>{label}</dt><dd>{value}</dd></div>" in html
    assert worker().id_number not in html
    assert "13700000001" not in html
    assert html.count("<button") == 1 + 1  # the join button and the language switch
    assert '<button type="submit" name="action" value="one_tap" class="m-button m-wide">Join</button>' in html
    assert 'name="code"' not in html
    assert Person.objects.count() == 2  # looking joins nobody


def test_one_tap_joins_without_a_code_and_logs_the_worker_in(
    members: Members, cast: Cast, client_en: Client, django_capture_on_commit_callbacks: Any
) -> None:
    token = join_token_issue(data=worker(), issuer="美团")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_en.post("/m/join/", {"t": token, "action": "one_tap"})
    assert (response.status_code, response["Location"]) == (302, "/m/join/done/")
    person = Person.objects.get(id_number_index=id_number_index(worker().id_number))
    membership = Membership.objects.get(person=person)
    assert (membership.union, membership.status, membership.source) == (
        cast.district_grassroots,
        MembershipStatus.ACTIVE,
        JoinSource.ONE_TAP,
    )
    assert person.phone == "13700000001"
    assert SmsCode.objects.count() == 0
    assert [message.phone for message in sms.outbox] == ["13700000001"]  # the welcome only
    assert "You are now a member of 南明区网约送餐员联合工会." in page(client_en.get("/m/join/done/"))
    assert person.card_number is not None
    assert person.card_number in page(client_en.get("/m/me/"))


def test_one_tap_for_a_member_says_already(members: Members, client_en: Client) -> None:
    token = join_token_issue(data=worker(name="陈小军", id_number=RIDER_ID, phone=RIDER_PHONE), issuer="美团")
    client_en.post("/m/join/", {"t": token, "action": "one_tap"})
    assert "You are already a member" in page(client_en.get("/m/join/done/"))
    assert Membership.objects.filter(person=members.rider).count() == 1
    assert Person.objects.count() == 2


def test_an_expired_token_says_so(members: Members, client_en: Client, settings: Any) -> None:
    token = join_token_issue(data=worker(), issuer="美团")
    settings.JOIN_TOKEN_SECONDS = -1
    response = client_en.get("/m/join/", {"t": token})
    html = page(response)
    assert response.status_code == 400
    assert EXPIRED in html
    assert '<a class="m-button" href="/m/join/">Fill in the join form instead</a>' in html
    assert "刘洋" not in html
    posted = client_en.post("/m/join/", {"t": token, "action": "one_tap"})
    assert posted.status_code == 400
    assert Person.objects.count() == 2


@pytest.mark.parametrize("token", ["garbage", "gAAAAABnotreally", "x" * 500])
def test_a_garbage_token_says_so_without_a_trace(members: Members, client_en: Client, token: str) -> None:
    for response in (
        client_en.get("/m/join/", {"t": token}),
        client_en.post("/m/join/", {"t": token, "action": "one_tap"}),
    ):
        html = page(response)
        assert response.status_code == 400
        assert EXPIRED in html
        assert "Traceback" not in html
    assert Person.objects.count() == 2


def test_incomplete_details_fall_back_to_the_form_without_the_id_number(members: Members, client_en: Client) -> None:
    token = join_token_issue(data=worker(work_region="", employer_name="贵阳某某配送站"), issuer="美团")
    response = client_en.get("/m/join/", {"t": token})
    html = page(response)
    assert response.status_code == 400
    assert "Some details from the app are missing or wrong. Complete the form and confirm your phone." in html
    assert '<p class="m-error" id="work_region-error">Choose where you work' in html
    assert 'value="刘洋"' in html
    assert 'value="贵阳某某配送站"' in html
    assert worker().id_number not in html
    assert "13700000001" not in html
    assert Person.objects.count() == 2
