from __future__ import annotations

import pytest

from gigunion.core.models import AuditEvent
from gigunion.orgs.models import StaffRole
from gigunion.orgs.services import staff_account_create
from tests.conftest import PASSWORD, Cast


@pytest.fixture
def clerk(cast: Cast):
    return staff_account_create(
        username="nanming_clerk",
        password=PASSWORD,
        display_name="刘洋",
        organization=cast.district,
        role=StaffRole.OPERATOR,
        phone="+86 139-8500-0002",
    )


def test_it_masks_staff_phones_by_default(cast: Cast, clerk) -> None:
    html = cast.client_for(cast.city_staff).get(f"/office/organizations/{cast.district.pk}/").content.decode()
    assert '<span class="masked">139****0002</span>' in html
    assert "13985000002" not in html
    assert f'hx-get="/office/staff/{clerk.pk}/phone/"' in html


def test_it_offers_no_reveal_button_to_non_administrators(cast: Cast, clerk) -> None:
    html = cast.client_for(cast.district_staff).get(f"/office/organizations/{cast.district.pk}/").content.decode()
    assert "139****0002" in html
    assert "/phone/" not in html


def test_it_shows_the_full_number_to_an_administrator_and_audits_it(cast: Cast, clerk) -> None:
    before = AuditEvent.objects.filter(action="personal_data.view").count()
    response = cast.client_for(cast.city_staff).get(f"/office/staff/{clerk.pk}/phone/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.content.decode().strip() == '<span class="revealed">13985000002</span>'
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.filter(action="personal_data.view").latest("id")
    assert AuditEvent.objects.filter(action="personal_data.view").count() == before + 1
    assert (event.actor, event.object_type, event.object_id, event.region_code, event.ip_address, event.details) == (
        cast.city_staff.user,
        "staff",
        str(clerk.pk),
        "520102",
        "10.1.2.3",
        {"field": "phone"},
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("district_staff", 403), ("district_viewer", 403), ("other_district_staff", 404), ("outsider", 403)],
)
def test_it_refuses_the_full_number_to_everyone_else(cast: Cast, clerk, who: str, status: int) -> None:
    response = cast.client_for(getattr(cast, who)).get(f"/office/staff/{clerk.pk}/phone/")
    assert response.status_code == status
    assert b"13985000002" not in response.content
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()


def test_it_sends_anonymous_visitors_to_login_for_the_full_number(cast: Cast, clerk) -> None:
    response = cast.client_for(None).get(f"/office/staff/{clerk.pk}/phone/")
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()


def test_it_reveals_with_a_fixed_number_of_queries(cast: Cast, clerk, django_assert_num_queries) -> None:
    client = cast.client_for(cast.city_staff)
    # session, user, jurisdiction, the account with its organization and region, the audit row, session save (3)
    with django_assert_num_queries(8):
        assert client.get(f"/office/staff/{clerk.pk}/phone/").status_code == 200
