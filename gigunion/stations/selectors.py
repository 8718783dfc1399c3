"""Reads: the nearest open stations and merchants for a worker, and how much stations are used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet, Sum
from django.utils import timezone

from gigunion.stations.models import Merchant, Offer, Station, StationVisit, services_mask
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
    stations = Station.objects.in_bulk([near.id for near in found])
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
    merchants = Merchant.objects.in_bulk([near.id for near in found])
    day = today or timezone.localdate()
    offers: dict[int, list[Offer]] = {}
    for offer in Offer.objects.filter(merchant_id__in=list(merchants), is_active=True).order_by("title"):
        if (offer.starts_on is None or offer.starts_on <= day) and (offer.ends_on is None or offer.ends_on >= day):
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
