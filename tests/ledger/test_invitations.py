"""Invitations to join (邀请入会): the text message and its link, the 30-day rule, who is skipped, and the
worker's link /m/i/<code>/ leading to a working one-tap join page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gigunion.core import sms
from gigunion.core.models import AuditAction, AuditEvent
from gigunion.core.sms import SmsError
from gigunion.ledger.invitations import InvitationResult, invitation_links, invitations_send
from gigunion.ledger.models import Invitation, InvitationChannel, Worker
from gigunion.members.models import JoinSource, Membership, MembershipStatus, Person
from gigunion.members.selectors import id_number_index
from tests.conftest import Cast
from tests.ledger.invitees import LI_PHONE, WANG_ID, WANG_PHONE, Invitees, build_invitees
from tests.mobile.helpers import english_client, page
from tests.people import Members

pytestmark = pytest.mark.django_db

BASE = "https://gh.example.cn"
LINK = re.compile(r"https://gh\.example\.cn/m/i/([A-Za-z0-9_-]{22})/")
INVALID = "This invitation link is no longer valid. You can still join the union here."


@pytest.fixture
def invitees(members: Members) -> Invitees:
    return build_invitees()


def send(cast: Cast, *workers: Worker) -> InvitationResult:
    return invitations_send(
        workers=list(workers), actor=cast.district_staff.user, organization=cast.district, base_url=BASE
    )


def code_in(message: str) -> str:
    found = LINK.search(message)
    assert found is not None, message
    return found.group(1)


def test_a_worker_who_has_not_joined_gets_one_text_naming_the_union_with_a_personal_link(
    cast: Cast, invitees: Invitees
) -> None:
    result = send(cast, invitees.wang, invitees.zhang, invitees.rider)

    assert result == InvitationResult(sent=1, skipped_no_phone=1, skipped_member=1)
    [message] = sms.outbox
    code = code_in(message.message)
    assert message.phone == WANG_PHONE
    assert message.message == (
        f"【{settings.SMS_SIGN}】南明区总工会 invites you to join the union. "
        f"Join in one tap: {BASE}/m/i/{code}/ (valid for 30 days)"
    )
    invitation = Invitation.objects.get()
    assert (invitation.worker, invitation.organization, invitation.channel, invitation.created_by) == (
        invitees.wang,
        cast.district,
        InvitationChannel.SMS,
        cast.district_staff.user,
    )
    assert invitation.expires_at - invitation.created_at == timedelta(days=30)
    assert (invitation.opened_at, invitation.used_at) == (None, None)
    assert code not in invitation.code_digest  # only a digest of the code is kept
    event = AuditEvent.objects.get(action=AuditAction.WORKERS_INVITED)
    assert (event.actor, event.details["sent"], event.details["skipped_member"]) == (cast.district_staff.user, 1, 1)


def test_a_worker_is_texted_at_most_once_in_30_days(cast: Cast, invitees: Invitees) -> None:
    assert send(cast, invitees.wang, invitees.wang).sent == 1  # twice in one go: one message
    assert send(cast, invitees.wang) == InvitationResult(skipped_recently_invited=1)
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=29, hours=23))
    assert send(cast, invitees.wang) == InvitationResult(skipped_recently_invited=1)
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=30, minutes=1))
    assert send(cast, invitees.wang).sent == 1
    assert [message.phone for message in sms.outbox] == [WANG_PHONE, WANG_PHONE]
    # Another union inviting the same worker within the 30 days is also held back.
    other = invitations_send(
        workers=Worker.objects.all(), actor=cast.city_staff.user, organization=cast.city, base_url=BASE
    )
    assert other == InvitationResult(sent=1, skipped_no_phone=1, skipped_member=1, skipped_recently_invited=1)
    assert sms.outbox[-1].phone == LI_PHONE
    assert "贵阳市总工会 invites you" in sms.outbox[-1].message


def test_a_refused_text_records_no_invitation(cast: Cast, invitees: Invitees, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(phone: str, message: str) -> None:
        raise SmsError("gateway down")

    monkeypatch.setattr("gigunion.ledger.invitations.sms_send", refuse)
    assert send(cast, invitees.wang) == InvitationResult(failed=1)
    assert not Invitation.objects.exists()
    monkeypatch.undo()
    assert send(cast, invitees.wang).sent == 1


def test_the_link_opens_a_one_tap_page_with_the_ledger_record_and_the_worker_joins(
    cast: Cast, invitees: Invitees, django_capture_on_commit_callbacks: Any
) -> None:
    send(cast, invitees.wang)
    code = code_in(sms.outbox[0].message)
    client = english_client()

    response = client.get(f"/m/i/{code}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/m/join/?t=")
    assert "no-store" in response["Cache-Control"]
    assert Invitation.objects.get().opened_at is not None
    one_tap = client.get(response["Location"])
    html = page(one_tap)
    assert one_tap.status_code == 200
    assert "Your details from 南明区总工会:" in html
    for label, value in [
        ("Name", "王小明"),
        ("Mobile number", "139****1001"),
        ("Occupation", "Delivery rider"),
        ("Platform", "美团"),
        ("Employer", "贵阳某某配送站"),
        ("Where you work", "贵州省 贵阳市 南明区"),
    ]:
        assert f"<div><dt>{label}</dt><dd>{value}</dd></div>" in html
    assert WANG_ID not in html
    assert WANG_PHONE not in html

    token = parse_qs(urlsplit(response["Location"]).query)["t"][0]
    with django_capture_on_commit_callbacks(execute=True):
        joined = client.post("/m/join/", {"t": token, "action": "one_tap"})
    assert (joined.status_code, joined["Location"]) == (302, "/m/join/done/")
    person = Person.objects.get(id_number_index=id_number_index(WANG_ID))
    membership = Membership.objects.get(person=person)
    assert (membership.union, membership.status, membership.source) == (
        cast.district_grassroots,
        MembershipStatus.ACTIVE,
        JoinSource.ONE_TAP,
    )
    assert (person.phone, person.platform, person.external_id) == (WANG_PHONE, "美团", "MT001")

    # Once the worker is a member the link is used up, and they are not invited again.
    again = english_client().get(f"/m/i/{code}/")
    assert again.status_code == 404
    assert INVALID in page(again)
    assert Invitation.objects.get().used_at is not None
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=31))
    assert send(cast, invitees.wang) == InvitationResult(skipped_member=1)


def test_a_link_can_be_opened_again_until_it_expires(cast: Cast, invitees: Invitees) -> None:
    send(cast, invitees.wang)
    code = code_in(sms.outbox[0].message)
    client = english_client()
    first, second = client.get(f"/m/i/{code}/"), client.get(f"/m/i/{code}/")
    assert (first.status_code, second.status_code) == (302, 302)
    assert page(client.get(second["Location"])).count("王小明") == 1

    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.get(f"/m/i/{code}/")
    html = page(expired)
    assert expired.status_code == 404
    assert "no-store" in expired["Cache-Control"]
    assert INVALID in html
    assert '<a class="m-button" href="/m/join/">Join the union</a>' in html
    for personal in ("王小明", "南明区总工会", WANG_PHONE, "139****1001", WANG_ID[:6]):
        assert personal not in html


@pytest.mark.parametrize("code", ["unknown", "A" * 22, "x" * 300])
def test_an_unknown_link_shows_the_same_page(cast: Cast, invitees: Invitees, code: str) -> None:
    send(cast, invitees.wang)
    response = english_client().get(f"/m/i/{code}/")
    assert response.status_code == 404
    assert INVALID in page(response)
    assert "王小明" not in page(response)


def test_too_many_links_from_one_address_are_refused(
    cast: Cast, invitees: Invitees, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gigunion.core import ratelimit
    from gigunion.mobile import views

    monkeypatch.setattr(views, "INVITATIONS_PER_IP", ratelimit.Limit(count=2, seconds=600))
    client = english_client()
    assert [client.get("/m/i/nothing/").status_code for _ in range(3)] == [404, 404, 429]


def test_platform_links_are_one_per_worker_who_has_not_joined_and_send_nothing(cast: Cast, invitees: Invitees) -> None:
    send(cast, invitees.wang)
    sms.outbox.clear()

    links = invitation_links(workers=Worker.objects.all(), organization=cast.city, base_url=BASE)

    assert set(links) == {invitees.wang.pk, invitees.zhang.pk, invitees.li.pk}
    assert all(LINK.fullmatch(link) for link in links.values())
    assert len(set(links.values())) == 3
    assert sms.outbox == []
    assert Invitation.objects.filter(channel=InvitationChannel.PLATFORM).count() == 3
    # The phoneless worker's link opens the one-tap page, which asks for the missing phone.
    client = Client()
    response = client.get(links[invitees.zhang.pk].removeprefix(BASE))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 400
    # An in-app link does not hold back a text message.
    assert send(cast, invitees.li).sent == 1
