"""Back office: service stations (驿站).

The list filters, pages, maps and exports the stations of the jurisdiction and sums their usage by
child region; a station's page shows everything about it, changes its status, keeps its photos (EXIF
stripped), prints its check-in QR code and records the person-times staff counted. Everything goes
through stations.access: another district's station answers 404, a viewer's change 403.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.core.images import MAX_UPLOAD_BYTES as MAX_PHOTO_BYTES
from gigunion.core.tabular import export_xlsx
from gigunion.office.common import ACCESS_ERRORS, PAGE_SIZE, XLSX, dated, download, jurisdiction_context, staff_required
from gigunion.orgs import access
from gigunion.orgs.access import Jurisdiction
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_children, regions_within
from gigunion.stations import services as station_services
from gigunion.stations.access import station_for_staff, station_photo_for_staff, stations_visible_to
from gigunion.stations.checks import check_station
from gigunion.stations.geo import Crs, in_china
from gigunion.stations.imports import STATION_EXPORT_HEADERS, station_export_rows
from gigunion.stations.models import (
    CORE_SERVICES,
    SERVICE_BITS,
    Service,
    Station,
    StationKind,
    StationStatus,
    StationVisit,
    VisitSource,
)
from gigunion.stations.selectors import visits_by_station, visits_grouped

USAGE_DAYS = 30
MAP_LIMIT = 3000  # markers on the list's map; more make a cheap office PC crawl
REGION_SUGGESTIONS = 600
RECENT_STAFF_COUNTS = 10
QR_KINDS = {"png": "image/png", "svg": "image/svg+xml"}
# A photo never changes (a new one gets a new id); only staff who may see the station get it.
PHOTO_CACHE_CONTROL = "private, max-age=604800, immutable"
# Form keys whose domain errors belong next to a field.
_ERROR_FIELDS = {"region": "region", "jurisdiction": "region", "duplicate": "name"}
CRS_CHOICES = [
    (Crs.WGS84.value, gettext_lazy("WGS-84 (GPS; what the system stores)")),
    (Crs.GCJ02.value, gettext_lazy("GCJ-02 (Amap 高德, Tencent 腾讯 maps)")),
    (Crs.BD09.value, gettext_lazy("BD-09 (Baidu 百度 maps)")),
]


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _require_change(jurisdiction: Jurisdiction) -> None:
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))


def public_url(request: HttpRequest, path: str) -> str:
    """An address printed in a QR code: under the public address when one is set."""
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


# Control characters (a line break kept from an imported cell) would break the download's header.
_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\x7f"\\/]')


def checkin_url(request: HttpRequest, station: Station) -> str:
    """What the station's QR code opens: the worker's check-in page."""
    return public_url(request, reverse("mobile:station_checkin", kwargs={"secret": station.checkin_secret}))


def map_config() -> dict[str, Any]:
    """What every office map needs: the base layer (settings; empty: markers on a plain background) and
    the status names its popups show."""
    return {
        "tile_url": str(getattr(settings, "MAP_TILE_URL", "") or ""),
        "attribution": str(getattr(settings, "MAP_TILE_ATTRIBUTION", "") or ""),
        "labels": {str(value): str(label) for value, label in StationStatus.choices},
    }


def service_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The 5+X services for checkboxes: the five core ones, then the extras."""
    return [
        (str(_("Core services (the standard five)")), [(str(s.value), str(s.label)) for s in CORE_SERVICES]),
        (str(_("Extra services")), [(str(s.value), str(s.label)) for s in Service if s not in CORE_SERVICES]),
    ]


def region_suggestions(jurisdiction: Jurisdiction) -> QuerySet[Region]:
    """Division codes to pick from in a form (counties and streets of the jurisdiction)."""
    return (
        regions_within(jurisdiction.region_prefix)
        .filter(level__in=["county", "township"])
        .order_by("code")[:REGION_SUGGESTIONS]
    )


# ---------------------------------------------------------------------------------------------
# The list: filters, usage by area, map and export
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StationFilters:
    q: str
    region: Region | None
    kind: str
    status: str
    service: str
    since: date
    until: date
    period_error: str

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _filters(request: HttpRequest) -> StationFilters:
    today = timezone.localdate()
    since, until = today - timedelta(days=USAGE_DAYS - 1), today
    error = ""
    since_text, until_text = request.GET.get("since", ""), request.GET.get("until", "")
    if since_text or until_text:
        asked_since = _parse_day(since_text) if since_text else since
        asked_until = _parse_day(until_text) if until_text else until
        if asked_since is None or asked_until is None:
            error = _("Enter the period's dates as YYYY-MM-DD; the last %(days)d days are shown.") % {
                "days": USAGE_DAYS
            }
        elif asked_until < asked_since:
            error = _("The period ends before it starts; the last %(days)d days are shown.") % {"days": USAGE_DAYS}
        else:
            since, until = asked_since, asked_until
    code = request.GET.get("region", "").strip()
    kind, status, service = request.GET.get("kind", ""), request.GET.get("status", ""), request.GET.get("service", "")
    return StationFilters(
        q=request.GET.get("q", "").strip()[:64],
        region=access.region_for_staff(request.user, code=code) if code else None,
        kind=kind if kind in StationKind.values else "",
        status=status if status in StationStatus.values else "",
        service=service if service in Service.values else "",
        since=since,
        until=until,
        period_error=error,
    )


def _filtered(request: HttpRequest, filters: StationFilters) -> QuerySet[Station]:
    stations = stations_visible_to(request.user)
    if filters.q:
        stations = stations.filter(
            Q(name__contains=filters.q)
            | Q(address__contains=filters.q)
            | Q(host__contains=filters.q)
            | Q(code=filters.q)
        )
    if filters.region is not None:
        stations = stations.filter(region__code__startswith=filters.region.prefix)
    if filters.kind:
        stations = stations.filter(kind=filters.kind)
    if filters.status:
        stations = stations.filter(status=filters.status)
    if filters.service:
        bit = SERVICE_BITS[Service(filters.service)]
        stations = stations.annotate(service_bit=F("services").bitand(bit)).filter(service_bit=bit)
    return stations.order_by("region_id", "name", "pk")


def _list_url(request: HttpRequest, **changes: str) -> str:
    """The list with the current filters and period, some changed (an empty value drops a filter)."""
    query: QueryDict = request.GET.copy()
    for key in ("page", "format"):
        query.pop(key, None)
    for key, value in changes.items():
        if value:
            query[key] = value
        else:
            query.pop(key, None)
    url = reverse("office:station_list")
    return f"{url}?{query.urlencode()}" if query else url


@dataclass(frozen=True)
class AreaUsage:
    label: str
    code: str
    stations: int
    open_stations: int
    person_times: int
    url: str
    open_url: str


def _usage(
    request: HttpRequest, stations: QuerySet[Station], filters: StationFilters, area: Region | None
) -> tuple[AreaUsage, list[AreaUsage]]:
    """The filtered stations' totals in the period, and the same by child region of the area."""
    counts: dict[str, tuple[int, int]] = {
        row["region_id"]: (row["total"], row["open"])
        for row in stations.order_by()
        .values("region_id")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status=StationStatus.OPEN)))
    }
    visits = visits_grouped(stations, by="station__region_id", since=filters.since, until=filters.until)
    codes = set(counts) | set(visits)

    def area_usage(label: str, code: str, members: set[str], url: str, open_url: str) -> AreaUsage:
        return AreaUsage(
            label=label,
            code=code,
            stations=sum(counts.get(c, (0, 0))[0] for c in members),
            open_stations=sum(counts.get(c, (0, 0))[1] for c in members),
            person_times=sum(visits.get(c, 0) for c in members),
            url=url,
            open_url=open_url,
        )

    rows = []
    placed: set[str] = set()
    for child in region_children(region=area):
        members = {code for code in codes if code.startswith(child.prefix)}
        placed |= members
        rows.append(
            area_usage(
                child.name,
                child.code,
                members,
                _list_url(request, region=child.code),
                _list_url(request, region=child.code, status=StationStatus.OPEN),
            )
        )
    if codes - placed:
        # Stations placed on the area itself (a district, not one of its streets).
        code = area.code if area is not None else ""
        label = _("Directly in %(area)s") % {"area": area.name} if area is not None else _("Elsewhere")
        rows.append(area_usage(label, code, codes - placed, "", ""))
    total = area_usage(
        _("All filtered stations"),
        "",
        codes,
        _list_url(request),
        _list_url(request, status=StationStatus.OPEN),
    )
    return total, rows


@dataclass(frozen=True)
class StationRow:
    station: Station
    person_times: int
    core: int
    extras: int
    service_labels: str


def _row(station: Station, person_times: int) -> StationRow:
    services = station.service_list
    core = sum(1 for service in services if service in CORE_SERVICES)
    return StationRow(
        station=station,
        person_times=person_times,
        core=core,
        extras=len(services) - core,
        service_labels="、".join(str(service.label) for service in services),
    )


@staff_required
@require_GET
def station_list(request: HttpRequest) -> HttpResponse:
    """The stations of the jurisdiction: filters, usage in a period by child region, a map, Excel export."""
    filters = _filters(request)
    stations = _filtered(request, filters)
    if request.GET.get("format") == "xlsx":
        return _station_export(stations)
    page = Paginator(stations, PAGE_SIZE).get_page(request.GET.get("page"))
    visits = visits_by_station(
        Station.objects.filter(pk__in=[station.pk for station in page]), since=filters.since, until=filters.until
    )
    context = jurisdiction_context(request)
    home: Region | None = context["home_organization"].region
    area = filters.region or home
    total, by_region = _usage(request, stations, filters, area)
    child_regions = list(region_children(region=home)) if home is not None else []
    if filters.region is not None and filters.region.code not in {region.code for region in child_regions}:
        child_regions.append(filters.region)
    markers = [list(values) for values in stations.values_list("pk", "name", "lat", "lng", "status")[:MAP_LIMIT]]
    context.update(
        {
            "page": page,
            "rows": [_row(station, visits.get(station.pk, 0)) for station in page],
            "filters": filters,
            "kinds": StationKind.choices,
            "statuses": StationStatus.choices,
            "services": Service.choices,
            "child_regions": child_regions,
            "area": area,
            "usage_total": total,
            "usage_by_region": by_region,
            "markers": markers,
            "markers_cut": page.paginator.count > MAP_LIMIT,
            "map_limit": MAP_LIMIT,
            "map_config": map_config(),
            "detail_url": reverse("office:station_detail", args=[0]),
            "period_query": f"since={filters.since.isoformat()}&until={filters.until.isoformat()}",
        }
    )
    return render(request, "office/station_list.html", context)


def _station_export(stations: QuerySet[Station]) -> HttpResponse:
    """The filtered list in the import format's columns, so it can be edited and imported back."""
    data = export_xlsx(
        STATION_EXPORT_HEADERS, station_export_rows(stations.iterator(chunk_size=2000)), sheet_title="服务站点"
    )
    return download(data, filename=dated("服务站点", "xlsx"), content_type=XLSX)


# ---------------------------------------------------------------------------------------------
# Create and change
# ---------------------------------------------------------------------------------------------


class StationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=128)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=StationKind.choices)
    host = forms.CharField(
        label=gettext_lazy("Host"),
        max_length=128,
        required=False,
        help_text=gettext_lazy("Who hosts it, e.g. a bank branch, a mall, a community centre."),
    )
    region = forms.CharField(
        label=gettext_lazy("Division code"),
        max_length=12,
        help_text=gettext_lazy("The county or street it lies in (6 or 9 digits)."),
        widget=forms.TextInput(attrs={"list": "station-regions", "inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    crs = forms.ChoiceField(
        label=gettext_lazy("Coordinate system of the numbers below"), choices=CRS_CHOICES, initial=Crs.WGS84.value
    )
    lat = forms.CharField(
        label=gettext_lazy("Latitude"),
        max_length=32,
        help_text=gettext_lazy("Degrees north, e.g. 26.5683. Clicking the map fills both in (WGS-84)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    lng = forms.CharField(
        label=gettext_lazy("Longitude"),
        max_length=32,
        help_text=gettext_lazy("Degrees east, e.g. 106.7135."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    hours = forms.CharField(
        label=gettext_lazy("Opening hours"),
        max_length=64,
        required=False,
        help_text=gettext_lazy(
            "e.g. 08:00-20:00; several ranges 08:00-12:00、14:00-18:00; overnight 20:00-08:00; or 24小时. "
            "Leave empty when unknown."
        ),
    )
    services = forms.MultipleChoiceField(
        label=gettext_lazy("Services"), required=False, widget=forms.CheckboxSelectMultiple
    )
    stars = forms.ChoiceField(
        label=gettext_lazy("Star rating"),
        required=False,
        choices=[("", gettext_lazy("Not rated"))] + [(str(n), "★" * n) for n in range(1, 6)],
    )
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=64, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=32, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = service_choices()  # type: ignore[attr-defined]

    def row(self) -> dict[str, str]:
        """The form as an import row (FORMATS.md keys), for stations.checks.check_station."""
        data = self.cleaned_data
        row = {key: str(data.get(key) or "") for key in self.fields if key != "services"}
        row["services"] = "、".join(data.get("services") or [])
        return row


def _initial(station: Station) -> dict[str, Any]:
    return {
        "name": station.name,
        "kind": station.kind,
        "host": station.host,
        "region": station.region_id,
        "address": station.address,
        "crs": Crs.WGS84.value,
        "lat": f"{station.lat:.7f}".rstrip("0").rstrip("."),
        "lng": f"{station.lng:.7f}".rstrip("0").rstrip("."),
        "hours": station.hours_text,
        "services": [str(service.value) for service in station.service_list],
        "stars": str(station.stars or ""),
        "contact_name": station.contact_name,
        "contact_phone": station.contact_phone,
    }


def _save(request: HttpRequest, form: StationForm, station: Station | None) -> Station | None:
    """Check the form as an import row would be checked and save it; errors go next to their fields."""
    valid = form.is_valid()
    checked = check_station(form.row())  # on every field, so all the mistakes show at once
    for key, message in checked.errors.items():
        if key not in form.errors:
            form.add_error(key if key in form.fields else None, message)
    if not valid or not checked.ok:
        return None
    try:
        return station_services.station_save(
            jurisdiction=access.require_jurisdiction(request.user),
            actor=_actor(request),
            values=checked.values,
            station=station,
        )
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        form.add_error(_ERROR_FIELDS.get(error.code), error.message)
        return None


def form_point(form: forms.Form, place: Station | Any | None) -> list[float] | None:
    """Where the form's map puts its pin: the WGS-84 numbers entered, else the saved place."""
    if form.is_bound and form.data.get("crs", Crs.WGS84.value) == Crs.WGS84.value:
        try:
            lat, lng = float(form.data.get("lat", "")), float(form.data.get("lng", ""))
        except ValueError:
            pass
        else:
            if in_china(lat, lng):
                return [lat, lng]
    return [place.lat, place.lng] if place is not None else None


def _render_form(request: HttpRequest, form: StationForm, station: Station | None) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    context = jurisdiction_context(request)
    point = form_point(form, station)
    context.update(
        {
            "form": form,
            "station": station,
            "regions": region_suggestions(jurisdiction),
            "map_config": map_config(),
            "map_point": point,
        }
    )
    return render(request, "office/station_form.html", context, status=400 if form.errors else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def station_new(request: HttpRequest) -> HttpResponse:
    """A new station, checked like an imported row."""
    jurisdiction = access.require_jurisdiction(request.user)
    _require_change(jurisdiction)
    if request.method == "POST":
        form = StationForm(request.POST)
        station = _save(request, form, None)
        if station is not None:
            messages.success(request, _("The station “%(name)s” is added.") % {"name": station.name})
            return redirect("office:station_detail", station_id=station.pk)
    else:
        home = jurisdiction_context(request)["home_organization"].region
        form = StationForm(initial={"region": home.code if home is not None else "", "crs": Crs.WGS84.value})
    return _render_form(request, form, None)


@staff_required
@require_http_methods(["GET", "POST"])
def station_edit(request: HttpRequest, station_id: int) -> HttpResponse:
    station = station_for_staff(request.user, station_id=station_id, change=True)
    if request.method == "POST":
        form = StationForm(request.POST)
        saved = _save(request, form, station)
        if saved is not None:
            messages.success(request, _("The station is saved."))
            return redirect("office:station_detail", station_id=saved.pk)
        station.refresh_from_db()  # station_save may have set fields before the database refused them
    else:
        form = StationForm(initial=_initial(station))
    return _render_form(request, form, station)


# ---------------------------------------------------------------------------------------------
# One station: its data, status, photos, QR code and usage
# ---------------------------------------------------------------------------------------------


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    people = forms.IntegerField(
        label=gettext_lazy("Person-times"),
        min_value=1,
        max_value=station_services.MAX_PEOPLE_A_DAY,
        help_text=gettext_lazy(
            "How many visits the station's register counts for that day (QR check-ins count themselves)."
        ),
    )


def _usage_chart(station: Station, *, since: date, until: date) -> dict[str, Any]:
    by_day = visits_grouped(Station.objects.filter(pk=station.pk), by="visited_on", since=since, until=until)
    days = [since + timedelta(days=offset) for offset in range((until - since).days + 1)]
    return {
        "labels": [day.strftime("%m-%d") for day in days],
        "values": [by_day.get(day, 0) for day in days],
        "name": str(_("Person-times")),
    }


def _render_detail(request: HttpRequest, station: Station, *, visit_form: VisitForm | None = None) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    today = timezone.localdate()
    since = today - timedelta(days=USAGE_DAYS - 1)
    only = Station.objects.filter(pk=station.pk)
    by_source = visits_grouped(only, by="source", since=since, until=today)
    services = station.service_list
    url = checkin_url(request, station)
    # segno draws the SVG from the QR matrix alone: no text of ours goes into it.
    qr_svg = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, svgclass="station-qr")
    if visit_form is None and jurisdiction.can_change:
        visit_form = VisitForm(initial={"visited_on": today})
    context = jurisdiction_context(request)
    context.update(
        {
            "station": station,
            "open_now": station.hours.is_open_at(timezone.localtime()),
            "core_services": [(service, service in services) for service in CORE_SERVICES],
            "extra_services": [service for service in services if service not in CORE_SERVICES],
            "photos": station.photos.defer("data"),
            "max_photos": station_services.MAX_PHOTOS,
            "statuses": StationStatus.choices,
            "checkin_url": url,
            "qr_svg": mark_safe(qr_svg),  # noqa: S308
            "usage_days": USAGE_DAYS,
            "chart": _usage_chart(station, since=since, until=today),
            "by_qr": by_source.get(VisitSource.QR.value, 0),
            "by_staff": by_source.get(VisitSource.STAFF.value, 0),
            "usage_total": sum(by_source.values()),
            "all_time": sum(visits_grouped(only, by="source").values()),
            "staff_counts": StationVisit.objects.filter(station=station, source=VisitSource.STAFF)
            .select_related("recorded_by__staff_account")
            .order_by("-created_at", "-pk")[:RECENT_STAFF_COUNTS],
            "visit_form": visit_form,
            "may_change": jurisdiction.can_change,
            "map_config": map_config(),
            "map_point": [station.lat, station.lng],
            "list_url": f"{reverse('office:station_list')}?since={since.isoformat()}&until={today.isoformat()}",
        }
    )
    return render(
        request, "office/station_detail.html", context, status=400 if visit_form and visit_form.errors else 200
    )


@staff_required
@require_GET
def station_detail(request: HttpRequest, station_id: int) -> HttpResponse:
    return _render_detail(request, station_for_staff(request.user, station_id=station_id))


@staff_required
@require_POST
def station_status(request: HttpRequest, station_id: int) -> HttpResponse:
    """Open, close temporarily or close: a station that is not open drops out of the workers' map at once."""
    station = station_for_staff(request.user, station_id=station_id, change=True)
    status = request.POST.get("status", "")
    if status not in StationStatus.values:
        messages.error(request, _("Choose open, closed temporarily or closed."))
    elif status != station.status:
        station_services.station_set_status(
            jurisdiction=access.require_jurisdiction(request.user),
            actor=_actor(request),
            station=station,
            status=status,
        )
        messages.success(
            request,
            _("“%(name)s” is now: %(status)s.") % {"name": station.name, "status": StationStatus(status).label},
        )
    return redirect("office:station_detail", station_id=station.pk)


@staff_required
@require_POST
def station_photo_upload(request: HttpRequest, station_id: int) -> HttpResponse:
    """Add photos: each is re-encoded without EXIF; a file that is not a photo is refused by name."""
    station = station_for_staff(request.user, station_id=station_id, change=True)
    jurisdiction = access.require_jurisdiction(request.user)
    uploads = request.FILES.getlist("photos")
    if not uploads:
        messages.error(request, _("Choose one or more photos."))
    added = 0
    for upload in uploads:
        name = upload.name or "?"
        if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
            messages.error(request, _("“%(file)s” is not added: a photo may be at most 10 MB.") % {"file": name})
            continue
        try:
            station_services.station_photo_add(
                jurisdiction=jurisdiction, actor=_actor(request), station=station, data=upload.read()
            )
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            messages.error(request, _("“%(file)s” is not added: %(reason)s") % {"file": name, "reason": error.message})
            if error.code == "too_many":
                break
        else:
            added += 1
    if added:
        messages.success(
            request, ngettext("%(count)d photo is added.", "%(count)d photos are added.", added) % {"count": added}
        )
    return redirect(f"{reverse('office:station_detail', args=[station.pk])}#photos")


@staff_required
@require_GET
def station_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    """A station photo as stored: re-encoded on upload, so it carries no EXIF."""
    photo = station_photo_for_staff(request.user, photo_id=photo_id)
    response = HttpResponse(bytes(photo.data), content_type=photo.content_type)
    response["Cache-Control"] = PHOTO_CACHE_CONTROL
    response["Content-Disposition"] = f'inline; filename="station-{photo.station_id}-{photo.pk}.jpg"'
    return response


@staff_required
@require_POST
def station_photo_delete(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = station_photo_for_staff(request.user, photo_id=photo_id, change=True)
    station_id = photo.station_id
    station_services.station_photo_delete(jurisdiction=access.require_jurisdiction(request.user), photo=photo)
    messages.success(request, _("The photo is deleted."))
    return redirect(f"{reverse('office:station_detail', args=[station_id])}#photos")


@staff_required
@require_POST
def station_visit_record(request: HttpRequest, station_id: int) -> HttpResponse:
    """Staff record the person-times of a day (e.g. from the station's paper register)."""
    station = station_for_staff(request.user, station_id=station_id, change=True)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            visit = station_services.visit_record(
                jurisdiction=access.require_jurisdiction(request.user),
                actor=_actor(request),
                station=station,
                people=form.cleaned_data["people"],
                visited_on=form.cleaned_data["visited_on"],
            )
        except ACCESS_ERRORS:
            raise
        except DomainError as error:
            form.add_error("visited_on" if error.code == "future" else "people", error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d person-time is recorded for %(date)s.",
                    "%(count)d person-times are recorded for %(date)s.",
                    visit.people,
                )
                % {"count": visit.people, "date": visit.visited_on.isoformat()},
            )
            return redirect(f"{reverse('office:station_detail', args=[station.pk])}#usage")
    return _render_detail(request, station, visit_form=form)


def _qr(request: HttpRequest, station: Station) -> segno.QRCode:
    return segno.make(checkin_url(request, station), error="m")


@staff_required
@require_GET
def station_qr(request: HttpRequest, station_id: int, kind: str) -> HttpResponse:
    """The check-in QR code as a PNG (for chat and print shops) or an SVG (for designers)."""
    if kind not in QR_KINDS:
        raise Http404()
    station = station_for_staff(request.user, station_id=station_id)
    buffer = io.BytesIO()
    _qr(request, station).save(buffer, kind=kind, scale=10, border=4)
    name = _UNSAFE_IN_FILENAME.sub("", station.name)[:60] or "station"
    return download(buffer.getvalue(), filename=f"{name}-{station.code}.{kind}", content_type=QR_KINDS[kind])


@staff_required
@require_GET
def station_poster(request: HttpRequest, station_id: int) -> HttpResponse:
    """A printable A4 poster for the station's wall: its name, a big check-in QR code and what to do."""
    station = station_for_staff(request.user, station_id=station_id)
    svg = _qr(request, station).svg_inline(scale=1, border=2, omitsize=True, svgclass="poster-qr", lineclass=None)
    context = jurisdiction_context(request)
    context.update({"station": station, "qr_svg": mark_safe(svg), "checkin_url": checkin_url(request, station)})  # noqa: S308
    return render(request, "office/station_poster.html", context)
