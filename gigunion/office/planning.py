"""Back office: planning the 15-minute service circle (15分钟服务圈) of an area.

Any staff role may run the analysis (it changes nothing): the share of demand within a travel time of an
open station, by child region, the uncovered demand on a map and in a list, and where K new stations
would add the most. Operators may set the point of a region whose members or workers could not be placed.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.core.tabular import export_xlsx
from gigunion.office.common import ACCESS_ERRORS, XLSX, dated, download, jurisdiction_context, staff_required
from gigunion.office.stations import CRS_CHOICES
from gigunion.orgs import access
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_ancestors, region_children
from gigunion.stations.geo import CRS_ALIASES, Crs
from gigunion.stations.planning import (
    DEFAULT_DETOUR,
    DEFAULT_MINUTES,
    CircleAnalysis,
    DemandSource,
    TravelMode,
    circle_analysis,
    region_point_set,
    region_points_total,
)

LISTED = 50  # uncovered demand listed on the page (all of it is in the export)
DRAWN = 500  # uncovered demand drawn on the map
UNPLACED_LISTED = 30
DEFAULT_K = 5
PARAMETERS = ("region", "source", "mode", "minutes", "detour", "k")


class AnalysisForm(forms.Form):
    region = forms.ChoiceField(label=gettext_lazy("Area"))
    source = forms.ChoiceField(
        label=gettext_lazy("Demand"), choices=DemandSource.choices, initial=DemandSource.HOTSPOTS
    )
    mode = forms.ChoiceField(label=gettext_lazy("Travel"), choices=TravelMode.choices, initial=TravelMode.WALK)
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=1, max_value=60, initial=DEFAULT_MINUTES)
    detour = forms.DecimalField(
        label=gettext_lazy("Detour factor"),
        min_value=1,
        max_value=2,
        decimal_places=2,
        initial=DEFAULT_DETOUR,
        help_text=gettext_lazy("Street distance ÷ straight-line distance; 1.2 is usual in a city."),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    k = forms.IntegerField(label=gettext_lazy("New stations to suggest"), min_value=0, max_value=20, initial=DEFAULT_K)

    def __init__(self, data: QueryDict | None, *, regions: list[tuple[str, str]], region: Region) -> None:
        if data is not None:  # a link that gives only some parameters takes the defaults for the rest
            data = data.copy()
            for name, field in self.base_fields.items():
                if not data.get(name) and field.initial is not None:
                    data[name] = str(field.initial)
            data["region"] = region.code
        super().__init__(data, initial={"region": region.code})
        cast(forms.ChoiceField, self.fields["region"]).choices = regions


class RegionPointForm(forms.Form):
    point_region = forms.CharField(label=gettext_lazy("Region"), max_length=12)
    lat = forms.CharField(label=gettext_lazy("Latitude"), max_length=32)
    lng = forms.CharField(label=gettext_lazy("Longitude"), max_length=32)
    crs = forms.ChoiceField(
        label=gettext_lazy("Coordinate system"),
        choices=CRS_CHOICES,
        initial=Crs.WGS84.value,
    )


def _area(request: HttpRequest, context: dict[str, Any], code: str) -> Region | None:
    """The area asked for (404 outside the jurisdiction), else the user's own."""
    if code:
        return access.region_for_staff(request.user, code=code)
    home: Region | None = context["home_organization"].region
    return home


def _region_choices(region: Region, home: Region | None) -> list[tuple[str, str]]:
    """The way down from the user's own area to this one, then this one's children."""
    above = [ancestor for ancestor in region_ancestors(region) if home is None or ancestor.code.startswith(home.prefix)]
    choices = [(ancestor.code, ancestor.name) for ancestor in above]
    choices.append((region.code, region.name))
    choices += [(child.code, f"— {child.name}") for child in region_children(region=region)]
    return choices


def _people(count: int, source: str) -> str:
    if source == DemandSource.MEMBERS:
        return ngettext("%(count)s member", "%(count)s members", count) % {"count": f"{count:,}"}
    return ngettext("%(count)s worker", "%(count)s workers", count) % {"count": f"{count:,}"}


def _share_text(covered: int, total: int, source: str) -> str:
    """ "N of M (x%)": the people within reach, of all the people placed."""
    values = {"covered": f"{covered:,}", "total": f"{total:,}", "share": _percent(covered / total if total else None)}
    if source == DemandSource.MEMBERS:
        return (
            ngettext(
                "%(covered)s of %(total)s member (%(share)s)", "%(covered)s of %(total)s members (%(share)s)", total
            )
            % values
        )
    return (
        ngettext("%(covered)s of %(total)s worker (%(share)s)", "%(covered)s of %(total)s workers (%(share)s)", total)
        % values
    )


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _query(values: dict[str, Any], **changes: Any) -> str:
    query = QueryDict(mutable=True)
    for name in PARAMETERS:
        value = changes.get(name, values.get(name))
        if value not in (None, ""):
            query[name] = str(value)
    return f"{reverse('office:station_planning')}?{query.urlencode()}"


def _map_data(analysis: CircleAnalysis) -> dict[str, Any]:
    return {
        "tiles": {
            "url": getattr(settings, "MAP_TILE_URL", ""),
            "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        },
        "radius": analysis.radius_m,
        "stations": [[s.lat, s.lng, s.name, s.inside] for s in analysis.stations],
        "uncovered": [
            [item.point.lat, item.point.lng, item.point.label, _people(item.point.weight, analysis.source)]
            for item in analysis.uncovered[:DRAWN]
        ],
        "sites": [
            [site.lat, site.lng, rank, _gain_text(site.gain, site.cumulative_share, analysis.source)]
            for rank, site in enumerate(analysis.sites, start=1)
        ],
        "labels": {
            "inside": _("Open station"),
            "outside": _("Open station just outside the area"),
            "reach": _("Its reach"),
            "uncovered": _("Uncovered demand"),
            "site": _("Suggested new station"),
        },
    }


def _gain_text(gain: float, share: float, source: str) -> str:
    return _("+%(people)s, %(share)s after") % {"people": _people(round(gain), source), "share": _percent(share)}


def _export(analysis: CircleAnalysis, names: dict[str, str]) -> HttpResponse:
    headers = [
        _("Kind"),
        _("Rank"),
        _("Name"),
        _("Division code"),
        _("Region"),
        _("Latitude (WGS-84)"),
        _("Longitude (WGS-84)"),
        _("Demand"),
        _("Nearest open station (m)"),
        _("Coverage added"),
        _("Share covered after"),
    ]
    rows: list[list[object]] = [
        [
            _("Uncovered demand"),
            rank,
            item.point.label,
            item.point.region_code,
            names.get(item.point.region_code, ""),
            round(item.point.lat, 6),
            round(item.point.lng, 6),
            item.point.weight,
            None if item.nearest_station_m is None else round(item.nearest_station_m),
            None,
            None,
        ]
        for rank, item in enumerate(analysis.uncovered, start=1)
    ]
    rows += [
        [
            _("Suggested site"),
            rank,
            _("New station %(rank)d") % {"rank": rank},
            None,
            None,
            round(site.lat, 6),
            round(site.lng, 6),
            None,
            None,
            round(site.gain),
            round(site.cumulative_share, 4),
        ]
        for rank, site in enumerate(analysis.sites, start=1)
    ]
    data = export_xlsx(headers, rows, sheet_title=_("Service circle"))
    return download(data, filename=dated(f"{_('service-circle')}-{analysis.region.name}", "xlsx"), content_type=XLSX)


def _page(request: HttpRequest, *, point_form: RegionPointForm | None = None, status: int = 200) -> HttpResponse:
    context = jurisdiction_context(request)
    values = request.GET if request.method == "GET" else request.POST
    region = _area(request, context, values.get("region", ""))
    home: Region | None = context["home_organization"].region
    jurisdiction = context["jurisdiction"]
    if region is None:  # the national federation: choose a province first
        context.update({"choices": [(r.code, r.name) for r in region_children(region=None)]})
        return render(request, "office/planning.html", context, status=status)
    form = AnalysisForm(
        values if any(name in values for name in PARAMETERS) else None,
        regions=_region_choices(region, home),
        region=region,
    )
    analysis = None
    if not form.is_bound or form.is_valid():
        cleaned = form.cleaned_data if form.is_bound else {name: form.fields[name].initial for name in PARAMETERS}
        analysis = circle_analysis(
            region=region,
            source=str(cleaned["source"]),
            mode=str(cleaned["mode"]),
            minutes=float(cleaned["minutes"]),
            detour=float(cleaned["detour"]),
            k=int(cleaned["k"]),
        )
    context.update({"region": region, "form": form, "analysis": analysis})
    if analysis is None:  # the analysis form has errors, shown on the page
        return render(request, "office/planning.html", context, status=400)
    shown = {code for item in analysis.uncovered[:LISTED] for code in (item.point.region_code, item.point.placed_at)}
    names = dict(Region.objects.filter(code__in=shown | {region.code}).values_list("code", "name"))
    if request.method == "GET" and request.GET.get("format") == "xlsx":
        names.update(
            Region.objects.filter(code__in={item.point.region_code for item in analysis.uncovered}).values_list(
                "code", "name"
            )
        )
        return _export(analysis, names)
    parameters = {
        "region": region.code,
        "source": analysis.source,
        "mode": analysis.mode,
        "minutes": form["minutes"].value(),
        "detour": form["detour"].value(),
        "k": form["k"].value(),
    }
    unplaced = analysis.placed.unplaced
    if point_form is None:
        point_form = RegionPointForm(initial={"point_region": unplaced[0].region_code if unplaced else ""})
    context.update(
        {
            "parameters": parameters,
            "source_label": DemandSource(analysis.source).label,
            "covered_text": _share_text(analysis.covered, analysis.total, analysis.source),
            "share_text": _percent(analysis.result.share if analysis.total else None),
            "rows": [
                {
                    "row": row,
                    "share": _percent(row.share),
                    "link": _query(parameters, region=row.region_code) if row.region_code else "",
                }
                for row in analysis.rows
            ],
            "listed": [
                {
                    "item": item,
                    "region_name": names.get(item.point.region_code, item.point.region_code),
                    "placed_name": names.get(item.point.placed_at, item.point.placed_at),
                    "people": _people(item.point.weight, analysis.source),
                    "nearest": "—"
                    if item.nearest_station_m is None
                    else _("%(metres)s m") % {"metres": f"{round(item.nearest_station_m):,}"},
                }
                for item in analysis.uncovered[:LISTED]
            ],
            "sites": [
                {"rank": rank, "site": site, "text": _gain_text(site.gain, site.cumulative_share, analysis.source)}
                for rank, site in enumerate(analysis.sites, start=1)
            ],
            "unplaced": unplaced[:UNPLACED_LISTED],
            "unplaced_text": ngettext(
                "Left out of the analysis: %(people)s in %(count)d region with no point on the map.",
                "Left out of the analysis: %(people)s in %(count)d regions with no point on the map.",
                len(unplaced),
            )
            % {"people": _people(analysis.placed.unplaced_count, analysis.source), "count": len(unplaced)},
            "points_total": region_points_total(region),
            "may_change": jurisdiction.can_change,
            "point_form": point_form,
            "parameter_fields": PARAMETERS,
            "sites_asked": analysis.k > 0,
            "export_url": _query(parameters) + "&format=xlsx",
            "map_data": _map_data(analysis),
            "radius_text": f"{round(analysis.radius_m):,}",
            "tiles_configured": bool(getattr(settings, "MAP_TILE_URL", "")),
        }
    )
    return render(request, "office/planning.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def station_planning(request: HttpRequest) -> HttpResponse:
    """The 15-minute circle of an area (GET, any staff role); setting a region's point (POST, operators)."""
    if request.method == "GET":
        return _page(request)
    jurisdiction = access.require_jurisdiction(request.user)
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))
    form = RegionPointForm(request.POST)
    if not form.is_valid():
        return _page(request, point_form=form, status=400)
    code = form.cleaned_data["point_region"].strip()
    point_region = access.region_for_staff(request.user, code=code)  # 404 outside the jurisdiction
    try:
        _point, checked = region_point_set(
            jurisdiction=jurisdiction,
            actor=cast(User, request.user),
            region_code=point_region.code,
            lat=form.cleaned_data["lat"],
            lng=form.cleaned_data["lng"],
            crs=CRS_ALIASES.get(form.cleaned_data["crs"], Crs.WGS84),
        )
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        form.add_error("point_region", error.message)
        return _page(request, point_form=form, status=400)
    if not checked.ok:
        for key, message in checked.errors.items():
            form.add_error(key if key in form.fields else None, message)
        return _page(request, point_form=form, status=400)
    messages.success(
        request,
        _("The point of %(region)s is set: its people are now placed there.") % {"region": point_region.name},
    )
    query = {name: request.POST.get(name, "") for name in PARAMETERS}
    return redirect(_query(query))
