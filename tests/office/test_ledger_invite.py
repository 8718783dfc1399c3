"""The back office's invite action (POST /office/ledger/invite/): who may, and which workers it reaches."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import translation

from gigunion.core import sms
from gigunion.core.models import AuditAction, AuditEvent
from gigunion.ledger.models import Invitation
from gigunion.orgs.models import StaffAccount
from tests.conftest import Cast
from tests.ledger.invitees import LI_PHONE, WANG_PHONE, Invitees, build_invitees
from tests.people import Members

pytestmark = pytest.mark.django_db

URL = "/office/ledger/invite/"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def invitees(members: Members) -> Invitees:
    return build_invitees()


def client_for(cast: Cast, who: StaffAccount | User | None) -> Client:
    client = cast.client_for(who)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def invite(client: Client, *worker_ids: Any, **extra: str) -> Any:
    return client.post(URL, {"worker": [str(pk) for pk in worker_ids], **extra})


def said(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_an_operator_invites_the_chosen_workers_of_their_district_only(cast: Cast, invitees: Invitees) -> None:
    client = client_for(cast, cast.district_staff)

    response = invite(
        client,
        invitees.wang.pk,
        invitees.zhang.pk,
        invitees.rider.pk,
        invitees.li.pk,  # 云岩区: not theirs, ignored
        "not-a-number",
        next="/office/ledger/?page=2",
    )

    assert (response.status_code, response["Location"]) == (302, "/office/ledger/?page=2")
    assert said(response) == [
        "Invitations sent: 1. Skipped: 1 already members, 1 without a phone, 0 invited in the last 30 days."
    ]
    assert [message.phone for message in sms.outbox] == [WANG_PHONE]
    assert "南明区总工会 invites you to join the union" in sms.outbox[0].message
    assert "http://testserver/m/i/" in sms.outbox[0].message
    assert list(Invitation.objects.values_list("worker", "organization", "created_by")) == [
        (invitees.wang.pk, cast.district.pk, cast.district_staff.user.pk)
    ]
    assert AuditEvent.objects.filter(action=AuditAction.WORKERS_INVITED, actor=cast.district_staff.user).count() == 1

    again = invite(client, invitees.wang.pk)
    assert said(again)[-1:] == [
        "Invitations sent: 0. Skipped: 0 already members, 0 without a phone, 1 invited in the last 30 days."
    ]
    assert len(sms.outbox) == 1


def test_another_districts_workers_are_not_found(cast: Cast, invitees: Invitees) -> None:
    assert invite(client_for(cast, cast.district_staff), invitees.li.pk).status_code == 404
    assert invite(client_for(cast, cast.other_district_staff), invitees.wang.pk, invitees.zhang.pk).status_code == 404
    assert invite(client_for(cast, cast.district_staff), 12345).status_code == 404
    assert sms.outbox == []
    assert not Invitation.objects.exists()


def test_the_city_reaches_both_districts(cast: Cast, invitees: Invitees) -> None:
    response = invite(client_for(cast, cast.city_staff), invitees.wang.pk, invitees.li.pk)
    assert response.status_code == 302
    assert sorted(message.phone for message in sms.outbox) == sorted([WANG_PHONE, LI_PHONE])
    assert all("贵阳市总工会 invites you" in message.message for message in sms.outbox)


def test_viewers_outsiders_and_anonymous_visitors_cannot_invite(cast: Cast, invitees: Invitees) -> None:
    assert invite(client_for(cast, cast.district_viewer), invitees.wang.pk).status_code == 403
    assert invite(client_for(cast, cast.outsider), invitees.wang.pk).status_code == 403
    anonymous = invite(Client(), invitees.wang.pk)
    assert (anonymous.status_code, anonymous["Location"].startswith("/office/login/")) == (302, True)
    assert client_for(cast, cast.district_staff).get(URL).status_code == 405
    assert sms.outbox == []
    assert not Invitation.objects.exists()


def test_no_worker_chosen_says_so_and_a_foreign_next_is_not_followed(cast: Cast, invitees: Invitees) -> None:
    client = client_for(cast, cast.district_staff)
    response = invite(client, next="https://evil.example/")
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")
    assert said(response) == ["Choose the workers to invite."]
    assert sms.outbox == []


def test_the_worker_list_offers_operators_to_invite_the_not_joined_on_its_page(cast: Cast, invitees: Invitees) -> None:
    from gigunion.ledger.models import Worker

    operator = cast.client_for(cast.district_staff)
    viewer = cast.client_for(cast.district_viewer)

    page = operator.get("/office/ledger/workers/?status=not_member").content.decode()
    shown = set(Worker.objects.filter(work_region__code__startswith="520102").values_list("pk", flat=True))

    assert 'action="/office/ledger/invite/"' in page
    offered = {int(value) for value in re.findall(r'name="worker" value="(\d+)"', page)}
    assert offered
    assert offered <= shown
    assert 'action="/office/ledger/invite/"' not in viewer.get("/office/ledger/workers/").content.decode()
