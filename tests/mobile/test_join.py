"""Joining on a phone: the form, the SMS code, each field's message, the outcomes, channels, CSRF."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from gigunion.core import sms
from gigunion.members.models import (
    ChannelKind,
    EventKind,
    JoinChannel,
    JoinSource,
    Membership,
    MembershipEvent,
    MembershipStatus,
    Person,
    SmsCode,
)
from gigunion.members.selectors import channels_with_counts, id_number_index
from gigunion.regions.models import Region
from tests.conftest import Cast
from tests.mobile.helpers import csrf_token, english_client, join_form, last_code, page
from tests.people import RIDER_ID, RIDER_PHONE, Members, id_with_check

pytestmark = pytest.mark.django_db

NEW_ID = id_with_check("52010220000101011")
NEW_PHONE = "13700000001"


def send_code(client: Client, url: str = "/m/join/", **overrides: str) -> Any:
    return client.post(url, {**join_form(**overrides), "action": "send_code"})


def join(client: Client, url: str = "/m/join/", **overrides: str) -> Any:
    """Ask for a code, then submit the form with it."""
    send_code(client, url, **overrides)
    phone = overrides.get("phone", NEW_PHONE)
    return client.post(url, {**join_form(**overrides), "code": last_code(phone), "action": "join"})


def error_of(html: str, field: str) -> str:
    start = html.index(f'<p class="m-error" id="{field}-error">') + len(f'<p class="m-error" id="{field}-error">')
    return html[start : html.index("</p>", start)]


# The form ---------------------------------------------------------------------------------------


def test_the_join_form_works_without_scripts_or_styles_inline(client_en: Client) -> None:
    response = client_en.get("/m/join/")
    html = page(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert len(response.content) < 12 * 1024
    for name in ("name", "id_number", "phone", "code", "occupation", "platform", "employer_name", "work_region"):
        assert f'name="{name}"' in html
    assert '<button type="submit" name="action" value="send_code" class="m-button secondary">Get code</button>' in html
    assert '<option value="delivery_rider">Delivery rider</option>' in html
    assert '<option value="美团"><option value="饿了么"><option value="滴滴出行"><option value="满帮">' in html
    assert '<input type="radio" name="join_place" value="workplace" checked> Where I work' in html
    assert '<script src="/static/js/mobile.js" defer></script>' in html
    assert "<script>" not in html
    assert "style=" not in html
    assert "<style" not in html


def test_asking_for_a_code_keeps_the_values_and_says_where_it_went(members: Members, client_en: Client) -> None:
    response = send_code(client_en, employer_name="贵阳某某配送站")
    html = page(response)
    assert response.status_code == 200
    assert "We sent a 6-digit code to 137****0001. Enter it below." in html
    assert 'value="刘洋"' in html
    assert f'value="{NEW_ID}"' in html
    assert 'value="贵阳某某配送站"' in html
    assert '<option value="delivery_rider" selected>' in html
    assert [message.phone for message in sms.outbox] == [NEW_PHONE]
    assert SmsCode.objects.get().purpose == "join"
    assert Person.objects.count() == 2  # nothing joined yet


def test_a_worker_joins_with_the_sms_code(
    members: Members, cast: Cast, client_en: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = join(client_en)

    assert (response.status_code, response["Location"]) == (302, "/m/join/done/")
    person = Person.objects.get(id_number_index=id_number_index(NEW_ID))
    assert Person.objects.count() == 3
    assert (person.name, person.phone, person.occupation, person.platform, person.work_region_id) == (
        "刘洋",
        NEW_PHONE,
        "delivery_rider",
        "美团",
        "520102",
    )
    membership = Membership.objects.get(person=person)
    assert (membership.union, membership.status, membership.source, membership.channel, membership.join_place) == (
        cast.district_grassroots,
        MembershipStatus.ACTIVE,
        JoinSource.QR,
        None,
        "workplace",
    )
    assert [event.kind for event in person.events.all()] == [EventKind.JOINED]
    assert person.card_number is not None
    assert [message.phone for message in sms.outbox] == [NEW_PHONE, NEW_PHONE]
    assert person.card_number in sms.outbox[1].message

    done = client_en.get("/m/join/done/")
    html = page(done)
    assert "Welcome to the union!" in html
    assert "You are now a member of 南明区网约送餐员联合工会." in html
    assert '<a class="m-button m-wide" href="/m/me/">Show my member card</a>' in html
    card = client_en.get("/m/me/")  # logged in by the join: no second code
    assert card.status_code == 200
    assert person.card_number in page(card)


def test_a_wrong_code_joins_nobody_and_keeps_the_form(members: Members, client_en: Client) -> None:
    send_code(client_en)
    right = last_code(NEW_PHONE)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client_en.post("/m/join/", {**join_form(), "code": wrong})
    html = page(response)
    assert response.status_code == 400
    assert error_of(html, "code") == "The code is wrong or has expired; check it, or ask for a new one."
    assert 'value="刘洋"' in html
    assert Person.objects.count() == 2
    assert not Membership.objects.filter(person__name="刘洋").exists()
    assert client_en.get("/m/me/").status_code == 302


def test_a_missing_code_is_asked_for(members: Members, client_en: Client) -> None:
    response = client_en.post("/m/join/", join_form())
    assert response.status_code == 400
    assert error_of(page(response), "code") == "Enter the 6-digit code from the text message; tap “Get code” first."
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter the name as on the ID card."),
        ("name", "A", "A name is 2 to 30 Chinese characters or letters (· allowed)."),
        ("id_number", "", "Enter the ID number."),
        ("id_number", "520102000101011", "15-digit ID numbers are no longer accepted; enter the 18-digit ID number."),
        ("id_number", "5201022000010101", "An ID number has 18 characters."),
        (
            "id_number",
            NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1"),
            "The ID number's last character does not match; check it for typos.",
        ),
        ("id_number", id_with_check("52010220001301011"), "The birth date in the ID number is not a real date."),
        ("id_number", id_with_check("99010220000101011"), "The ID number does not begin with a province code."),
        (
            "id_number",
            id_with_check("52019920000101011"),
            "The first six digits of the ID number are not a region code that was ever issued.",
        ),
        ("phone", "", "Enter the mobile number."),
        ("phone", "1234567", "A mobile number has 11 digits and begins with 13 to 19."),
        ("occupation", "", "Choose an occupation from the list."),
        ("work_region", "", "Choose where you work: a current 6, 9 or 12-digit region code."),
        ("work_region", "529999", "Choose where you work: a current 6, 9 or 12-digit region code."),
        (
            "employer_credit_code",
            "91520102MA6M0000",
            "The employer's unified social credit code is not valid (18 characters, GB 32100).",
        ),
    ],
)
def test_each_bad_field_gets_its_message_next_to_it(
    members: Members, client_en: Client, field: str, value: str, message: str
) -> None:
    response = client_en.post("/m/join/", {**join_form(**{field: value}), "code": "123456"})
    html = page(response)
    assert response.status_code == 400
    assert error_of(html, field) == message
    assert f'aria-describedby="{field}-error"' in html
    assert "Traceback" not in html
    assert Person.objects.count() == 2
    assert SmsCode.objects.count() == 0


def test_a_bad_phone_gets_no_code(members: Members, client_en: Client) -> None:
    response = send_code(client_en, phone="02312345678")
    assert response.status_code == 400
    assert error_of(page(response), "phone") == "A mobile number has 11 digits and begins with 13 to 19."
    assert sms.outbox == []


def test_a_second_code_within_a_minute_is_refused(members: Members, client_en: Client) -> None:
    send_code(client_en)
    response = send_code(client_en)
    html = page(response)
    assert response.status_code == 429
    assert (
        '<div class="m-problems" role="alert"><p>A code was sent less than a minute ago; wait a moment and try again.</p></div>'
        in html
    )
    assert 'value="刘洋"' in html
    assert len(sms.outbox) == 1


def test_field_errors_do_not_use_up_the_code(members: Members, cast: Cast, client_en: Client) -> None:
    send_code(client_en)
    code = last_code(NEW_PHONE)
    response = client_en.post("/m/join/", {**join_form(work_region="12"), "code": code})
    assert error_of(page(response), "work_region") == "Choose where you work: a current 6, 9 or 12-digit region code."
    response = client_en.post("/m/join/", {**join_form(), "code": code})
    assert response.status_code == 302
    assert Membership.objects.get(person__name="刘洋").union == cast.district_grassroots


def test_a_proven_phone_need_not_prove_itself_again_after_a_refusal(
    members: Members, cast: Cast, client_en: Client
) -> None:
    send_code(client_en)
    code = last_code(NEW_PHONE)
    response = client_en.post("/m/join/", {**join_form(work_region="110101"), "code": code})
    html = page(response)
    assert response.status_code == 400
    assert "<p>No union takes members in this region yet.</p>" in html
    assert '<p class="m-ok">Mobile number confirmed.</p>' in html
    assert 'name="code"' not in html
    response = client_en.post("/m/join/", join_form())  # no code: the session remembers the proven phone
    assert response.status_code == 302
    assert Membership.objects.get(person__name="刘洋").union == cast.district_grassroots
    other_phone = client_en.post("/m/join/", join_form(phone="13700000002"))
    assert error_of(page(other_phone), "code").startswith("Enter the 6-digit code")


# Outcomes ------------------------------------------------------------------------------------


def test_joining_twice_keeps_one_person_and_one_membership(members: Members, client_en: Client) -> None:
    first = join(client_en)
    assert first.status_code == 302
    again = english_client()
    sms.outbox.clear()
    SmsCode.objects.update(created_at="2000-01-01T00:00:00Z")  # past the one-minute wait
    response = join(again)
    assert response.status_code == 302
    html = page(again.get("/m/join/done/"))
    assert "You are already a member" in html
    assert "Your membership of 南明区网约送餐员联合工会 continues; there is no need to join again." in html
    assert Person.objects.filter(id_number_index=id_number_index(NEW_ID)).count() == 1
    assert Membership.objects.filter(person__id_number_index=id_number_index(NEW_ID)).count() == 1
    assert again.get("/m/me/").status_code == 200


def test_the_rider_joining_again_by_phone_is_told_they_are_a_member(members: Members, client_en: Client) -> None:
    response = join(client_en, name="陈小军", id_number=RIDER_ID, phone=RIDER_PHONE)
    assert response.status_code == 302
    assert "You are already a member" in page(client_en.get("/m/join/done/"))
    assert Membership.objects.filter(person=members.rider).count() == 1
    assert Person.objects.count() == 2


def test_an_id_number_on_record_with_another_phone_gets_a_neutral_page(
    members: Members, client_en: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = join(client_en, name="陈小军", id_number=RIDER_ID, phone="13600000009")
    assert response.status_code == 302
    done = client_en.get("/m/join/done/")
    html = page(done)
    assert "Thank you" in html
    assert "We have received your application. If anything needs checking, the union will contact you." in html
    for secret in ("陈", "南明区网约送餐员联合工会", members.rider.card_number or "-", RIDER_PHONE[-4:], "member of"):
        assert secret not in html
    assert Person.objects.count() == 2
    assert Person.objects.get(pk=members.rider.pk).phone == RIDER_PHONE
    assert list(MembershipEvent.objects.filter(person=members.rider).values_list("kind", flat=True)) == [
        EventKind.JOINED,
        EventKind.JOIN_CONFLICT,
    ]
    assert [message.phone for message in sms.outbox] == ["13600000009", RIDER_PHONE]
    assert client_en.get("/m/me/").status_code == 302  # not logged in as the rider


def test_the_public_form_answers_alike_for_a_member_and_a_stranger(members: Members, client_en: Client) -> None:
    stranger = client_en.post("/m/join/", {**join_form(name="陈小军", phone="13600000009"), "code": "000000"})
    member = client_en.post(
        "/m/join/", {**join_form(name="陈小军", id_number=RIDER_ID, phone="13600000009"), "code": "000000"}
    )
    assert stranger.status_code == member.status_code == 400

    def unmasked(response: Any) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page(response))

    assert unmasked(member).replace(RIDER_ID, NEW_ID) == unmasked(stranger)


def test_a_union_that_approves_joins_shows_awaiting_approval(members: Members, cast: Cast, client_en: Client) -> None:
    cast.district_grassroots.join_requires_approval = True
    cast.district_grassroots.save()
    join(client_en)
    html = page(client_en.get("/m/join/done/"))
    assert "Application received" in html
    assert "Your application to join 南明区网约送餐员联合工会 is awaiting the union's approval." in html
    assert Membership.objects.get(person__name="刘洋").status == MembershipStatus.PENDING


def test_the_result_page_without_a_join_goes_to_the_form(client_en: Client) -> None:
    response = client_en.get("/m/join/done/")
    assert (response.status_code, response["Location"]) == (302, "/m/join/")


def test_joins_from_one_network_are_limited(members: Members, client_en: Client, monkeypatch: Any) -> None:
    from gigunion.core import ratelimit
    from gigunion.members import services

    monkeypatch.setattr(services, "JOIN_PER_IP", ratelimit.Limit(count=0, seconds=600))
    response = join(client_en)
    assert response.status_code == 429
    assert "<p>Too many applications from this network; try again in a few minutes.</p>" in page(response)
    assert Person.objects.count() == 2


def test_code_checks_from_one_network_are_limited(members: Members, client_en: Client, monkeypatch: Any) -> None:
    from gigunion.core import ratelimit
    from gigunion.mobile import views

    monkeypatch.setattr(views, "CODE_CHECKS_PER_IP", ratelimit.Limit(count=1, seconds=600))
    send_code(client_en)
    client_en.post("/m/join/", {**join_form(), "code": "000000"})
    response = client_en.post("/m/join/", {**join_form(), "code": last_code(NEW_PHONE)})
    assert response.status_code == 429
    assert "<p>Too many tries from this network; wait ten minutes and try again.</p>" in page(response)
    assert SmsCode.objects.get().attempts == 1
    assert Person.objects.count() == 2


# Channels (QR codes) --------------------------------------------------------------------------


@pytest.fixture
def station_channel(cast: Cast) -> JoinChannel:
    return JoinChannel.objects.create(
        code="st4tion01",
        kind=ChannelKind.STATION,
        name="南明区花果园驿站",
        union=cast.district,
        region=Region.objects.get(code="520102"),
    )


def test_a_channel_page_shows_its_name_and_presets_its_region(station_channel: JoinChannel, client_en: Client) -> None:
    response = client_en.get("/m/j/st4tion01/")
    html = page(response)
    assert response.status_code == 200
    assert '<p class="m-channel">南明区花果园驿站</p>' in html
    assert 'name="work_region" value="520102"' in html
    assert '<p class="m-help region-current">贵州省 贵阳市 南明区</p>' in html
    assert 'data-chain="520000,520100,520102"' in html
    assert 'action="/m/j/st4tion01/"' in html


def test_a_join_through_a_channel_is_counted_for_it(
    members: Members, cast: Cast, station_channel: JoinChannel, client_en: Client
) -> None:
    response = join(client_en, "/m/j/st4tion01/")
    assert response.status_code == 302
    membership = Membership.objects.get(person__name="刘洋")
    assert (membership.channel, membership.union, membership.routed_by) == (
        station_channel,
        cast.district_grassroots,
        "rule",
    )
    counted = channels_with_counts(JoinChannel.objects.filter(pk=station_channel.pk)).get()
    assert (counted.joins, counted.members) == (1, 1)  # type: ignore[attr-defined]


def test_a_union_channel_enrolls_into_its_union(members: Members, cast: Cast, client_en: Client) -> None:
    JoinChannel.objects.create(
        code="street01",
        kind=ChannelKind.UNION,
        name="五一入会仪式",
        union=cast.district_street,
        region=Region.objects.get(code="520102"),
    )
    join(client_en, "/m/j/street01/")
    assert Membership.objects.get(person__name="刘洋").union == cast.district_street


def test_a_closed_channel_says_so_and_takes_no_join(
    members: Members, station_channel: JoinChannel, client_en: Client
) -> None:
    station_channel.is_active = False
    station_channel.save()
    response = client_en.get("/m/j/st4tion01/")
    html = page(response)
    assert response.status_code == 410
    assert '<h1 class="m-h1">南明区花果园驿站</h1>' in html
    assert "This QR code is no longer in use. You can still join the union here." in html
    assert '<a class="m-button" href="/m/join/">Join the union</a>' in html
    posted = client_en.post("/m/j/st4tion01/", {**join_form(), "code": "123456"})
    assert posted.status_code == 410
    assert Person.objects.count() == 2


def test_an_unknown_channel_is_a_friendly_404(client_en: Client) -> None:
    response = client_en.get("/m/j/nope/")
    assert response.status_code == 404
    assert "This QR code does not belong to any union. You can still join here." in page(response)


# Regions for the picker -----------------------------------------------------------------------


def test_the_region_endpoint_lists_current_children(client_en: Client) -> None:
    provinces = client_en.get("/m/regions/").json()["regions"]
    assert {"code": "520000", "name": "贵州省"} in provinces
    assert all(len(region["code"]) == 6 and region["code"].endswith("0000") for region in provinces)
    assert len(provinces) == Region.objects.filter(parent=None, is_current=True).count()
    cities = client_en.get("/m/regions/?parent=520100").json()["regions"]
    assert {"code": "520102", "name": "南明区"} in cities
    assert {"code": "520103", "name": "云岩区"} in cities
    assert [region["code"] for region in cities] == sorted(region["code"] for region in cities)
    assert cities == [
        {"code": code, "name": name}
        for code, name in Region.objects.filter(parent_id="520100", is_current=True).values_list("code", "name")
    ]
    streets = client_en.get("/m/regions/?parent=520102").json()["regions"]
    assert streets
    assert all(len(region["code"]) == 9 and region["code"].startswith("520102") for region in streets)


@pytest.mark.parametrize("parent", ["999999", "abc", "5201"])
def test_the_region_endpoint_answers_404_for_an_unknown_parent(client_en: Client, parent: str) -> None:
    response = client_en.get(f"/m/regions/?parent={parent}")
    assert response.status_code == 404
    assert response.json() == {"error": "Unknown region code.", "regions": []}


# CSRF -----------------------------------------------------------------------------------------


def test_the_join_form_needs_its_csrf_token(members: Members) -> None:
    client = english_client(enforce_csrf_checks=True)
    refused = client.post("/m/join/", {**join_form(), "action": "send_code"})
    assert refused.status_code == 403
    assert sms.outbox == []
    form = client.get("/m/join/")
    token = csrf_token(form)
    response = client.post("/m/join/", {**join_form(), "action": "send_code", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    code = last_code(NEW_PHONE)
    response = client.post("/m/join/", {**join_form(), "code": code, "csrfmiddlewaretoken": csrf_token(response)})
    assert response.status_code == 302
    assert Membership.objects.filter(person__name="刘洋").count() == 1
