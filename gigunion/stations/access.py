"""Who may see or change which stations, merchants and hotspots: staff whose jurisdiction holds their region.

Seeing takes any staff role; changing takes an operator or administrator.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gigunion.core.exceptions import NotAllowed, NotVisible
from gigunion.orgs.access import require_jurisdiction
from gigunion.stations.models import Hotspot, Merchant, Station, StationPhoto


def stations_visible_to(user: Any) -> QuerySet[Station]:
    jurisdiction = require_jurisdiction(user)
    return Station.objects.select_related("region", "organization").filter(
        region__code__startswith=jurisdiction.region_prefix
    )


def station_for_staff(user: Any, *, station_id: int, change: bool = False) -> Station:
    station = stations_visible_to(user).filter(pk=station_id).first()
    if station is None:
        raise NotVisible()
    if change and not require_jurisdiction(user).can_change:
        raise NotAllowed()
    return station


def station_photo_for_staff(user: Any, *, photo_id: int, change: bool = False) -> StationPhoto:
    photo = StationPhoto.objects.filter(pk=photo_id, station__in=stations_visible_to(user)).first()
    if photo is None:
        raise NotVisible()
    if change and not require_jurisdiction(user).can_change:
        raise NotAllowed()
    return photo


def merchants_visible_to(user: Any) -> QuerySet[Merchant]:
    jurisdiction = require_jurisdiction(user)
    return Merchant.objects.select_related("region", "organization").filter(
        region__code__startswith=jurisdiction.region_prefix
    )


def merchant_for_staff(user: Any, *, merchant_id: int, change: bool = False) -> Merchant:
    merchant = merchants_visible_to(user).filter(pk=merchant_id).first()
    if merchant is None:
        raise NotVisible()
    if change and not require_jurisdiction(user).can_change:
        raise NotAllowed()
    return merchant


def hotspots_visible_to(user: Any) -> QuerySet[Hotspot]:
    jurisdiction = require_jurisdiction(user)
    return Hotspot.objects.select_related("region").filter(region__code__startswith=jurisdiction.region_prefix)
