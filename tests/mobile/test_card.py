"""Logging in by phone and SMS code, the member card with its QR code, and the card check page."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import pytest
import segno
from django.conf import settings
from django.test import Client

from gigunion.core import sms
from gigunion.members.models import CardVerification, JoinSource, SmsCode
from gigunion.members.services import card_token, member_join, membership_leave
from gigunion.orgs.access import jurisdiction_of
from tests.conftest import Cast
from tests.mobile.helpers import csrf_token, english_client, last_code, page
from tests.people import OTHER_ID, OTHER_PHONE, RIDER_ID, RIDER_PHONE, Members, worker

pytestmark = pytest.mark.django_db

SENT = "We sent a 6-digit code to {}. Enter it below."
WRONG = "The code is wrong or has expired, or no member card belongs to this number."


def log_in(client: Client, phone: str = RIDER_PHONE) -> Any:
    client.post("/m/login/", {"phone": phone, "action": "send_code"})
    return client.post("/m/login/", {"phone": phone, "code": last_code(phone), "action": "login"})


# Logging in -------------------------------------------------------------------------------------


def test_the_card_page_sends_anonymous_visitors_to_log_in(client_en: Client) -> None:
    response = client_en.get("/m/me/")
    assert (response.status_code, response["Location"]) == (302, "/m/login/")


def test_a_member_logs_in_by_phone_and_code_with_a_new_session_key(members: Members, client_en: Client) -> None:
    session = client_en.session
    session["seen"] = True
    session.save()
    before = session.session_key
    sent = client_en.post("/m/login/", {"phone": RIDER_PHONE, "action": "send_code"})
    assert SENT.format("138****1234") in page(sent)
    assert 'value="13885001234"' in page(sent)
    assert SmsCode.objects.get().purpose == "login"
    response = client_en.post("/m/login/", {"phone": RIDER_PHONE, "code": last_code(RIDER_PHONE), "action": "login"})
    assert (response.status_code, response["Location"]) == (302, "/m/me/")
    assert client_en.session.session_key != before
    assert client_en.session["mobile_person"] == members.rider.pk
    assert client_en.get("/m/me/").status_code == 200
    assert client_en.get("/m/login/")["Location"] == "/m/me/"


def test_an_unknown_phone_is_told_the_same_and_gets_nowhere(members: Members, client_en: Client) -> None:
    known = client_en.post("/m/login/", {"phone": RIDER_PHONE, "action": "send_code"})
    unknown = client_en.post("/m/login/", {"phone": "13600000000", "action": "send_code"})
    assert known.status_code == unknown.status_code == 200
    assert SENT.format("136****0000") in page(unknown)
    assert [message.phone for message in sms.outbox] == [RIDER_PHONE, "13600000000"]
    response = client_en.post(
        "/m/login/", {"phone": "13600000000", "code": last_code("13600000000"), "action": "login"}
    )
    assert response.status_code == 400
    assert f'<p class="m-error" id="code-error">{WRONG}</p>' in page(response)
    assert client_en.get("/m/me/").status_code == 302


def test_a_wrong_code_logs_nobody_in(members: Members, client_en: Client) -> None:
    client_en.post("/m/login/", {"phone": RIDER_PHONE, "action": "send_code"})
    wrong = f"{(int(last_code(RIDER_PHONE)) + 1) % 1_000_000:06d}"
    response = client_en.post("/m/login/", {"phone": RIDER_PHONE, "code": wrong, "action": "login"})
    assert response.status_code == 400
    assert WRONG in page(response)
    assert client_en.get("/m/me/").status_code == 302


@pytest.mark.parametrize(
    ("phone", "message"),
    [("", "Enter the mobile number."), ("1388500", "A mobile number has 11 digits and begins with 13 to 19.")],
)
def test_a_bad_phone_gets_its_message(client_en: Client, phone: str, message: str) -> None:
    response = client_en.post("/m/login/", {"phone": phone, "action": "send_code"})
    assert response.status_code == 400
    assert f'<p class="m-error" id="phone-error">{message}</p>' in page(response)
    assert sms.outbox == []


def test_code_tries_are_limited_per_network(members: Members, client_en: Client, monkeypatch: Any) -> None:
    from gigunion.core import ratelimit
    from gigunion.mobile import views

    monkeypatch.setattr(views, "CODE_CHECKS_PER_IP", ratelimit.Limit(count=2, seconds=600))
    client_en.post("/m/login/", {"phone": RIDER_PHONE, "action": "send_code"})
    for _attempt in range(2):
        client_en.post("/m/login/", {"phone": RIDER_PHONE, "code": "000000", "action": "login"})
    response = client_en.post("/m/login/", {"phone": RIDER_PHONE, "code": last_code(RIDER_PHONE), "action": "login"})
    assert response.status_code == 429
    assert "<p>Too many tries from this network; wait ten minutes and try again.</p>" in page(response)
    assert SmsCode.objects.get().attempts == 2
    assert client_en.get("/m/me/").status_code == 302


def test_logging_out_takes_a_post(members: Members, client_en: Client) -> None:
    log_in(client_en)
    assert client_en.get("/m/logout/").status_code == 405
    response = client_en.post("/m/logout/")
    assert (response.status_code, response["Location"]) == (302, "/m/")
    assert client_en.get("/m/me/").status_code == 302


def test_a_changed_phone_on_record_ends_the_session(members: Members, client_en: Client) -> None:
    log_in(client_en)
    members.rider.phone_index = "changed"
    members.rider.save()
    assert client_en.get("/m/me/").status_code == 302


def test_the_login_form_needs_its_csrf_token(members: Members) -> None:
    client = english_client(enforce_csrf_checks=True)
    assert client.post("/m/login/", {"phone": RIDER_PHONE, "action": "send_code"}).status_code == 403
    assert sms.outbox == []
    token = csrf_token(client.get("/m/login/"))
    sent = client.post("/m/login/", {"phone": RIDER_PHONE, "action": "send_code", "csrfmiddlewaretoken": token})
    assert sent.status_code == 200
    response = client.post(
        "/m/login/",
        {
            "phone": RIDER_PHONE,
            "code": last_code(RIDER_PHONE),
            "action": "login",
            "csrfmiddlewaretoken": csrf_token(sent),
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/m/me/")
    logout_token = csrf_token(client.get("/m/me/"))
    assert client.post("/m/logout/").status_code == 403
    assert client.post("/m/logout/", {"csrfmiddlewaretoken": logout_token}).status_code == 302


# The card ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "prefix"), [("", "http://testserver"), ("https://gh.union.example.cn/", "https://gh.union.example.cn")]
)
def test_the_card_shows_the_members_own_data_and_a_qr_code(
    members: Members, client_en: Client, settings: Any, base: str, prefix: str
) -> None:
    settings.PUBLIC_BASE_URL = base
    log_in(client_en)
    moment = time.time()
    # The same moment and the same IV seal the same token (Fernet draws its IV from os.urandom).
    with mock.patch("time.time", return_value=moment), mock.patch("os.urandom", return_value=bytes(16)):
        response = client_en.get("/m/me/")
        token = card_token(members.rider)
    html = page(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    card = members.rider.card_number or ""
    for label, value in [
        ("Name", "陈*军"),
        ("Card number", card),
        ("Union", "南明区网约送餐员联合工会"),
        ("Status", "Active"),
        ("Member since", members.rider_membership.joined_on.strftime("%Y-%m-%d")),
    ]:
        assert f"<dt>{label}</dt><dd" in html
        assert f">{value}</dd>" in html
    expected_qr = segno.make(f"{prefix}/m/v/{token}/", error="m").svg_inline(
        svgclass="m-qr-code", lineclass=None, omitsize=True
    )
    assert f'<div class="m-qr">{expected_qr}</div>' in response.content.decode()
    assert f'<meta http-equiv="refresh" content="{settings.MEMBER_CARD_TOKEN_SECONDS - 60}">' in html
    assert "It is valid for 10 minutes and renews itself while this page is open." in html
    today = members.rider_membership.joined_on.strftime("%Y-%m-%d")
    assert f"<li><strong>南明区网约送餐员联合工会</strong><span>Active · {today} – now</span></li>" in html
    assert (
        f"<li><strong>Joined</strong><span>{members.rider.created_at:%Y-%m-%d} · 南明区网约送餐员联合工会</span></li>"
        in html
    )
    # Nothing of anyone else, and the member's own ID number and phone stay off the page.
    for other in ("马", "云岩区货车司机工会联合会", members.other_member.card_number or "-", OTHER_ID, OTHER_PHONE):
        assert other not in html
    for secret in ("陈小军", RIDER_ID, RIDER_PHONE):
        assert secret not in html


def test_the_history_lists_each_event_of_the_member(members: Members, cast: Cast, client_en: Client) -> None:
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    membership_leave(
        membership=members.rider_membership, actor=cast.district_staff.user, jurisdiction=jurisdiction, reason="退会"
    )
    log_in(client_en)
    html = page(client_en.get("/m/me/"))
    assert '<dd class="card-status">No current membership</dd>' in html
    assert '<div class="m-qr">' not in html
    assert 'http-equiv="refresh"' not in html
    assert "<strong>Joined</strong>" in html
    assert "<strong>Left the union</strong>" in html
    assert "退会" not in html  # staff's reasons are not shown
    assert '<a class="m-button" href="/m/join/">Join the union</a>' in html


def test_a_pending_member_sees_the_application_but_no_qr_code(members: Members, cast: Cast, client_en: Client) -> None:
    cast.district_grassroots.join_requires_approval = True
    cast.district_grassroots.save()
    outcome = member_join(data=worker(), source=JoinSource.QR, phone_verified=True)
    assert outcome.status == "pending"
    log_in(client_en, "13700000001")
    html = page(client_en.get("/m/me/"))
    assert '<dd class="card-status">Awaiting approval</dd>' in html
    assert '<dd class="card-union">南明区网约送餐员联合工会</dd>' in html
    assert "Card number" not in html
    assert '<div class="m-qr">' not in html
    assert "Your application is awaiting the union's approval" in html
    assert "<strong>Applied to join</strong>" in html


# Checking a card --------------------------------------------------------------------------------


def test_a_valid_card_shows_the_union_and_a_masked_name_and_is_logged(
    members: Members, cast: Cast, client_en: Client
) -> None:
    token = card_token(members.rider)
    response = client_en.get(f"/m/v/{token}/", REMOTE_ADDR="10.0.0.7")
    html = page(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert '<h1 class="m-verify-result">Valid</h1>' in html
    assert "<div><dt>Union</dt><dd>南明区网约送餐员联合工会</dd></div>" in html
    assert "<div><dt>Name</dt><dd>陈*军</dd></div>" in html
    for secret in ("陈小军", RIDER_ID, RIDER_PHONE, "Member since", "Card number"):
        assert secret not in html
    assert list(CardVerification.objects.values_list("result", "person_id", "union_id", "ip_address")) == [
        ("valid", members.rider.pk, cast.district_grassroots.pk, "10.0.0.7")
    ]


def test_a_forged_card_is_not_valid_and_is_logged(members: Members, client_en: Client) -> None:
    forged = card_token(members.rider)[:-2] + "xx"
    html = page(client_en.get(f"/m/v/{forged}/"))
    assert '<h1 class="m-verify-result">Not valid</h1>' in html
    assert "南明区" not in html
    assert "陈" not in html
    row = CardVerification.objects.get()
    assert (row.result, row.person, row.union, row.ip_address) == ("invalid", None, None, "127.0.0.1")


def test_an_old_card_code_has_expired_and_is_logged(members: Members, client_en: Client) -> None:
    with mock.patch("time.time", return_value=time.time() - settings.MEMBER_CARD_TOKEN_SECONDS - 5):
        old = card_token(members.rider)
    html = page(client_en.get(f"/m/v/{old}/"))
    assert '<h1 class="m-verify-result">Code expired</h1>' in html
    assert "Ask the member to open their card again for a fresh code." in html
    assert "陈" not in html
    row = CardVerification.objects.get()
    assert (row.result, row.person, row.union) == ("expired", None, None)


def test_card_checks_are_limited_per_network(members: Members, client_en: Client, monkeypatch: Any) -> None:
    from gigunion.core import ratelimit
    from gigunion.mobile import views

    monkeypatch.setattr(views, "VERIFY_PER_IP", ratelimit.Limit(count=2, seconds=600))
    token = card_token(members.rider)
    statuses = [client_en.get(f"/m/v/{token}/").status_code for _check in range(3)]
    assert statuses == [200, 200, 429]
    assert CardVerification.objects.count() == 2
