"""Station, visit, merchant and redemption services: exact effects and refusals."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.members.models import CardVerification, VerificationResult
from gigunion.members.services import card_token
from gigunion.orgs.access import jurisdiction_of
from gigunion.stations.checks import check_station
from gigunion.stations.models import Redemption, Station, StationStatus, StationVisit
from gigunion.stations.services import (
    merchant_desk_reset,
    merchant_save,
    offer_save,
    redemption_record,
    station_checkin,
    station_photo_add,
    station_save,
    station_set_status,
    visit_record,
)
from gigunion.stations.spatial import nearest
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

ROW = {
    "name": "南明河畔驿站",
    "kind": "户外劳动者服务站点",
    "region": "520102",
    "lng": "106.7135",
    "lat": "26.5783",
    "hours": "24小时",
    "services": "休息、充电",
}


def _station(cast: Cast, **changes: str) -> Station:
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    checked = check_station({**ROW, **changes})
    assert checked.ok, checked.errors
    return station_save(jurisdiction=jurisdiction, actor=cast.district_staff.user, values=checked.values)


def test_station_save_creates_in_the_jurisdiction_and_refuses_outside(cast: Cast) -> None:
    station = _station(cast)
    assert (station.region_id, station.organization_id, station.all_day, len(station.code)) == (
        "520102",
        cast.district.pk,
        True,
        12,
    )
    with pytest.raises(DomainError) as outside:
        _station(cast, region="520103", name="云岩驿站")
    assert outside.value.code == "jurisdiction"
    with pytest.raises(DomainError) as duplicate:
        _station(cast)
    assert duplicate.value.code == "duplicate"
    viewer = jurisdiction_of(cast.district_viewer.user)
    assert viewer is not None
    with pytest.raises(NotAllowed):
        station_set_status(jurisdiction=viewer, actor=None, station=station, status=StationStatus.CLOSED)


def test_closing_a_station_takes_it_off_the_map(cast: Cast) -> None:
    station = _station(cast)
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    assert [near.id for near in nearest("station", lat=26.5783, lng=106.7135, limit=1)] == [station.pk]
    station_set_status(jurisdiction=jurisdiction, actor=None, station=station, status=StationStatus.PAUSED)
    assert nearest("station", lat=26.5783, lng=106.7135, limit=1) == []


def test_checkin_counts_once_a_day(cast: Cast, members: Any) -> None:
    station = _station(cast)
    today = timezone.localdate()
    first = station_checkin(station=station, person=members.rider, today=today)
    again = station_checkin(station=station, person=members.rider, today=today)
    tomorrow = station_checkin(station=station, person=members.rider, today=today + timedelta(days=1))
    assert (first.first_today, again.first_today, tomorrow.first_today) == (True, False, True)
    assert again.visit.pk == first.visit.pk
    assert StationVisit.objects.filter(station=station).count() == 2


def test_checkin_at_a_closed_station_is_refused(cast: Cast, members: Any) -> None:
    station = _station(cast)
    Station.objects.filter(pk=station.pk).update(status=StationStatus.CLOSED)
    station.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        station_checkin(station=station, person=members.rider)
    assert refused.value.code == "closed"


def test_staff_record_person_times(cast: Cast) -> None:
    station = _station(cast)
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    visit = visit_record(
        jurisdiction=jurisdiction, actor=None, station=station, people=37, visited_on=date(2026, 11, 2)
    )
    assert (visit.people, visit.source, visit.person_id) == (37, "staff", None)
    for people, day in ((0, date(2026, 11, 2)), (5, timezone.localdate() + timedelta(days=1))):
        with pytest.raises(DomainError):
            visit_record(jurisdiction=jurisdiction, actor=None, station=station, people=people, visited_on=day)


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (3000, 2000), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (26.0, 34.0, 41.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photos_lose_their_exif_and_are_scaled_down(cast: Cast) -> None:
    station = _station(cast)
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    original = _jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()  # the test photo does carry EXIF
    photo = station_photo_add(jurisdiction=jurisdiction, actor=None, station=station, data=original)
    stored = Image.open(io.BytesIO(bytes(photo.data)))
    assert (photo.width, photo.height, stored.format, dict(stored.getexif())) == (1600, 1067, "JPEG", {})
    with pytest.raises(DomainError) as disguised:
        station_photo_add(jurisdiction=jurisdiction, actor=None, station=station, data=b"<script>alert(1)</script>")
    assert disguised.value.code == "format"


def _merchant(cast: Cast) -> Any:
    jurisdiction = jurisdiction_of(cast.district_staff.user)
    assert jurisdiction is not None
    merchant = merchant_save(
        jurisdiction=jurisdiction,
        actor=None,
        values={"name": "老王面馆", "region": "520102", "lat": 26.58, "lng": 106.72, "category": "餐饮"},
    )
    offer = offer_save(jurisdiction=jurisdiction, merchant=merchant, title="会员就餐九折")
    return jurisdiction, merchant, offer


def test_a_valid_card_redeems_and_is_logged(cast: Cast, members: Any) -> None:
    _jurisdiction, merchant, offer = _merchant(cast)
    outcome = redemption_record(
        merchant=merchant, offer_id=offer.pk, token=card_token(members.rider), ip_address="10.0.0.1"
    )
    assert outcome.result == VerificationResult.VALID
    assert outcome.redemption is not None
    redemption = Redemption.objects.get()
    assert (redemption.person_id, redemption.union_id, redemption.offer_id) == (
        members.rider.pk,
        members.rider_membership.union_id,
        offer.pk,
    )
    assert outcome.name_masked == "陈*军"
    assert CardVerification.objects.filter(person=members.rider, result=VerificationResult.VALID).count() == 1


def test_a_bad_card_records_the_check_but_no_redemption(cast: Cast, members: Any) -> None:
    _jurisdiction, merchant, offer = _merchant(cast)
    outcome = redemption_record(merchant=merchant, offer_id=offer.pk, token="not-a-token")
    assert (outcome.result, outcome.redemption) == (VerificationResult.INVALID, None)
    assert Redemption.objects.count() == 0
    assert CardVerification.objects.filter(result=VerificationResult.INVALID).count() == 1


def test_an_offer_out_of_its_dates_cannot_be_redeemed(cast: Cast, members: Any) -> None:
    jurisdiction, merchant, offer = _merchant(cast)
    offer_save(
        jurisdiction=jurisdiction,
        merchant=merchant,
        offer=offer,
        title=offer.title,
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    with pytest.raises(DomainError) as refused:
        redemption_record(merchant=merchant, offer_id=offer.pk, token=card_token(members.rider))
    assert refused.value.code == "offer"


def test_a_new_desk_link_replaces_the_old(cast: Cast) -> None:
    jurisdiction, merchant, _offer = _merchant(cast)
    old = merchant.desk_secret
    merchant_desk_reset(jurisdiction=jurisdiction, actor=None, merchant=merchant)
    assert merchant.desk_secret != old
    assert len(merchant.desk_secret) == 43
