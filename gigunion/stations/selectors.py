"""Reads: the nearest open stations and merchants for a worker, and how much stations are used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Avg, Count, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from gigunion.members.models import Person
from gigunion.regions.models import Region
from gigunion.stations.models import (
    Merchant,
    Offer,
    Redemption,
    Station,
    StationPhoto,
    StationStatus,
    StationVisit,
    services_mask,
)
from gigunion.stations.spatial import nearest

MAX_NEARBY = 50


@dataclass(frozen=True)
class NearbyStation:
    station: Station
    distance_m: float
    open_now: bool


@dataclass(frozen=True)
class NearbyMerchant:
    merchant: Merchant
    distance_m: float
    offers: list[Offer]


def nearby_stations(
    *,
    lat: float,
    lng: float,
    limit: int = 10,
    services: list[str] | None = None,
    all_day: bool = False,
    now: datetime | None = None,
) -> list[NearbyStation]:
    """Open stations nearest first, each with its distance and whether it is open at this hour."""
    found = nearest(
        "station",
        lat=lat,
        lng=lng,
        limit=min(limit, MAX_NEARBY),
        services=services_mask(services or []),
        all_day=all_day,
    )
    stations = Station.objects.order_by().in_bulk([near.id for near in found])  # no sort: a dict by id
    moment = timezone.localtime(now) if now is not None else timezone.localtime()
    return [
        NearbyStation(
            station=stations[near.id], distance_m=near.distance_m, open_now=stations[near.id].hours.is_open_at(moment)
        )
        for near in found
        if near.id in stations
    ]


def nearby_merchants(*, lat: float, lng: float, limit: int = 10, today: date | None = None) -> list[NearbyMerchant]:
    found = nearest("merchant", lat=lat, lng=lng, limit=min(limit, MAX_NEARBY))
    merchants = Merchant.objects.order_by().in_bulk([near.id for near in found])
    day = today or timezone.localdate()
    offers: dict[int, list[Offer]] = {}
    for offer in Offer.objects.filter(merchant_id__in=list(merchants), is_active=True).order_by("title"):
        if offer.is_current(day):
            offers.setdefault(offer.merchant_id, []).append(offer)
    return [
        NearbyMerchant(merchant=merchants[near.id], distance_m=near.distance_m, offers=offers.get(near.id, []))
        for near in found
        if near.id in merchants
    ]


def visits_total(stations: QuerySet[Station], *, since: date | None = None, until: date | None = None) -> int:
    """Person-times at these stations in the period (QR check-ins and staff counts)."""
    visits = StationVisit.objects.filter(station__in=stations)
    if since is not None:
        visits = visits.filter(visited_on__gte=since)
    if until is not None:
        visits = visits.filter(visited_on__lte=until)
    return int(visits.aggregate(total=Sum("people"))["total"] or 0)


def visits_by_station(
    stations: QuerySet[Station], *, since: date | None = None, until: date | None = None
) -> dict[int, int]:
    visits = StationVisit.objects.filter(station__in=stations)
    if since is not None:
        visits = visits.filter(visited_on__gte=since)
    if until is not None:
        visits = visits.filter(visited_on__lte=until)
    return {row["station_id"]: int(row["total"]) for row in visits.values("station_id").annotate(total=Sum("people"))}


VisitGrouping = Literal["visited_on", "source", "station__region_id"]


def visits_grouped(
    stations: QuerySet[Station], *, by: VisitGrouping, since: date | None = None, until: date | None = None
) -> dict[Any, int]:
    """Person-times at these stations in the period, by day, by source (QR / staff) or by the station's region."""
    visits = StationVisit.objects.filter(station__in=stations)
    if since is not None:
        visits = visits.filter(visited_on__gte=since)
    if until is not None:
        visits = visits.filter(visited_on__lte=until)
    return {row[by]: int(row["total"]) for row in visits.order_by().values(by).annotate(total=Sum("people"))}


def redemptions_by_offer(merchant: Merchant, *, since: datetime | None = None) -> dict[int, int]:
    """How many discounts were taken at the merchant, per offer (since a moment when given)."""
    redemptions = Redemption.objects.filter(merchant=merchant)
    if since is not None:
        redemptions = redemptions.filter(created_at__gte=since)
    return {
        row["offer_id"]: row["total"] for row in redemptions.order_by().values("offer_id").annotate(total=Count("pk"))
    }


def redemptions_by_merchant(merchants: QuerySet[Merchant], *, since: datetime | None = None) -> dict[int, int]:
    redemptions = Redemption.objects.filter(merchant__in=merchants)
    if since is not None:
        redemptions = redemptions.filter(created_at__gte=since)
    return {
        row["merchant_id"]: row["total"]
        for row in redemptions.order_by().values("merchant_id").annotate(total=Count("pk"))
    }


# ---------------------------------------------------------------------------------------------
# The worker's pages (/m/): a station by its code, its photos, today's check-in, a counter's day
# ---------------------------------------------------------------------------------------------


def station_by_code(code: str) -> Station | None:
    """A station as a worker finds it (by the public code in its page address), whatever its status."""
    if not code or len(code) > 16:
        return None
    return Station.objects.filter(code=code).first()


def station_by_checkin_secret(secret: str) -> Station | None:
    """The station whose printed QR code carries this check-in secret (never its public code), whatever its
    status."""
    if not secret or len(secret) > 32:
        return None
    return Station.objects.filter(checkin_secret=secret).first()


@dataclass(frozen=True)
class PhotoInfo:
    id: int
    width: int
    height: int


def station_photo_infos(station: Station) -> list[PhotoInfo]:
    """The station's photos without their bytes (a page links to them)."""
    rows = station.photos.order_by("created_at", "pk").values_list("pk", "width", "height")
    return [PhotoInfo(id=pk, width=width, height=height) for pk, width, height in rows]


def station_photo_public(code: str, photo_id: int) -> StationPhoto | None:
    """A photo of an open station, which anyone may see; None for a closed or paused station's photos."""
    return StationPhoto.objects.filter(pk=photo_id, station__code=code, station__status=StationStatus.OPEN).first()


def checkin_today(station: Station, person: Person, *, today: date | None = None) -> StationVisit | None:
    day = today or timezone.localdate()
    return StationVisit.objects.filter(station=station, person=person, visited_on=day).first()


def merchant_active(merchant_id: int) -> Merchant | None:
    return Merchant.objects.filter(pk=merchant_id, is_active=True).first()


def _redemptions_since_midnight(merchant: Merchant, now: datetime | None) -> QuerySet[Redemption]:
    moment = timezone.localtime(now) if now is not None else timezone.localtime()
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return Redemption.objects.filter(merchant=merchant, created_at__gte=midnight)


def redemptions_today(merchant: Merchant, *, now: datetime | None = None, limit: int = 200) -> list[Redemption]:
    """The discounts taken at the merchant since local midnight, latest first (at most limit of them)."""
    redemptions = _redemptions_since_midnight(merchant, now)
    return list(redemptions.select_related("offer", "person").order_by("-created_at", "-pk")[:limit])


def redemptions_today_count(merchant: Merchant, *, now: datetime | None = None) -> int:
    """How many discounts were taken at the merchant since local midnight, all of them."""
    return _redemptions_since_midnight(merchant, now).order_by().count()


@dataclass(frozen=True)
class CountyCentre:
    code: str
    name: str  # with the city, e.g. 贵阳市 南明区
    lat: float
    lng: float
    stations: int


def station_county_centres() -> list[CountyCentre]:
    """The counties with open stations, each at the mean place of those stations: where a worker who gives no
    location can start looking. Ordered by division code."""
    rows = (
        Station.objects.filter(status=StationStatus.OPEN)
        .annotate(county=Substr("region_id", 1, 6))
        .order_by()
        .values("county")
        .annotate(lat=Avg("lat"), lng=Avg("lng"), stations=Count("pk"))
    )
    found = {row["county"]: row for row in rows}
    names = {
        region.code: f"{region.parent.name} {region.name}" if region.parent is not None else region.name
        for region in Region.objects.filter(code__in=list(found)).select_related("parent")
    }
    return [
        CountyCentre(code=code, name=names.get(code, code), lat=row["lat"], lng=row["lng"], stations=row["stations"])
        for code, row in sorted(found.items())
    ]
