"""Staff steps on a membership, SMS codes, member cards and join tokens (members.services)."""

from __future__ import annotations

import time
import unittest.mock
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from gigunion.core import ratelimit, sms
from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible
from gigunion.members.models import (
    CardVerification,
    EventKind,
    JoinSource,
    Membership,
    MembershipStatus,
    MembershipTransfer,
    SmsCode,
    SmsPurpose,
    TransferStatus,
    VerificationResult,
)
from gigunion.members.selectors import lapse_candidates, member_search
from gigunion.members.services import (
    card_token,
    card_verify,
    join_token_issue,
    join_token_read,
    member_join,
    membership_approve,
    membership_lapse,
    membership_leave,
    membership_reactivate,
    membership_retain,
    sms_code_check,
    sms_code_send,
    transfer_accept,
    transfer_cancel,
    transfer_decline,
    transfer_request,
    worker_login,
)
from gigunion.orgs.access import require_jurisdiction
from tests.conftest import Cast
from tests.people import OTHER_ID, RIDER_ID, RIDER_PHONE, Members, worker

pytestmark = pytest.mark.django_db


def staff_of(account: Any) -> tuple[Any, Any]:
    return account.user, require_jurisdiction(account.user)


def events(membership: Membership) -> list[str]:
    return list(membership.events.order_by("pk").values_list("kind", flat=True))


# Transfers ------------------------------------------------------------------------------------


def test_a_transfer_moves_the_membership_and_keeps_the_card(members: Members, cast: Cast) -> None:
    card = members.rider.card_number
    user, jurisdiction = staff_of(cast.district_staff)
    transfer = transfer_request(
        membership=members.rider_membership,
        to_union=cast.other_grassroots,
        actor=user,
        jurisdiction=jurisdiction,
        reason="改开货车",
    )
    assert transfer.status == TransferStatus.REQUESTED

    other_user, other_jurisdiction = staff_of(cast.other_district_staff)
    new = transfer_accept(
        transfer=transfer, actor=other_user, jurisdiction=other_jurisdiction, today=date(2026, 11, 23)
    )

    old = Membership.objects.get(pk=members.rider_membership.pk)
    assert (old.status, old.ended_on) == (MembershipStatus.TRANSFERRED_OUT, date(2026, 11, 23))
    assert (new.union, new.status, new.joined_on, new.routed_by) == (
        cast.other_grassroots,
        MembershipStatus.ACTIVE,
        date(2026, 11, 23),
        "transfer",
    )
    assert events(old) == [EventKind.JOINED, EventKind.TRANSFER_REQUESTED, EventKind.TRANSFERRED_OUT]
    assert events(new) == [EventKind.TRANSFERRED_IN]
    members.rider.refresh_from_db()
    assert members.rider.card_number == card
    assert MembershipTransfer.objects.get(pk=transfer.pk).status == TransferStatus.ACCEPTED


def test_only_the_receiving_side_accepts_and_only_the_sending_side_requests(members: Members, cast: Cast) -> None:
    user, jurisdiction = staff_of(cast.district_staff)
    other_user, other_jurisdiction = staff_of(cast.other_district_staff)
    with pytest.raises(NotVisible):
        transfer_request(
            membership=members.other_membership,
            to_union=cast.district_grassroots,
            actor=user,
            jurisdiction=jurisdiction,
            reason="",
        )
    transfer = transfer_request(
        membership=members.rider_membership,
        to_union=cast.other_grassroots,
        actor=user,
        jurisdiction=jurisdiction,
        reason="",
    )
    with pytest.raises(NotVisible):
        transfer_accept(transfer=transfer, actor=user, jurisdiction=jurisdiction)
    viewer, viewer_jurisdiction = staff_of(cast.district_viewer)
    with pytest.raises(NotAllowed):
        transfer_cancel(transfer=transfer, actor=viewer, jurisdiction=viewer_jurisdiction)
    with pytest.raises(DomainError, match="already waiting"):
        transfer_request(
            membership=members.rider_membership,
            to_union=cast.other_street,
            actor=user,
            jurisdiction=jurisdiction,
            reason="",
        )
    transfer_decline(transfer=transfer, actor=other_user, jurisdiction=other_jurisdiction, reason="不在本区工作")
    with pytest.raises(DomainError, match="already been decided"):
        transfer_accept(transfer=transfer, actor=other_user, jurisdiction=other_jurisdiction)
    assert Membership.objects.get(pk=members.rider_membership.pk).status == MembershipStatus.ACTIVE
    assert events(members.rider_membership)[-1] == EventKind.TRANSFER_DECLINED


# Approval, retention, lapse, leaving ----------------------------------------------------------


def test_approving_a_pending_join_issues_the_card_and_tells_the_worker(
    members: Members, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    cast.district_grassroots.join_requires_approval = True
    cast.district_grassroots.save()
    outcome = member_join(data=worker(), source=JoinSource.QR, phone_verified=True)
    assert outcome.membership is not None
    user, jurisdiction = staff_of(cast.district_staff)
    with django_capture_on_commit_callbacks(execute=True):
        approved = membership_approve(membership=outcome.membership, actor=user, jurisdiction=jurisdiction)
    assert approved.status == MembershipStatus.ACTIVE
    assert approved.person.card_number is not None
    assert [m.phone for m in sms.outbox] == ["13700000001"]
    assert events(approved) == [EventKind.APPLIED, EventKind.APPROVED]
    with pytest.raises(DomainError, match="Active"):
        membership_approve(membership=outcome.membership, actor=user, jurisdiction=jurisdiction)


def test_retain_reactivate_lapse_and_leave(members: Members, cast: Cast) -> None:
    user, jurisdiction = staff_of(cast.district_staff)
    membership = members.rider_membership
    with pytest.raises(DomainError, match="Give a reason"):
        membership_retain(membership=membership, actor=user, jurisdiction=jurisdiction, reason=" ")
    assert membership_retain(membership=membership, actor=user, jurisdiction=jurisdiction, reason="待业").status == (
        MembershipStatus.RETAINED
    )
    assert membership_reactivate(membership=membership, actor=user, jurisdiction=jurisdiction).status == (
        MembershipStatus.ACTIVE
    )
    lapsed = membership_lapse(
        membership=membership, actor=user, jurisdiction=jurisdiction, reason="一年未交会费", today=date(2026, 11, 23)
    )
    assert (lapsed.status, lapsed.ended_on) == (MembershipStatus.LAPSED, date(2026, 11, 23))
    with pytest.raises(DomainError):
        membership_leave(membership=membership, actor=user, jurisdiction=jurisdiction, reason="退会")
    assert events(membership) == [EventKind.JOINED, EventKind.RETAINED, EventKind.REACTIVATED, EventKind.LAPSED]
    event = membership.events.get(kind=EventKind.LAPSED)
    assert (event.actor, event.by, event.reason) == (user, "staff", "一年未交会费")
    # Lapsed: the person may join again.
    again = member_join(
        data=worker(name="陈小军", id_number=RIDER_ID, phone=RIDER_PHONE), source=JoinSource.QR, phone_verified=True
    )
    assert again.status == "joined"


def test_a_viewer_and_another_district_cannot_change_a_membership(members: Members, cast: Cast) -> None:
    viewer, viewer_jurisdiction = staff_of(cast.district_viewer)
    with pytest.raises(NotAllowed):
        membership_leave(
            membership=members.rider_membership, actor=viewer, jurisdiction=viewer_jurisdiction, reason="x"
        )
    other, other_jurisdiction = staff_of(cast.other_district_staff)
    with pytest.raises(NotVisible):
        membership_leave(membership=members.rider_membership, actor=other, jurisdiction=other_jurisdiction, reason="x")
    assert Membership.objects.get(pk=members.rider_membership.pk).status == MembershipStatus.ACTIVE


def test_lapse_candidates_have_six_months_without_dues_or_participation(members: Members) -> None:
    today = date(2026, 11, 23)
    Membership.objects.filter(pk=members.rider_membership.pk).update(
        joined_on=date(2025, 1, 1), last_dues_on=date(2026, 6, 1), last_activity_on=None
    )
    Membership.objects.filter(pk=members.other_membership.pk).update(
        joined_on=date(2025, 1, 1), last_dues_on=date(2026, 4, 1), last_activity_on=date(2026, 3, 1)
    )
    candidates = lapse_candidates(Membership.objects.all(), today=today)
    assert list(candidates) == [Membership.objects.get(pk=members.other_membership.pk)]


def test_member_search_by_phone_last_four_id_and_name(members: Members) -> None:
    everyone = Membership.objects.all()
    assert list(member_search(everyone, RIDER_PHONE)) == [members.rider_membership]
    assert list(member_search(everyone, OTHER_ID[-4:])) == [members.other_membership]
    assert list(member_search(everyone, RIDER_ID)) == [members.rider_membership]
    assert list(member_search(everyone, "建国")) == [members.other_membership]
    assert list(member_search(everyone, "13800000000")) == []


# SMS codes ------------------------------------------------------------------------------------


def sent_code() -> str:
    return sms.outbox[-1].message.split("code is ")[1][:6]


def test_an_sms_code_logs_the_worker_in_once(members: Members) -> None:
    sms_code_send(phone=RIDER_PHONE, purpose=SmsPurpose.LOGIN, ip_address="10.0.0.1")
    assert sms.outbox[-1].message.startswith("【工会服务】Your code is ")
    code = sent_code()
    assert worker_login(phone=RIDER_PHONE, code="000000" if code != "000000" else "111111") is None
    assert worker_login(phone=RIDER_PHONE, code=code) == members.rider
    assert worker_login(phone=RIDER_PHONE, code=code) is None  # used
    stored = SmsCode.objects.get()
    assert code not in stored.code_hash
    assert stored.attempts == 2


def test_sms_codes_are_limited_per_phone_and_expire(members: Members) -> None:
    sms_code_send(phone=RIDER_PHONE, purpose=SmsPurpose.JOIN, ip_address=None)
    with pytest.raises(DomainError, match="less than a minute ago"):
        sms_code_send(phone=RIDER_PHONE, purpose=SmsPurpose.JOIN, ip_address=None)
    code = sent_code()
    SmsCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not sms_code_check(phone=RIDER_PHONE, purpose=SmsPurpose.JOIN, code=code)
    # Ten a day.
    SmsCode.objects.update(created_at=timezone.now() - timedelta(hours=2))
    for _ in range(9):
        SmsCode.objects.create(
            phone_index=SmsCode.objects.first().phone_index,  # type: ignore[union-attr]
            purpose=SmsPurpose.JOIN,
            code_hash="x",
            expires_at=timezone.now(),
        )
    SmsCode.objects.update(created_at=timezone.now() - timedelta(hours=2))
    with pytest.raises(DomainError, match="Too many codes"):
        sms_code_send(phone=RIDER_PHONE, purpose=SmsPurpose.JOIN, ip_address=None)


def test_a_code_allows_five_tries(members: Members) -> None:
    sms_code_send(phone=RIDER_PHONE, purpose=SmsPurpose.LOGIN, ip_address=None)
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert worker_login(phone=RIDER_PHONE, code=wrong) is None
    assert worker_login(phone=RIDER_PHONE, code=code) is None


def test_the_rate_limit_counts_per_key_and_window(db: None) -> None:
    limit = ratelimit.Limit(count=3, seconds=60)
    now = 1_800_000_000.0
    assert [ratelimit.hit("t", "a", limit, now=now) for _ in range(4)] == [True, True, True, False]
    assert ratelimit.hit("t", "b", limit, now=now)
    assert ratelimit.hit("t", "a", limit, now=now + 60)
    assert ratelimit.purge_expired(now=now + 120) == 2  # the first window of "a" and of "b"


# Member cards ---------------------------------------------------------------------------------


def test_a_card_verifies_with_the_union_and_a_masked_name_and_is_logged(members: Members, cast: Cast) -> None:
    check = card_verify(token=card_token(members.rider), ip_address="10.0.0.9", today=date(2026, 11, 23))
    assert (check.result, check.union_name, check.name_masked) == (
        VerificationResult.VALID,
        "南明区网约送餐员联合工会",
        "陈*军",
    )
    assert Membership.objects.get(pk=members.rider_membership.pk).last_activity_on == date(2026, 11, 23)
    forged = card_token(members.rider)[:-2] + "xx"
    assert card_verify(token=forged).result == VerificationResult.INVALID
    with unittest.mock.patch("time.time", return_value=time.time() - 601):
        expired = card_token(members.rider)
    assert card_verify(token=expired).result == VerificationResult.EXPIRED
    # The QR does not show the card number, and another sealed token is not a card.
    assert (members.rider.card_number or "x") not in card_token(members.rider)
    assert card_verify(token=join_token_issue(data=worker(), issuer="美团")).result == VerificationResult.INVALID
    user, jurisdiction = staff_of(cast.district_staff)
    membership_leave(membership=members.rider_membership, actor=user, jurisdiction=jurisdiction, reason="退会")
    left = card_verify(token=card_token(members.rider))
    assert (left.result, left.union_name, left.name_masked) == (VerificationResult.INVALID, "", "")
    assert list(CardVerification.objects.order_by("pk").values_list("result", "ip_address")) == [
        ("valid", "10.0.0.9"),
        ("invalid", None),
        ("expired", None),
        ("invalid", None),
        ("invalid", None),
    ]


# One-tap join tokens ----------------------------------------------------------------------------


def test_a_join_token_carries_the_details_sealed_and_expires(members: Members, settings: Any) -> None:
    token = join_token_issue(data=worker(), issuer="美团")
    assert "刘洋" not in token
    assert worker().id_number not in token
    data, issuer = join_token_read(token)
    assert (data, issuer) == (worker(), "美团")
    settings.JOIN_TOKEN_SECONDS = 0
    time.sleep(1.1)
    with pytest.raises(DomainError, match="expired or is not valid"):
        join_token_read(token)
    with pytest.raises(DomainError, match="expired or is not valid"):
        join_token_read("garbage")
