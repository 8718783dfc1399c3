"""Checking a station (or merchant or hotspot) as entered: in a form, an import row or the demo.

Every check answers per column with a clear message, so an import can report each bad cell by row
and column; nothing here touches the database except the region lookup done by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gigunion.stations.geo import CRS_ALIASES, Crs, in_china, to_wgs84
from gigunion.stations.hours import HoursError, OpeningHours, parse_hours
from gigunion.stations.models import (
    SERVICE_CHINESE,
    SERVICE_NAMES,
    STATION_KIND_NAMES,
    Service,
    StationKind,
    services_mask,
)

_LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTACT_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")
_SERVICE_LOOKUP: dict[str, Service] = {
    **{name.upper(): service for name, service in SERVICE_NAMES.items()},
    **{service.value.upper(): service for service in Service},
}


@dataclass
class Checked:
    """The parsed values of the columns that were fine, and a message for each column that was not."""

    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # column key -> message

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_crs(text: str) -> Crs:
    crs = CRS_ALIASES.get(text.strip().upper().replace(" ", ""))
    if crs is None:
        crs = CRS_ALIASES.get(text.strip())
    if crs is None:
        raise ValueError(_("Unknown coordinate system “%(value)s”: use WGS84, GCJ02 or BD09.") % {"value": text[:20]})
    return crs


def check_coordinates(lat_text: str, lng_text: str, crs_text: str, checked: Checked) -> None:
    """Parse latitude and longitude in a coordinate system, reject what lies outside China (saying so when
    the two look swapped), and store WGS-84 values as `lat` and `lng`."""
    numbers: dict[str, float] = {}
    for key, text in (("lat", lat_text), ("lng", lng_text)):
        try:
            numbers[key] = float(text.strip().replace("，", "."))
        except ValueError:
            checked.errors[key] = (
                _("“%(value)s” is not a number of degrees.") % {"value": text[:20]}
                if text.strip()
                else _("This is required.")
            )
    try:
        crs = parse_crs(crs_text)
    except ValueError as error:
        checked.errors["crs"] = str(error)
        return
    if "lat" not in numbers or "lng" not in numbers:
        return
    lat, lng = numbers["lat"], numbers["lng"]
    if not in_china(lat, lng):
        if in_china(lng, lat):
            checked.errors["lat"] = _(
                "Latitude %(lat)s and longitude %(lng)s look swapped: in China latitude is 4–54 and longitude 73–135."
            ) % {"lat": lat_text.strip(), "lng": lng_text.strip()}
        else:
            checked.errors["lat"] = _("The place (%(lat)s, %(lng)s) is outside China.") % {
                "lat": lat_text.strip(),
                "lng": lng_text.strip(),
            }
        return
    wlat, wlng = to_wgs84(lat, lng, crs)
    checked.values["lat"], checked.values["lng"] = round(wlat, 7), round(wlng, 7)


def parse_kind(text: str) -> StationKind:
    value = text.strip()
    if value in STATION_KIND_NAMES:
        return STATION_KIND_NAMES[value]
    if value in StationKind.values:
        return StationKind(value)
    raise ValueError(
        _("Unknown kind “%(value)s”: use one of %(kinds)s.")
        % {"value": value[:20], "kinds": "、".join(STATION_KIND_NAMES)}
    )


def parse_services(text: str) -> int:
    """A services list (`休息、充电、热饭`) as a mask; every unknown name is reported at once."""
    services: list[Service] = []
    unknown: list[str] = []
    for part in _LIST_SEPARATORS.split(text.strip()):
        if not part:
            continue
        service = _SERVICE_LOOKUP.get(part.upper())
        if service is None:
            unknown.append(part)
        else:
            services.append(service)
    if unknown:
        raise ValueError(
            _("Unknown services: %(names)s. Known: %(known)s.")
            % {"names": "、".join(unknown[:5]), "known": "、".join(SERVICE_CHINESE.values())}
        )
    return services_mask(services)


def parse_stars(text: str) -> int | None:
    value = text.strip().replace("星", "").replace("★", "")
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 5:
        raise ValueError(_("The star rating is a whole number from 1 to 5."))
    return int(value)


def parse_contact_phone(text: str) -> str:
    value = text.strip()
    if value and not _CONTACT_PHONE.match(value):
        raise ValueError(_("“%(value)s” is not a phone number.") % {"value": value[:20]})
    return value


def check_station(row: dict[str, str]) -> Checked:
    """Check a station given as texts keyed by the import format's column keys (FORMATS.md)."""
    checked = Checked()
    name = " ".join(_CONTROL.sub(" ", row.get("name", "")).split())  # one line: it names files and headers
    if not name:
        checked.errors["name"] = _("This is required.")
    elif len(name) > 128:
        checked.errors["name"] = _("At most 128 characters.")
    else:
        checked.values["name"] = name
    parsers = {
        "kind": parse_kind,
        "services": parse_services,
        "stars": parse_stars,
        "contact_phone": parse_contact_phone,
    }
    for key, parse in parsers.items():
        text = row.get(key, "")
        if key == "kind" and not text.strip():
            checked.errors[key] = _("This is required.")
            continue
        try:
            checked.values[key] = parse(text)
        except ValueError as error:
            checked.errors[key] = str(error)
    try:
        hours: OpeningHours = parse_hours(row.get("hours", ""))
        checked.values["hours"] = hours
    except HoursError as error:
        checked.errors["hours"] = str(error)
    check_coordinates(row.get("lat", ""), row.get("lng", ""), row.get("crs", ""), checked)
    region = row.get("region", "").strip()
    if not region:
        checked.errors["region"] = _("This is required.")
    else:
        checked.values["region"] = region
    for key, limit in (("address", 200), ("host", 128), ("contact_name", 64)):
        text = row.get(key, "").strip()
        if len(text) > limit:
            checked.errors[key] = _("At most %(count)d characters.") % {"count": limit}
        else:
            checked.values[key] = text
    return checked
