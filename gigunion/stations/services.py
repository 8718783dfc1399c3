"""Writes: stations, photos, visits and check-ins, merchants, offers and redemptions, hotspots."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.core.images import image_clean
from gigunion.core.models import AuditAction
from gigunion.core.services import audit_record
from gigunion.members.models import Membership, Person, VerificationResult
from gigunion.members.services import card_verify
from gigunion.orgs.access import Jurisdiction
from gigunion.orgs.models import UnionOrganization
from gigunion.regions.models import Region
from gigunion.stations.hours import OpeningHours
from gigunion.stations.models import (
    Hotspot,
    Merchant,
    Offer,
    Redemption,
    Station,
    StationPhoto,
    StationStatus,
    StationVisit,
    VisitSource,
)

MAX_PHOTOS = 9
MAX_PEOPLE_A_DAY = 100_000

# The fields of a station that check_station's values set (besides region and hours).
STATION_FIELDS = ("name", "kind", "host", "address", "lat", "lng", "services", "stars", "contact_name", "contact_phone")


def _code() -> str:
    return secrets.token_urlsafe(9)  # 12 characters


def region_in_jurisdiction(jurisdiction: Jurisdiction, code: str) -> Region:
    """The region with this code if the jurisdiction covers it; DomainError with a message otherwise."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError(_("Unknown division code %(code)s.") % {"code": code[:12]}, code="region")
    if not jurisdiction.covers_region(region.code):
        raise DomainError(
            _("%(name)s (%(code)s) is outside your jurisdiction.") % {"name": region.name, "code": region.code},
            code="jurisdiction",
        )
    return region


def _require_change(jurisdiction: Jurisdiction, region_code: str | None = None) -> None:
    """Refuse viewers, and anyone whose jurisdiction does not hold the region of what they change."""
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))
    if region_code is not None and not jurisdiction.covers_region(region_code):
        raise NotAllowed()


def station_values(values: dict[str, Any]) -> dict[str, Any]:
    """Model field values from check_station's parsed values (region excluded)."""
    fields = {key: values[key] for key in STATION_FIELDS if key in values}
    hours: OpeningHours | None = values.get("hours")
    if hours is not None:
        fields.update(hours_text=hours.text, all_day=hours.all_day, hours_ranges=[list(pair) for pair in hours.ranges])
    return fields


@transaction.atomic
def station_save(
    *,
    jurisdiction: Jurisdiction,
    actor: User | None,
    values: dict[str, Any],
    station: Station | None = None,
    organization: UnionOrganization | None = None,
) -> Station:
    """Create a station, or change one, in the jurisdiction; `values` are check_station's parsed values."""
    _require_change(jurisdiction)
    region = region_in_jurisdiction(jurisdiction, str(values["region"]))
    if station is not None and not jurisdiction.covers_region(station.region_id):
        raise NotAllowed()
    creating = station is None
    if station is None:
        station = Station(
            code=_code(), organization_id=organization.pk if organization else jurisdiction.organization_id
        )
        station.created_by = actor
    for key, value in station_values(values).items():
        setattr(station, key, value)
    station.region = region
    duplicate = _("%(region)s already has a station named %(name)s.")
    _place_save(station, duplicate, AuditAction.STATION_CHANGED, actor, {"created": creating, "status": station.status})
    return station


def _place_save(
    place: Station | Merchant, duplicate: str, action: AuditAction, actor: User | None, details: dict[str, Any]
) -> None:
    """Save a station or merchant, refusing a second one of the same name in its region, and audit it."""
    try:
        with transaction.atomic():
            place.save()
    except IntegrityError:
        raise DomainError(duplicate % {"region": place.region.name, "name": place.name}, code="duplicate") from None
    audit_record(
        action=action,
        actor=actor,
        object_type=type(place).__name__.lower(),
        object_id=place.pk,
        region_code=place.region_id,
        details={"name": place.name, **details},
    )


def station_set_status(*, jurisdiction: Jurisdiction, actor: User | None, station: Station, status: str) -> Station:
    _require_change(jurisdiction)
    if status not in StationStatus.values:
        raise DomainError(_("Unknown status."), code="status")
    if not jurisdiction.covers_region(station.region_id):
        raise NotAllowed()
    station.status = status
    station.save(update_fields=["status", "updated_at"])
    audit_record(
        action=AuditAction.STATION_CHANGED,
        actor=actor,
        object_type="station",
        object_id=station.pk,
        region_code=station.region_id,
        details={"status": status},
    )
    return station


def station_photo_add(*, jurisdiction: Jurisdiction, actor: User | None, station: Station, data: bytes) -> StationPhoto:
    _require_change(jurisdiction, station.region_id)
    if station.photos.count() >= MAX_PHOTOS:
        raise DomainError(_("A station has at most %(count)d photos.") % {"count": MAX_PHOTOS}, code="too_many")
    image = image_clean(data)
    return StationPhoto.objects.create(
        station=station,
        data=image.data,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        uploaded_by=actor,
    )


def station_photo_delete(*, jurisdiction: Jurisdiction, photo: StationPhoto) -> None:
    _require_change(jurisdiction, photo.station.region_id)
    photo.delete()


def visit_record(
    *, jurisdiction: Jurisdiction, actor: User | None, station: Station, people: int, visited_on: date
) -> StationVisit:
    """Staff record the person-times a station served on a day (a count, e.g. from its paper register)."""
    _require_change(jurisdiction)
    if not jurisdiction.covers_region(station.region_id):
        raise NotAllowed()
    if people < 1 or people > MAX_PEOPLE_A_DAY:
        raise DomainError(_("Person-times must be a whole number from 1 to 100,000."), code="people")
    if visited_on > timezone.localdate():
        raise DomainError(_("Visits cannot be recorded for a day in the future."), code="future")
    return StationVisit.objects.create(
        station=station, people=people, visited_on=visited_on, source=VisitSource.STAFF, recorded_by=actor
    )


@dataclass(frozen=True)
class CheckIn:
    visit: StationVisit
    first_today: bool


def station_checkin(*, station: Station, person: Person, today: date | None = None) -> CheckIn:
    """A worker scanned the station's QR: one person-time a day, however often they scan."""
    if station.status != StationStatus.OPEN:
        raise DomainError(_("This station is not open at present."), code="closed")
    day = today or timezone.localdate()
    existing = StationVisit.objects.filter(station=station, person=person, visited_on=day).first()
    if existing is not None:
        return CheckIn(visit=existing, first_today=False)
    try:
        with transaction.atomic():
            visit = StationVisit.objects.create(station=station, person=person, visited_on=day, source=VisitSource.QR)
    except IntegrityError:  # two scans at once
        return CheckIn(
            visit=StationVisit.objects.get(station=station, person=person, visited_on=day), first_today=False
        )
    return CheckIn(visit=visit, first_today=True)


# ---------------------------------------------------------------------------------------------
# Partner merchants
# ---------------------------------------------------------------------------------------------

MERCHANT_FIELDS = ("name", "category", "address", "lat", "lng", "contact_name", "contact_phone", "is_active")


@transaction.atomic
def merchant_save(
    *,
    jurisdiction: Jurisdiction,
    actor: User | None,
    values: dict[str, Any],
    merchant: Merchant | None = None,
) -> Merchant:
    _require_change(jurisdiction)
    region = region_in_jurisdiction(jurisdiction, str(values["region"]))
    if merchant is not None and not jurisdiction.covers_region(merchant.region_id):
        raise NotAllowed()
    creating = merchant is None
    if merchant is None:
        merchant = Merchant(
            code=_code(), desk_secret=secrets.token_urlsafe(32), organization_id=jurisdiction.organization_id
        )
        merchant.created_by = actor
    for key in MERCHANT_FIELDS:
        if key in values:
            setattr(merchant, key, values[key])
    merchant.region = region
    duplicate = _("%(region)s already has a merchant named %(name)s.")
    _place_save(
        merchant, duplicate, AuditAction.MERCHANT_CHANGED, actor, {"created": creating, "active": merchant.is_active}
    )
    return merchant


def merchant_desk_reset(*, jurisdiction: Jurisdiction, actor: User | None, merchant: Merchant) -> Merchant:
    """A new counter link for the merchant; the old one stops working at once (a lost phone)."""
    _require_change(jurisdiction, merchant.region_id)
    merchant.desk_secret = secrets.token_urlsafe(32)
    merchant.save(update_fields=["desk_secret", "updated_at"])
    audit_record(
        action=AuditAction.MERCHANT_DESK_RESET,
        actor=actor,
        object_type="merchant",
        object_id=merchant.pk,
        region_code=merchant.region_id,
    )
    return merchant


def offer_save(
    *,
    jurisdiction: Jurisdiction,
    merchant: Merchant,
    title: str,
    description: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    is_active: bool = True,
    offer: Offer | None = None,
) -> Offer:
    _require_change(jurisdiction)
    if not jurisdiction.covers_region(merchant.region_id):
        raise NotAllowed()
    title = title.strip()
    if not title:
        raise DomainError(_("Describe the offer, e.g. 会员就餐九折."), code="title")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(_("The offer ends before it starts."), code="dates")
    offer = offer or Offer(merchant=merchant)
    if offer.merchant_id != merchant.pk:
        raise NotAllowed()
    offer.title, offer.description = title[:128], description.strip()
    offer.starts_on, offer.ends_on, offer.is_active = starts_on, ends_on, is_active
    offer.save()
    return offer


def offers_current(merchant: Merchant, today: date | None = None) -> list[Offer]:
    day = today or timezone.localdate()
    return [offer for offer in merchant.offers.filter(is_active=True) if offer.is_current(day)]


def merchant_for_desk(secret: str) -> Merchant | None:
    if not secret or len(secret) > 64:
        return None
    return Merchant.objects.filter(desk_secret=secret, is_active=True).first()


@dataclass(frozen=True)
class RedemptionOutcome:
    result: VerificationResult
    redemption: Redemption | None
    name_masked: str = ""
    union_name: str = ""


@transaction.atomic
def redemption_record(
    *, merchant: Merchant, offer_id: int, token: str, ip_address: str | None = None, today: date | None = None
) -> RedemptionOutcome:
    """The merchant's counter scanned a member card: verify it (logged as every card check is) and, when
    valid, log the discount taken. An expired or foreign card records nothing but the check."""
    offer = next((offer for offer in offers_current(merchant, today) if offer.pk == offer_id), None)
    if offer is None:
        raise DomainError(_("This offer is not available now."), code="offer")
    check = card_verify(token=token, ip_address=ip_address, today=today)
    if check.result != VerificationResult.VALID or check.person_id is None or check.membership_id is None:
        return RedemptionOutcome(result=check.result, redemption=None)
    membership = Membership.objects.get(pk=check.membership_id)
    redemption = Redemption.objects.create(
        merchant=merchant, offer=offer, person_id=check.person_id, union_id=membership.union_id, ip_address=ip_address
    )
    return RedemptionOutcome(
        result=check.result, redemption=redemption, name_masked=check.name_masked, union_name=check.union_name
    )


# ---------------------------------------------------------------------------------------------
# Demand hotspots (for planning the 15-minute circle)
# ---------------------------------------------------------------------------------------------


def hotspot_save(
    *, jurisdiction: Jurisdiction, region_code: str, name: str, lat: float, lng: float, weight: int, source: str = ""
) -> tuple[Hotspot, bool]:
    """Create or update the hotspot of this name in the region; returns it and whether it was new."""
    _require_change(jurisdiction)
    region = region_in_jurisdiction(jurisdiction, region_code)
    if weight < 1:
        raise DomainError(_("The weight is the number of workers, at least 1."), code="weight")
    hotspot, created = Hotspot.objects.update_or_create(
        region=region,
        name=name.strip()[:128],
        defaults={
            "organization_id": jurisdiction.organization_id,
            "lat": lat,
            "lng": lng,
            "weight": weight,
            "source": source.strip()[:64],
        },
    )
    return hotspot, created
