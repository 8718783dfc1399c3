"""Stations and partner merchants for workers (/m/): the nearest open stations and merchants (a page and two
public JSON endpoints), a station's page with a link that opens the phone's map app, the check-in behind a
station's QR code, and the merchant's counter, which takes a verified member card's discount and logs it.

The nearby endpoints are public and cacheable: they neither read nor refresh the session (with
SESSION_SAVE_EVERY_REQUEST a worker's session would otherwise be written on every call) and answer from the
spatial index in two queries, the ids nearest first and then their rows.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigunion.core import ratelimit
from gigunion.core.exceptions import DomainError
from gigunion.core.masking import mask_name
from gigunion.mobile.worker import client_ip, current_worker
from gigunion.stations.checks import Checked, check_coordinates, parse_crs, parse_services
from gigunion.stations.geo import distance_m, to_wgs84, wgs84_to_gcj02
from gigunion.stations.models import CORE_SERVICES, Merchant, Service, Station, StationStatus, services_of
from gigunion.stations.selectors import (
    MAX_NEARBY,
    CountyCentre,
    NearbyMerchant,
    NearbyStation,
    checkin_today,
    merchant_active,
    nearby_merchants,
    nearby_stations,
    redemptions_today,
    redemptions_today_count,
    station_by_checkin_secret,
    station_by_code,
    station_county_centres,
    station_photo_infos,
    station_photo_public,
)
from gigunion.stations.services import merchant_for_desk, offers_current, redemption_record
from gigunion.stations.services import station_checkin as checkin_record

# The nearby endpoints per address: generous, since many riders share one carrier address (CGNAT), but a
# flood from one address is cut off. A merchant's counter takes a discount a few times a minute at most.
NEARBY_PER_IP = ratelimit.Limit(count=3000, seconds=600)
REDEEM_PER_IP = ratelimit.Limit(count=120, seconds=600)
NEARBY_MAX_AGE = 60  # seconds: "open now" and the list stay true that long
PHOTO_MAX_AGE = 3600  # seconds: a deleted photo, or a closed station's, is gone from caches within the hour
DEFAULT_LIMIT = 10
PAGE_LIMIT = 20
PAGE_MERCHANTS = 10
COUNTIES_CACHE_KEY = "mobile:station-counties"
COUNTIES_SECONDS = 600
CHINA_CENTRE = (34.3, 108.9)  # where the map starts when no district has an open station yet

# The filter chips of the list: services, then the 24-hour chip.
FILTER_SERVICES = [
    (Service.CHARGING, gettext_lazy("Charging")),
    (Service.TOILET, gettext_lazy("Toilet")),
    (Service.FOOD_HEATING, gettext_lazy("Food heating")),
]
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"", "0", "false", "no", "off"}

DESK_KEY = "mobile_desk"  # {"merchant": pk, "secret": sha256 of the link's secret}
DESK_DONE_KEY = "mobile_desk_done"  # the last discount taken, shown once on the counter page


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    return response


def _notice(
    request: HttpRequest, *, heading: str, text: str, link_url: str = "", link_text: str = "", status: int = 200
) -> HttpResponse:
    context = {"heading": heading, "text": text, "link_url": link_url, "link_text": link_text}
    return _no_store(render(request, "mobile/notice.html", context, status=status))


def _sessionless(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public answer that leaves the session alone: not loaded, not saved, no cookie set."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        # SessionMiddleware saves every non-empty session on every request (SESSION_SAVE_EVERY_REQUEST): a
        # database write and a Set-Cookie per call, which would also make the answer uncacheable.
        if hasattr(request, "session"):
            del request.session
        return response

    return wrapper


# ---------------------------------------------------------------------------------------------
# Reading a place and filters from the query string
# ---------------------------------------------------------------------------------------------


class BadInput(ValueError):
    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message


@dataclass(frozen=True)
class NearbyQuery:
    lat: float  # WGS-84
    lng: float
    limit: int
    services: list[Service]
    all_day: bool


def _degrees(text: str) -> float:
    return float(text.replace("，", "."))


def _is_number(text: str) -> bool:
    try:
        _degrees(text)
    except ValueError:
        return False
    return True


def read_point(params: Mapping[str, str]) -> tuple[float, float]:
    """The place in ?lat=&lng= (and &crs=GCJ02 or BD09 when the phone's SDK gives those), as WGS-84."""
    lat_text, lng_text = params.get("lat", "").strip()[:40], params.get("lng", "").strip()[:40]
    if not lat_text or not lng_text:
        raise BadInput(
            "missing_parameter",
            "lng" if lat_text else "lat",
            _("Give the place as lat and lng in degrees, e.g. lat=26.58&lng=106.71."),
        )
    crs_text = params.get("crs", "")[:20]
    checked = Checked()  # the import's checks, so the messages are the same as there
    check_coordinates(lat_text, lng_text, crs_text, checked)
    if checked.errors:
        # Numbers that check_coordinates refuses lie outside China (perhaps swapped); the message says which.
        field, message = next(iter(checked.errors.items()))
        numeric = _is_number(lat_text) and _is_number(lng_text)
        raise BadInput("outside_china" if numeric and field != "crs" else "invalid_parameter", field, message)
    # Not the values rounded for storage: distances are measured from the exact point given.
    return to_wgs84(_degrees(lat_text), _degrees(lng_text), parse_crs(crs_text))


def read_filters(params: Mapping[str, str]) -> tuple[list[Service], bool]:
    try:
        services = services_of(parse_services(params.get("services", "")[:200]))
    except ValueError as error:
        raise BadInput("invalid_parameter", "services", str(error)) from None
    all_day_text = params.get("all_day", "").strip().lower()
    if all_day_text not in TRUE_WORDS | FALSE_WORDS:
        raise BadInput("invalid_parameter", "all_day", _("all_day is 1 (open 24 hours only) or 0."))
    return services, all_day_text in TRUE_WORDS


def read_query(params: Mapping[str, str], *, default_limit: int = DEFAULT_LIMIT) -> NearbyQuery:
    lat, lng = read_point(params)
    limit_text = params.get("limit", "").strip()
    limit = default_limit
    if limit_text:
        limit = int(limit_text) if limit_text.isascii() and limit_text.isdigit() else 0
        if not 1 <= limit <= MAX_NEARBY:
            raise BadInput(
                "invalid_parameter",
                "limit",
                _("limit is a whole number from 1 to %(max)d.") % {"max": MAX_NEARBY},
            )
    services, all_day = read_filters(params)
    return NearbyQuery(lat=lat, lng=lng, limit=limit, services=services, all_day=all_day)


# ---------------------------------------------------------------------------------------------
# How a station reads in a list: distance, open now, services
# ---------------------------------------------------------------------------------------------


def distance_text(metres: float) -> str:
    """350 m, 1.2 km, 36 km: metres to the ten below a kilometre, then kilometres (nearby.js says the same)."""
    tens = max(10, math.floor(metres / 10 + 0.5) * 10)
    if tens < 1000:
        return _("%(metres)s m") % {"metres": tens}
    km = metres / 1000
    return _("%(km)s km") % {"km": f"{km:.1f}" if km < 99.95 else f"{km:.0f}"}


def opening(station: Station, open_now: bool) -> tuple[str, str]:
    """The station's state at this hour as a key (for styling) and a label."""
    if station.all_day:
        key = "all_day"
    elif not station.hours_text:
        key = "unknown"
    else:
        key = "open" if open_now else "closed"
    return key, opening_labels()[key]


def opening_labels() -> dict[str, str]:
    return {
        "all_day": _("Open 24 hours"),
        "unknown": _("Hours not given"),
        "open": _("Open now"),
        "closed": _("Closed now"),
    }


def _point_query(lat: float, lng: float) -> str:
    return urlencode({"lat": f"{lat:.6f}", "lng": f"{lng:.6f}"})


@dataclass(frozen=True)
class StationRow:
    station: Station
    distance: str
    state: str
    state_label: str
    services: list[str]
    url: str


def _station_row(near: NearbyStation, point: tuple[float, float]) -> StationRow:
    state, label = opening(near.station, near.open_now)
    url = reverse("mobile:station_detail", args=[near.station.code])
    return StationRow(
        station=near.station,
        distance=distance_text(near.distance_m),
        state=state,
        state_label=label,
        services=[str(service.label) for service in near.station.service_list],
        url=f"{url}?{_point_query(*point)}",
    )


# ---------------------------------------------------------------------------------------------
# The public JSON endpoints
# ---------------------------------------------------------------------------------------------


def _json(data: dict[str, Any], *, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


def _json_error(status: int, code: str, message: str, field: str = "") -> JsonResponse:
    """The one error shape of the JSON answers, as the platform API's: {"error": {"code", "message", "details"}}."""
    details = [{"field": field, "message": message}] if field else []
    response = _json({"error": {"code": code, "message": message, "details": details}}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _nearby_answer(request: HttpRequest, build: Callable[[NearbyQuery], dict[str, Any]]) -> JsonResponse:
    if not ratelimit.hit("mobile-nearby-ip", client_ip(request) or "-", NEARBY_PER_IP):
        response = _json_error(429, "rate_limited", _("Too many requests from this network; wait a few minutes."))
        response["Retry-After"] = str(NEARBY_PER_IP.seconds)
        return response
    try:
        query = read_query(request.GET)
    except BadInput as error:
        return _json_error(400, error.code, error.message, error.field)
    response = _json(build(query))
    response["Cache-Control"] = f"public, max-age={NEARBY_MAX_AGE}"
    patch_vary_headers(response, ["Cookie"])  # the labels follow the language chosen (a cookie)
    return response


@_sessionless
@require_GET
def stations_nearby_api(request: HttpRequest) -> JsonResponse:
    """Open stations nearest first: ?lat=&lng=[&limit=10][&services=charging,toilet][&all_day=1][&crs=GCJ02]."""

    def build(query: NearbyQuery) -> dict[str, Any]:
        found = nearby_stations(
            lat=query.lat,
            lng=query.lng,
            limit=query.limit,
            services=[service.value for service in query.services],
            all_day=query.all_day,
        )
        return {
            "point": {"lat": round(query.lat, 7), "lng": round(query.lng, 7)},
            "stations": [_station_json(near) for near in found],
        }

    return _nearby_answer(request, build)


def _station_json(near: NearbyStation) -> dict[str, Any]:
    """A station as the endpoint and the page's script see it: its public code, never its check-in secret."""
    return {
        "id": near.station.pk,
        "code": near.station.code,
        "name": near.station.name,
        "kind": near.station.kind,
        "kind_label": near.station.get_kind_display(),
        "distance_m": round(near.distance_m),
        "lat": near.station.lat,
        "lng": near.station.lng,
        "services": [service.value for service in near.station.service_list],
        "open_now": near.open_now,
        "all_day": near.station.all_day,
        "hours": near.station.hours_text,
        "url": reverse("mobile:station_detail", args=[near.station.code]),
    }


@_sessionless
@require_GET
def merchants_nearby_api(request: HttpRequest) -> JsonResponse:
    """Active partner merchants nearest first with their current offers: ?lat=&lng=[&limit=10][&crs=GCJ02]."""

    def build(query: NearbyQuery) -> dict[str, Any]:
        found = nearby_merchants(lat=query.lat, lng=query.lng, limit=query.limit)
        return {
            "point": {"lat": round(query.lat, 7), "lng": round(query.lng, 7)},
            "merchants": [_merchant_json(near) for near in found],
        }

    return _nearby_answer(request, build)


def _merchant_json(near: NearbyMerchant) -> dict[str, Any]:
    return {
        "id": near.merchant.pk,
        "code": near.merchant.code,
        "name": near.merchant.name,
        "category": near.merchant.category,
        "address": near.merchant.address,
        "distance_m": round(near.distance_m),
        "lat": near.merchant.lat,
        "lng": near.merchant.lng,
        "offers": [offer.title for offer in near.offers],
    }


# ---------------------------------------------------------------------------------------------
# The nearby page: a list that works without JavaScript, a map and the merchants with it
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chip:
    code: str
    label: str
    active: bool
    href: str


def _chips(point: tuple[float, float] | None, services: list[Service], all_day: bool) -> list[Chip]:
    """The filter chips, each a link to the list with its filter switched (the script takes over the clicks)."""

    def href(chosen: list[Service], day: bool) -> str:
        params: dict[str, str] = {}
        if point is not None:
            params.update(lat=f"{point[0]:.6f}", lng=f"{point[1]:.6f}")
        if chosen:
            params["services"] = ",".join(service.value for service in chosen)
        if day:
            params["all_day"] = "1"
        return f"?{urlencode(params, safe=',')}" if params else "?"

    chips = []
    for service, label in FILTER_SERVICES:
        active = service in services
        chosen = [s for s in services if s != service] if active else [*services, service]
        chips.append(Chip(service.value, str(label), active, href(chosen, all_day)))
    chips.append(Chip("all_day", _("24 hours"), all_day, href(services, not all_day)))
    return chips


def _page_config(
    point: tuple[float, float] | None,
    centre: tuple[float, float],
    services: list[Service],
    all_day: bool,
    found: tuple[list[NearbyStation], list[NearbyMerchant]] = ([], []),
) -> dict[str, Any]:
    """What the page's script needs, passed with json_script (no inline scripts): with a place chosen here
    (?lat=&lng=, a district, the back link of a station's page) also the stations and merchants listed, as
    the endpoints give them, so the map shows them without asking again."""
    return {
        "point": {"lat": point[0], "lng": point[1]} if point is not None else None,
        "stations": [_station_json(near) for near in found[0]],
        "merchants": [_merchant_json(near) for near in found[1]],
        "centre": {"lat": centre[0], "lng": centre[1]},  # where the map starts before a place is chosen
        "services": [service.value for service in services],
        "all_day": all_day,
        "stations_api": reverse("mobile:stations_nearby_api"),
        "merchants_api": reverse("mobile:merchants_nearby_api"),
        "limit": PAGE_LIMIT,
        "merchant_limit": PAGE_MERCHANTS,
        "leaflet_js": static("vendor/leaflet/leaflet.js"),
        "leaflet_css": static("vendor/leaflet/leaflet.css"),
        "tile_url": getattr(settings, "MAP_TILE_URL", ""),
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        "service_labels": {service.value: str(service.label) for service in Service},
        "opening": opening_labels(),
        "text": {
            "m": _("%(metres)s m"),
            "km": _("%(km)s km"),
            "locating": _("Finding where you are…"),
            "denied": _(
                "This page may not use your location. Allow it in the browser's settings, "
                "or choose your district below."
            ),
            "unavailable": _("Your location could not be found. Try again, or choose your district below."),
            "unsupported": _("This browser cannot give your location. Choose your district below."),
            "failed": _("The list could not be loaded. Check the network and try again."),
            "none": _("No open station matches near here. Try fewer filters."),
            "no_merchants": _("No partner merchant near here yet."),
            "here": _("You are here"),
            "my_place": _("Your location"),
            "last_place": _("The place you used last"),
            "picked": _("The place you chose on the map"),
            "pick_hint": _("Tap the map to choose a place."),
            "open_page": _("Details and directions"),
        },
    }


def _counties() -> list[CountyCentre]:
    """The districts with open stations, for the no-location fallback: a scan of every station, so kept a while."""
    return cast(list[CountyCentre], cache.get_or_set(COUNTIES_CACHE_KEY, station_county_centres, COUNTIES_SECONDS))


def _county_point(code: str) -> tuple[float, float] | None:
    for centre in _counties():
        if centre.code == code:
            return centre.lat, centre.lng
    return None


@require_GET
def station_list(request: HttpRequest) -> HttpResponse:
    """Stations near a place, nearest first: the place from ?lat=&lng= (the script fills them in from the
    phone's location, a tap on the map or the last place used) or the centre of a chosen district."""
    params = request.GET
    problems: list[str] = []
    point: tuple[float, float] | None = None
    services: list[Service] = []
    all_day = False
    place_label = ""
    status = 200
    try:
        services, all_day = read_filters(params)
        if params.get("lat", "").strip() or params.get("lng", "").strip():
            point = read_point(params)
        elif params.get("county", "").strip():
            point = _county_point(params["county"].strip()[:6])
            if point is None:
                raise BadInput("invalid_parameter", "county", _("No open station in this district yet."))
    except BadInput as error:
        problems.append(error.message)
        status = 400
    counties = _counties()
    county = params.get("county", "").strip()[:6]
    if point is not None and county:
        place_label = next((centre.name for centre in counties if centre.code == county), "")
    rows: list[StationRow] = []
    found: list[NearbyStation] = []
    merchants: list[NearbyMerchant] = []
    if point is not None:
        found = nearby_stations(
            lat=point[0],
            lng=point[1],
            limit=PAGE_LIMIT,
            services=[service.value for service in services],
            all_day=all_day,
        )
        rows = [_station_row(near, point) for near in found]
        merchants = nearby_merchants(lat=point[0], lng=point[1], limit=PAGE_MERCHANTS)
    context = {
        "problems": problems,
        "point": point,
        "place_label": place_label,
        "rows": rows,
        "merchants": [(near, distance_text(near.distance_m)) for near in merchants],
        "chips": _chips(point, services, all_day),
        "services_param": ",".join(service.value for service in services),
        "all_day": all_day,
        "counties": counties,
        "county": county,
        "config": _page_config(
            point,
            (counties[0].lat, counties[0].lng) if counties else CHINA_CENTRE,
            services,
            all_day,
            (found, merchants),
        ),
    }
    return render(request, "mobile/nearby.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# A station's page and its photos
# ---------------------------------------------------------------------------------------------


def amap_url(station: Station) -> str:
    """高德's marker page, which opens the 高德 app when it is installed: GCJ-02, longitude first."""
    lat, lng = wgs84_to_gcj02(station.lat, station.lng)
    name = quote(station.name, safe="")
    return (
        f"https://uri.amap.com/marker?position={lng:.6f},{lat:.6f}&name={name}"
        "&src=gigunion&coordinate=gaode&callnative=1"
    )


def geo_url(station: Station) -> str:
    """A geo: link (RFC 5870, WGS-84), which Android offers to every map app installed."""
    lat, lng = f"{station.lat:.6f}", f"{station.lng:.6f}"
    return f"geo:{lat},{lng}?q={lat},{lng}({quote(station.name, safe='')})"


def _stars(count: int | None) -> str:
    return "★" * count + "☆" * (5 - count) if count else ""


@require_GET
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    station = station_by_code(code)
    if station is None:
        return _notice(
            request,
            heading=_("Station not found"),
            text=_("There is no station at this address. Look for stations near you."),
            link_url=reverse("mobile:stations"),
            link_text=_("Stations near me"),
            status=404,
        )
    distance = ""
    back_url = reverse("mobile:stations")
    if request.GET.get("lat") and request.GET.get("lng"):
        try:
            lat, lng = read_point(request.GET)
        except BadInput:
            pass  # a bad place only loses the distance
        else:
            distance = distance_text(distance_m(lat, lng, station.lat, station.lng))
            back_url = f"{back_url}?{_point_query(lat, lng)}"
    is_open = station.status == StationStatus.OPEN
    state, state_label = opening(station, station.hours.is_open_at(timezone.localtime()))
    offered = set(station.service_list)
    context = {
        "station": station,
        "is_open": is_open,
        "state": state,
        "state_label": state_label,
        "core_services": [(service.label, service in offered) for service in CORE_SERVICES],
        "extra_services": [service.label for service in station.service_list if service not in CORE_SERVICES],
        "stars": _stars(station.stars),
        "distance": distance,
        "photos": station_photo_infos(station) if is_open else [],
        "amap_url": amap_url(station),
        "geo_url": geo_url(station),
        "back_url": back_url,
    }
    return render(request, "mobile/station_detail.html", context, status=200)


@_sessionless
@require_GET
def station_photo(request: HttpRequest, code: str, photo_id: int) -> HttpResponse:
    photo = station_photo_public(code, photo_id)
    if photo is None:
        response = HttpResponse(status=404, content_type="text/plain")
        response["Cache-Control"] = "no-store"
        return response
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    response["Cache-Control"] = f"public, max-age={PHOTO_MAX_AGE}"
    return response


# ---------------------------------------------------------------------------------------------
# Checking in at a station (its QR code)
# ---------------------------------------------------------------------------------------------


def _login_url(next_path: str) -> str:
    return f"{reverse('mobile:login')}?{urlencode({'next': next_path})}"


@never_cache
@require_http_methods(["GET", "POST"])
def station_checkin(request: HttpRequest, secret: str) -> HttpResponse:
    """The target of a station's QR code: the station, and a check-in button for a logged-in worker (one
    person-time a day, however often they scan). The address carries the station's check-in secret, printed
    only in the QR code at the station, so checking in takes being there; the public code is not enough."""
    station = station_by_checkin_secret(secret)
    if station is None:
        return _notice(
            request,
            heading=_("QR code not found"),
            text=_("This QR code does not belong to any station. Look for stations near you."),
            link_url=reverse("mobile:stations"),
            link_text=_("Stations near me"),
            status=404,
        )
    here = reverse("mobile:station_checkin", kwargs={"secret": station.checkin_secret})
    person = current_worker(request)
    if request.method == "POST" and person is None:
        return redirect(_login_url(here))
    outcome = ""  # "done": checked in now; "already": earlier today
    problems: list[str] = []
    status = 200
    if request.method == "POST" and person is not None:
        try:
            checkin = checkin_record(station=station, person=person)
        except DomainError as error:
            problems.append(error.message)
            status = 400
        else:
            outcome = "done" if checkin.first_today else "already"
    elif person is not None and checkin_today(station, person) is not None:
        outcome = "already"
    context = {
        "station": station,
        "is_open": station.status == StationStatus.OPEN,
        "person": person,
        "outcome": outcome,
        "problems": problems,
        "checkin_url": here,
        "login_url": _login_url(here),
    }
    return _no_store(render(request, "mobile/station_checkin.html", context, status=status))


# ---------------------------------------------------------------------------------------------
# The merchant's counter: its link stores the merchant in the phone's session
# ---------------------------------------------------------------------------------------------


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def desk_merchant(request: HttpRequest) -> Merchant | None:
    """The merchant whose counter this phone is; None when it is none, or its link was replaced or the
    merchant deactivated since (the session then forgets the counter)."""
    stored = request.session.get(DESK_KEY)
    if not isinstance(stored, dict):
        return None
    merchant_id, secret_hash = stored.get("merchant"), stored.get("secret")
    merchant = merchant_active(merchant_id) if isinstance(merchant_id, int) else None
    valid = (
        merchant is not None
        and isinstance(secret_hash, str)
        and hmac.compare_digest(_secret_hash(merchant.desk_secret), secret_hash)
    )
    if not valid:
        request.session.pop(DESK_KEY, None)
        return None
    return merchant


def desk_offers(request: HttpRequest) -> tuple[Merchant | None, list[Any]]:
    """For the card check page: the counter's merchant and its current offers (none without a counter)."""
    merchant = desk_merchant(request)
    return merchant, offers_current(merchant) if merchant is not None else []


def _desk_gone(request: HttpRequest) -> HttpResponse:
    request.session.pop(DESK_KEY, None)
    request.session.pop(DESK_DONE_KEY, None)
    return _notice(
        request,
        heading=_("Counter link not valid"),
        text=_("This counter link is not in use. Ask the union for the merchant's current link."),
        status=404,
    )


def _desk_page(request: HttpRequest, merchant: Merchant) -> HttpResponse:
    done = request.session.pop(DESK_DONE_KEY, None)
    context = {
        "merchant": merchant,
        "offers": offers_current(merchant),
        "done": done if isinstance(done, dict) else None,
        "redemptions": [
            (timezone.localtime(item.created_at), mask_name(item.person.name), item.offer.title)
            for item in redemptions_today(merchant)
        ],
        "redemptions_count": redemptions_today_count(merchant),  # all of today's, though the list stops at 200
    }
    return _no_store(render(request, "mobile/desk.html", context))


def _desk_bind(request: HttpRequest, merchant: Merchant) -> None:
    stored = request.session.get(DESK_KEY)
    if not isinstance(stored, dict) or stored.get("merchant") != merchant.pk:
        request.session.cycle_key()  # a new counter on this phone: a new session key
        request.session.pop(DESK_DONE_KEY, None)  # the last discount was another counter's
    request.session[DESK_KEY] = {"merchant": merchant.pk, "secret": _secret_hash(merchant.desk_secret)}


@never_cache
@require_http_methods(["GET", "POST"])
def merchant_desk(request: HttpRequest, secret: str) -> HttpResponse:
    """The merchant's counter link, opened on the merchant's phone: from now on this phone takes discounts.
    When the phone is already another merchant's counter, a link opened (perhaps one sent to it) does not
    replace that counter by itself: the page asks first, and only its button (a POST) switches."""
    merchant = merchant_for_desk(secret)
    if merchant is None:
        return _desk_gone(request)
    if request.method == "POST":
        _desk_bind(request, merchant)
        return redirect("mobile:desk")
    current = desk_merchant(request)
    if current is not None and current.pk != merchant.pk:
        context = {
            "merchant": current,
            "switch_to": merchant,
            "switch_url": reverse("mobile:merchant_desk", args=[merchant.desk_secret]),
        }
        return _no_store(render(request, "mobile/desk.html", context))
    _desk_bind(request, merchant)
    return _desk_page(request, merchant)


@never_cache
@require_http_methods(["GET", "POST"])
def desk_home(request: HttpRequest) -> HttpResponse:
    """The counter page of this phone's merchant (after a discount was taken); POST action=leave ends it."""
    if request.method == "POST":
        request.session.pop(DESK_KEY, None)
        request.session.pop(DESK_DONE_KEY, None)
        return redirect("mobile:home")
    merchant = desk_merchant(request)
    if merchant is None:
        return _desk_gone(request)
    return _desk_page(request, merchant)


@never_cache
@require_POST
def desk_redeem(request: HttpRequest, token: str) -> HttpResponse:
    """The counter takes an offer for the member whose card was just checked (the same card token)."""
    merchant = desk_merchant(request)
    if merchant is None:
        return _desk_gone(request)
    if not ratelimit.hit("mobile-redeem-ip", client_ip(request) or "-", REDEEM_PER_IP):
        return _notice(
            request,
            heading=_("Too many checks"),
            text=_("Too many cards were checked from this network; try again in ten minutes."),
            status=429,
        )
    offer_text = request.POST.get("offer", "").strip()
    back = reverse("mobile:desk")
    if not offer_text.isascii() or not offer_text.isdigit() or len(offer_text) > 12:
        return _notice(
            request,
            heading=_("Choose an offer"),
            text=_("Choose the offer the member takes."),
            link_url=back,
            link_text=_("Back to the counter"),
            status=400,
        )
    try:
        outcome = redemption_record(
            merchant=merchant, offer_id=int(offer_text), token=token[:200], ip_address=client_ip(request)
        )
    except DomainError as error:
        return _notice(
            request,
            heading=_("Not redeemed"),
            text=error.message,
            link_url=back,
            link_text=_("Back to the counter"),
            status=400,
        )
    if outcome.redemption is None:
        context = {"check": outcome, "valid": False, "desk_back": back}
        return _no_store(render(request, "mobile/verify.html", context, status=400))
    request.session[DESK_DONE_KEY] = {
        "offer": outcome.redemption.offer.title,
        "name": outcome.name_masked,
        "union": outcome.union_name,
    }
    return redirect("mobile:desk")
