"""Joining: routing to the right union, real-name checks, idempotency, approval, conflicts (members.services)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gigunion.core import sms
from gigunion.core.occupations import Occupation
from gigunion.enterprises.models import Enterprise
from gigunion.founding.services import coverage_start
from gigunion.members.checks import WorkerInputError
from gigunion.members.models import (
    ChannelKind,
    EventKind,
    JoinChannel,
    JoinPlace,
    JoinRoute,
    JoinSource,
    Membership,
    MembershipStatus,
    Person,
)
from gigunion.members.services import luhn_valid, member_join
from gigunion.regions.models import Region
from tests.conftest import Cast
from tests.founding.helpers import credit
from tests.people import RIDER_ID, RIDER_PHONE, Members, id_with_check, worker

pytestmark = pytest.mark.django_db


def test_a_new_worker_joins_the_union_of_the_rule_and_gets_a_card(
    members: Members, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = member_join(data=worker(), source=JoinSource.QR, phone_verified=True)

    assert outcome.status == "joined"
    assert outcome.membership is not None
    assert outcome.membership.union == cast.district_grassroots
    assert outcome.membership.routed_by == "rule"
    assert outcome.membership.status == MembershipStatus.ACTIVE
    person = Person.objects.get(pk=outcome.membership.person_id)
    assert person.name == "刘洋"
    assert person.birth_year == 2000
    assert person.sex == "male"
    assert person.origin_region_code == "520102"
    assert person.verified_by == "offline"
    assert person.card_number is not None
    assert person.card_number.startswith("520102")
    assert len(person.card_number) == 16
    assert luhn_valid(person.card_number)
    assert [event.kind for event in person.events.all()] == [EventKind.JOINED]
    assert [message.phone for message in sms.outbox] == ["13700000001"]
    assert person.card_number in sms.outbox[0].message


def test_personal_data_is_stored_encrypted(members: Members) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM members_person WHERE id = %s", [members.rider.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert RIDER_ID not in stored_id
    assert RIDER_PHONE not in stored_phone
    assert Person.objects.get(pk=members.rider.pk).id_number == RIDER_ID


def test_joining_twice_keeps_one_person_and_one_membership(members: Members) -> None:
    first = member_join(data=worker(), source=JoinSource.QR, phone_verified=True)
    second = member_join(data=worker(platform="饿了么"), source=JoinSource.QR, phone_verified=True)

    assert second.status == "already"
    assert second.membership == first.membership
    assert Person.objects.filter(name="刘洋").count() == 1
    assert Membership.objects.filter(person__name="刘洋").count() == 1
    assert Person.objects.get(name="刘洋").platform == "饿了么"


def test_an_id_number_on_record_with_another_phone_changes_nothing_and_tells_the_owner(
    members: Members, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = member_join(
            data=worker(name="陈小军", id_number=RIDER_ID, phone="13600000000"),
            source=JoinSource.QR,
            phone_verified=True,
        )

    assert outcome.status == "review"
    assert outcome.person is None
    rider = Person.objects.get(pk=members.rider.pk)
    assert rider.phone == RIDER_PHONE
    assert [message.phone for message in sms.outbox] == [RIDER_PHONE]
    assert list(rider.events.values_list("kind", flat=True)) == [EventKind.JOINED, EventKind.JOIN_CONFLICT]


def test_the_union_covering_the_employer_comes_first(members: Members, cast: Cast) -> None:
    employer = Enterprise.objects.create(
        name="五里冲外卖站", credit_code=credit(7), region=Region.objects.get(code=cast.district_street.region_id)
    )
    coverage_start(organization=cast.district_street, enterprise=employer, started_on=date(2024, 1, 1))

    by_code = member_join(data=worker(employer_credit_code=credit(7)), source=JoinSource.QR, phone_verified=True)
    by_name = member_join(
        data=worker(id_number=id_with_check("52010219990101022"), phone="13700000002", employer_name="五里冲外卖站"),
        source=JoinSource.QR,
        phone_verified=True,
    )

    assert by_code.membership is not None
    assert (by_code.membership.union, by_code.membership.routed_by) == (cast.district_street, "coverage")
    assert by_name.membership is not None
    assert (by_name.membership.union, by_name.membership.routed_by) == (cast.district_street, "coverage")


def test_without_a_rule_the_deepest_union_of_the_region_takes_the_worker(members: Members, cast: Cast) -> None:
    street_code = cast.district_street.region.code  # type: ignore[union-attr]
    in_street = member_join(
        data=worker(occupation="courier", work_region=street_code), source=JoinSource.QR, phone_verified=True
    )
    in_district = member_join(
        data=worker(id_number=id_with_check("52010219990101030"), phone="13700000003", occupation="快递员"),
        source=JoinSource.QR,
        phone_verified=True,
    )

    assert in_street.membership is not None
    assert (in_street.membership.union, in_street.membership.routed_by) == (cast.district_street, "region")
    assert in_district.membership is not None
    assert (in_district.membership.union, in_district.membership.routed_by) == (cast.district, "region")


def test_a_rule_for_the_occupation_beats_a_rule_for_any_occupation(members: Members, cast: Cast) -> None:
    JoinRoute.objects.create(region=Region.objects.get(code="520102"), occupation="", union=cast.district_street)
    rider = member_join(data=worker(), source=JoinSource.QR, phone_verified=True)
    courier = member_join(
        data=worker(id_number=id_with_check("52010219990101049"), phone="13700000004", occupation="courier"),
        source=JoinSource.QR,
        phone_verified=True,
    )
    assert rider.membership is not None
    assert rider.membership.union == cast.district_grassroots
    assert courier.membership is not None
    assert courier.membership.union == cast.district_street


def test_joining_at_origin_routes_by_the_id_number_region(members: Members, cast: Cast) -> None:
    outcome = member_join(
        data=worker(id_number=id_with_check("52010319990101057"), work_region="520102", join_place="输出地"),
        source=JoinSource.QR,
        phone_verified=True,
    )
    assert outcome.membership is not None
    assert outcome.membership.join_place == JoinPlace.ORIGIN
    assert outcome.membership.union == cast.other_district


def test_a_union_channel_enrolls_into_its_union(members: Members, cast: Cast) -> None:
    channel = JoinChannel.objects.create(
        code="abc123",
        kind=ChannelKind.UNION,
        name="五一入会仪式",
        union=cast.district_street,
        region=Region.objects.get(code="520102"),
    )
    outcome = member_join(data=worker(), source=JoinSource.QR, phone_verified=True, channel=channel)
    assert outcome.membership is not None
    assert (outcome.membership.union, outcome.membership.routed_by) == (cast.district_street, "channel")
    assert outcome.membership.channel == channel


def test_a_union_that_requires_approval_keeps_the_join_pending(
    members: Members, cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    cast.district_grassroots.join_requires_approval = True
    cast.district_grassroots.save()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = member_join(data=worker(), source=JoinSource.QR, phone_verified=True)

    assert outcome.status == "pending"
    assert outcome.membership is not None
    assert outcome.membership.status == MembershipStatus.PENDING
    assert Person.objects.get(name="刘洋").card_number is None
    assert sms.outbox == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "520102199503120031", "The ID number's last character does not match; check it for typos."),
        ("id_number", "5201021995031", "An ID number has 18 characters."),
        (
            "id_number",
            "5.20102199503121E+17",
            "Excel turned the ID number into a number and digits were lost; enter it as text.",
        ),
        ("id_number", id_with_check("99010219950312003"), "The ID number does not begin with a province code."),
        (
            "id_number",
            id_with_check("52999919950312003"),
            "The first six digits of the ID number are not a region code that was ever issued.",
        ),
        ("id_number", id_with_check("52010219951332003"), "The birth date in the ID number is not a real date."),
        ("phone", "1234567", "A mobile number has 11 digits and begins with 13 to 19."),
        ("phone", "", "Enter the mobile number."),
        ("work_region", "529999", "Choose where you work: a current 6, 9 or 12-digit region code."),
        ("occupation", "宇航员", "Choose an occupation from the list."),
        ("name", "A", "A name is 2 to 30 Chinese characters or letters (· allowed)."),
        (
            "employer_credit_code",
            "91520102MA6DXXXXX1",
            "The employer's unified social credit code is not valid (18 characters, GB 32100).",
        ),
        ("join_place", "别处", "Joined at is 工作地 (workplace) or 输出地 (origin)."),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(members: Members, field: str, value: str, message: str) -> None:
    people = Person.objects.count()
    with pytest.raises(WorkerInputError) as raised:
        member_join(data=worker(**{field: value}), source=JoinSource.QR, phone_verified=True)
    assert raised.value.errors == {field: message}
    assert Person.objects.count() == people


def test_a_minority_name_with_a_middle_dot_is_accepted(members: Members) -> None:
    outcome = member_join(data=worker(name="买买提・艾力"), source=JoinSource.QR, phone_verified=True)
    assert outcome.person is not None
    assert outcome.person.name == "买买提·艾力"


def test_occupation_is_stored_by_code(members: Members) -> None:
    assert members.rider.occupation == Occupation.DELIVERY_RIDER
    assert members.other_membership.source == JoinSource.ONE_TAP


def test_a_record_without_a_phone_is_claimed_only_with_its_name(members: Members) -> None:
    Person.objects.filter(pk=members.rider.pk).update(phone="", phone_index="")
    wrong_name = member_join(
        data=worker(name="陈大军", id_number=RIDER_ID, phone="13600000000"), source=JoinSource.QR, phone_verified=True
    )
    assert (wrong_name.status, wrong_name.person) == ("review", None)
    assert Person.objects.get(pk=members.rider.pk).phone == ""
    right_name = member_join(
        data=worker(name="陈小军", id_number=RIDER_ID, phone="13600000000"), source=JoinSource.QR, phone_verified=True
    )
    assert right_name.status == "already"
    assert Person.objects.get(pk=members.rider.pk).phone == "13600000000"
