"""Service stations (驿站), partner merchants (暖心商户), visits, offers and redemptions, and demand hotspots.

Coordinates are WGS-84 (ADR 0009); other systems' coordinates are converted on input. Open stations and
active merchants are also in a spatial index kept by the database itself (an R*Tree on SQLite, an
earthdistance GiST index on PostgreSQL), which answers "nearest first" exactly.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gigunion.core.models import AppendOnlyModel
from gigunion.members.models import Person
from gigunion.orgs.models import UnionOrganization
from gigunion.regions.models import Region
from gigunion.stations.hours import OpeningHours, hours_from_stored


class StationKind(models.TextChoices):
    OUTDOOR_STATION = "outdoor_station", _("Outdoor workers' station")
    DRIVER_HOME = "driver_home", _("Driver home")
    CARING_STATION = "caring_station", _("Caring station")
    HEALTH_STATION = "health_station", _("Health station")


# The Chinese names of the import format (FORMATS.md), also accepted as input.
STATION_KIND_NAMES = {
    "户外劳动者服务站点": StationKind.OUTDOOR_STATION,
    "司机之家": StationKind.DRIVER_HOME,
    "爱心小站": StationKind.CARING_STATION,
    "健康小站": StationKind.HEALTH_STATION,
}


class StationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("station status", "Open")
    PAUSED = "paused", _("Closed temporarily")
    CLOSED = "closed", pgettext_lazy("station status", "Closed")


class Service(models.TextChoices):
    """The 5+X services: the five core ones first, then the usual extras. Each is one bit of a mask."""

    REST = "rest", _("Rest")
    CHARGING = "charging", _("Phone charging")
    FIRST_AID = "first_aid", _("First-aid kit")
    WATER = "water", _("Drinking water")
    STUDY = "study", _("Reading and exchange")
    FOOD_HEATING = "food_heating", _("Food heating")
    TOILET = "toilet", _("Toilet")
    EBIKE_CHARGING = "ebike_charging", _("E-bike charging")
    WIFI = "wifi", _("Wi-Fi")
    REPAIR = "repair", _("Repair tools")
    UMBRELLA = "umbrella", _("Umbrella loan")
    SHOWER = "shower", _("Shower")
    LAUNDRY = "laundry", _("Laundry")
    PARKING = "parking", _("Parking")
    LEGAL_AID = "legal_aid", _("Legal advice")
    HEALTH_CHECK = "health_check", _("Health check")


CORE_SERVICES = [Service.REST, Service.CHARGING, Service.FIRST_AID, Service.WATER, Service.STUDY]
SERVICE_BITS = {service: 1 << index for index, service in enumerate(Service)}
# Chinese names accepted on import (and what the template and export write).
SERVICE_NAMES = {
    "休息": Service.REST,
    "歇脚": Service.REST,
    "歇脚休息": Service.REST,
    "充电": Service.CHARGING,
    "手机充电": Service.CHARGING,
    "医药箱": Service.FIRST_AID,
    "应急药箱": Service.FIRST_AID,
    "急救": Service.FIRST_AID,
    "饮水": Service.WATER,
    "喝水": Service.WATER,
    "学习": Service.STUDY,
    "阅读": Service.STUDY,
    "学习交流": Service.STUDY,
    "热饭": Service.FOOD_HEATING,
    "加热": Service.FOOD_HEATING,
    "微波炉": Service.FOOD_HEATING,
    "如厕": Service.TOILET,
    "厕所": Service.TOILET,
    "卫生间": Service.TOILET,
    "电动车充电": Service.EBIKE_CHARGING,
    "换电": Service.EBIKE_CHARGING,
    "无线网络": Service.WIFI,
    "WIFI": Service.WIFI,
    "维修": Service.REPAIR,
    "维修工具": Service.REPAIR,
    "雨具": Service.UMBRELLA,
    "借伞": Service.UMBRELLA,
    "洗浴": Service.SHOWER,
    "淋浴": Service.SHOWER,
    "洗衣": Service.LAUNDRY,
    "停车": Service.PARKING,
    "法律咨询": Service.LEGAL_AID,
    "健康检测": Service.HEALTH_CHECK,
    "体检": Service.HEALTH_CHECK,
}
SERVICE_CHINESE = {
    Service.REST: "休息",
    Service.CHARGING: "充电",
    Service.FIRST_AID: "医药箱",
    Service.WATER: "饮水",
    Service.STUDY: "学习交流",
    Service.FOOD_HEATING: "热饭",
    Service.TOILET: "如厕",
    Service.EBIKE_CHARGING: "电动车充电",
    Service.WIFI: "无线网络",
    Service.REPAIR: "维修工具",
    Service.UMBRELLA: "雨具",
    Service.SHOWER: "洗浴",
    Service.LAUNDRY: "洗衣",
    Service.PARKING: "停车",
    Service.LEGAL_AID: "法律咨询",
    Service.HEALTH_CHECK: "健康检测",
}


def services_mask(services: Iterable[str]) -> int:
    mask = 0
    for service in services:
        mask |= SERVICE_BITS[Service(service)]
    return mask


def services_of(mask: int) -> list[Service]:
    return [service for service, bit in SERVICE_BITS.items() if mask & bit]


def checkin_secret_new() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 random bits


class Place(models.Model):
    """What stations and merchants share: a name, a place on the map and the union responsible."""

    name = models.CharField(_("name"), max_length=128)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    organization = models.ForeignKey(
        UnionOrganization, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible union")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Station(Place):
    """A service station (驿站): where workers rest, drink, charge and heat food."""

    code = models.CharField(max_length=16, unique=True, editable=False, help_text="in the station's public address")
    # Only in the QR code printed at the station (never published), so checking in takes being there.
    checkin_secret = models.CharField(max_length=32, unique=True, default=checkin_secret_new, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=StationKind.choices)
    host = models.CharField(
        _("host"), max_length=128, blank=True, help_text=_("e.g. a bank branch, mall, community centre")
    )
    hours_text = models.CharField(_("opening hours"), max_length=64, blank=True)
    all_day = models.BooleanField(_("open 24 hours"), default=False)
    hours_ranges = models.JSONField(default=list, blank=True)
    services = models.BigIntegerField(_("services"), default=0, help_text="a mask of SERVICE_BITS")
    stars = models.PositiveSmallIntegerField(_("star rating"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=StationStatus.choices, default=StationStatus.OPEN)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="station_unique_name_in_region"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5) | models.Q(stars__isnull=True), name="station_stars_1_5"
            ),
            models.CheckConstraint(
                condition=models.Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180), name="station_coordinates"
            ),
        ]

    @property
    def hours(self) -> OpeningHours:
        return hours_from_stored(self.hours_text, self.all_day, self.hours_ranges)

    @property
    def service_list(self) -> list[Service]:
        return services_of(self.services)


class StationPhoto(models.Model):
    """A photo of a station, re-encoded without EXIF (no location or camera data leaves the server)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    data = models.BinaryField()
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.station_id}/{self.pk}"


class VisitSource(models.TextChoices):
    QR = "qr", _("Member checked in by QR")
    STAFF = "staff", _("Recorded by staff")


class StationVisit(AppendOnlyModel):
    """Person-times at a station: a member's QR check-in (one per day), or a count staff record."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="visits")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    people = models.PositiveIntegerField(_("person-times"), default=1)
    visited_on = models.DateField(_("date"), db_index=True)
    source = models.CharField(max_length=8, choices=VisitSource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "person", "visited_on"],
                condition=models.Q(person__isnull=False),
                name="station_visit_one_checkin_a_day",
            ),
            models.CheckConstraint(condition=models.Q(people__gte=1), name="station_visit_people_positive"),
        ]


class Merchant(Place):
    """A partner merchant (暖心商户) giving members discounts."""

    code = models.CharField(max_length=16, unique=True, editable=False)
    category = models.CharField(_("category"), max_length=32, blank=True, help_text=_("e.g. 餐饮, 车辆维修, 超市"))
    is_active = models.BooleanField(_("active"), default=True)
    # The merchant's counter link (/m/desk/<secret>/) lets its phone log redemptions; a new secret ends the old link.
    desk_secret = models.CharField(max_length=43, unique=True, editable=False)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("partner merchant")
        verbose_name_plural = _("partner merchants")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="merchant_unique_name_in_region"),
        ]


class Offer(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="offers")
    title = models.CharField(_("offer"), max_length=128, help_text=_("e.g. 会员就餐九折"))
    description = models.TextField(_("details"), blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["merchant_id", "-is_active", "title"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return self.title

    def is_current(self, day: date) -> bool:
        """Active, and the day lies within its dates (either end may be open)."""
        return (
            self.is_active
            and (self.starts_on is None or self.starts_on <= day)
            and (self.ends_on is None or self.ends_on >= day)
        )


class Redemption(AppendOnlyModel):
    """A member's discount taken at a merchant, after the card was verified there."""

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="redemptions")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="redemptions")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    union = models.ForeignKey(UnionOrganization, on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class Hotspot(models.Model):
    """A place where workers gather or wait (a business district, a logistics park), weighted by workers."""

    organization = models.ForeignKey(UnionOrganization, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=128)
    lat = models.FloatField(_("latitude (WGS-84)"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    weight = models.PositiveIntegerField(_("workers"), default=1)
    source = models.CharField(_("source"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("demand hotspot")
        verbose_name_plural = _("demand hotspots")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="hotspot_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name


class RegionPoint(models.Model):
    """Where a region's demand sits on the map when the people in it have no coordinates of their own.

    Members and reconciled workers are counted by work region and placed at the region's point (or its
    nearest ancestor's) to plan the 15-minute circle; staff set the points, or the demo does.
    """

    region = models.OneToOneField(
        Region, primary_key=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("region")
    )
    lat = models.FloatField(_("latitude (WGS-84)"))
    lng = models.FloatField(_("longitude (WGS-84)"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region_id"]
        verbose_name = _("region point")
        verbose_name_plural = _("region points")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="region_point_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} ({self.lat:.5f}, {self.lng:.5f})"
