"""Fifty joins of one person at once end with one person and one open membership (PostgreSQL).

SQLite serializes writers, so the race only exists on PostgreSQL; there the unique indexes on the
ID number's blind index and on "one open membership per person" decide, and the losers read the
winner's rows.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from gigunion.members.models import JoinSource, Membership, MembershipEvent, Person
from gigunion.members.selectors import id_number_index
from gigunion.members.services import JoinOutcome, member_join
from tests.conftest import build_cast
from tests.people import id_with_check, worker

pytestmark = pytest.mark.django_db(transaction=True)

JOINS = 50


def test_fifty_concurrent_joins_of_one_person_make_one_membership() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the race needs concurrent writers (PostgreSQL)")
    cast = build_cast()
    number = id_with_check("52010219970707041")
    barrier = threading.Barrier(JOINS)

    def join(device: int) -> JoinOutcome:
        try:
            barrier.wait(timeout=30)
            # Two phones' worth of requests: the same person, different platforms in the form.
            return member_join(
                data=worker(id_number=number, platform="美团" if device % 2 else "饿了么"),
                source=JoinSource.QR,
                phone_verified=True,
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=JOINS) as pool:
        outcomes = list(pool.map(join, range(JOINS)))

    statuses = sorted(outcome.status for outcome in outcomes)
    assert statuses == ["already"] * (JOINS - 1) + ["joined"]
    people = Person.objects.filter(id_number_index=id_number_index(number))
    assert people.count() == 1
    person = people.get()
    assert Membership.objects.filter(person=person).count() == 1
    membership = Membership.objects.get(person=person)
    assert membership.union == cast.district
    assert {outcome.membership.pk for outcome in outcomes if outcome.membership} == {membership.pk}
    assert MembershipEvent.objects.filter(person=person).count() == 1
    assert person.card_number is not None
