"""Back office: the dashboard (数据看板) of an area: where it stands against its targets.

Tiles (workers, members, membership rate, employers, covered employers, founding rate, the key groups
against their target), four charts (rate by occupation against the target line, the trend over
survey rounds, child regions ranked, the founding funnel) and under each chart a table of the same
numbers: charts and tables read the same json_script data. Current numbers link to the lists behind
them (ledger workers, members, the enterprise registry), child regions to their own dashboard. A
round's numbers are a locked snapshot: they do not link to today's lists.

A handful of queries whatever the data size: the area's figures (one GROUP BY per tally), the trend
(one GROUP BY over the rounds' rows) and the campaign targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gigunion.campaigns.selectors import target_rates
from gigunion.core.occupations import KEY_GROUPS
from gigunion.office.common import XLSX, dated, download, int_or_none, jurisdiction_context, staff_required
from gigunion.orgs import access
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_ancestors
from gigunion.surveys.models import ALL, SurveyRound
from gigunion.surveys.reports import figure_rows, report_workbook, rows_csv
from gigunion.surveys.selectors import (
    OCCUPATION_ORDER,
    AreaFigures,
    Counts,
    Rate,
    area_figures,
    area_trend,
    occupation_label,
)

KEY_OCCUPATIONS = [str(occupation) for occupation in KEY_GROUPS]


@dataclass(frozen=True)
class Scope:
    region: Region | None
    round: SurveyRound | None
    occupations: list[str]  # empty: all


def _percent(rate: Rate) -> float | None:
    value = rate.value
    return None if value is None else round(value * 100, 1)


def _scope(request: HttpRequest, context: dict[str, Any]) -> Scope:
    """?region=CODE (404 outside the jurisdiction; default the user's own), ?round=ID, ?occupations=…"""
    code = request.GET.get("region", "")
    region: Region | None = (
        access.region_for_staff(request.user, code=code) if code else context["home_organization"].region
    )
    survey_round = None
    if request.GET.get("round"):
        survey_round = SurveyRound.objects.filter(pk=int_or_none(request.GET.get("round")) or 0).first()
        if survey_round is None:
            raise Http404(_("No such survey round."))
    chosen = {value for value in request.GET.getlist("occupations") if value in OCCUPATION_ORDER}
    occupations = [occupation for occupation in OCCUPATION_ORDER if occupation in chosen]
    if set(occupations) == set(OCCUPATION_ORDER):
        occupations = []
    return Scope(region, survey_round, occupations)


def _query(scope: Scope, **changes: Any) -> str:
    """The dashboard's query string for `scope` with `changes` (region=Region|None, round=…, occupations=…)."""
    region = changes.get("region", scope.region)
    survey_round = changes.get("round", scope.round)
    params = QueryDict(mutable=True)
    if region is not None:
        params["region"] = region.code
    if survey_round is not None:
        params["round"] = str(survey_round.pk)
    params.setlist("occupations", changes.get("occupations", scope.occupations))
    text = params.urlencode()
    return f"?{text}" if text else ""


def _list(name: str, **params: str) -> str:
    query = QueryDict(mutable=True)
    query.update({key: value for key, value in params.items() if value})
    return f"{reverse(name)}?{query.urlencode()}"


def _links(scope: Scope, code: str | None, occupation: str) -> dict[str, str]:
    """The lists behind a figure of `code` (None: placed at the area itself) and one occupation (or ALL)."""
    if scope.round is not None or (scope.region is None and code is None):
        return {}
    occupation = "" if occupation == ALL else occupation
    if code is None:
        assert scope.region is not None
        return {
            "workers": _list(
                "office:ledger_workers", region=scope.region.code, unplaced="1", occupation=occupation, active="1"
            )
        }
    return {
        "workers": _list("office:ledger_workers", region=code, occupation=occupation, active="1"),
        "members": _list("office:member_list", region=code, occupation=occupation, status="member"),
        "employers": _list("office:enterprise_list", region=code, occupation=occupation),
        "covered_employers": _list("office:enterprise_list", region=code, occupation=occupation, covered="now"),
    }


def _counts(figures: AreaFigures, occupations: list[str], child: str | None = None, *, whole: bool = False) -> Counts:
    """People figures of the occupation set; employer figures exist for all occupations or one, so a set of
    several shows all occupations' employers. `whole`: the area's total, else the child's (None: own row)."""
    people = figures.for_occupations(occupations) if whole else figures.child_for_occupations(child, occupations)
    if len(occupations) <= 1:
        return people
    employers = figures.total(ALL) if whole else figures.cell(child, ALL)
    return Counts(**{**vars(employers), "workers": people.workers, "members": people.members})


def _target(targets: dict[str, Decimal], occupations: list[str]) -> Decimal | None:
    """The target of an occupation set: the highest of its occupations' targets (or of all occupations)."""
    rates = [targets[occupation] for occupation in occupations if occupation in targets]
    if not rates and ALL in targets:
        rates = [targets[ALL]]
    return max(rates) if rates else None


def _breadcrumbs(scope: Scope, home: Region | None) -> list[dict[str, str]]:
    if scope.region is None:
        return []
    top = home.prefix if home is not None else ""
    ancestors = [region for region in region_ancestors(scope.region) if region.code.startswith(top)]
    crumbs = [{"name": str(_("The whole country")), "url": _query(scope, region=None)}] if home is None else []
    crumbs += [{"name": region.name, "url": _query(scope, region=region)} for region in ancestors]
    return crumbs


def _row(
    label: str, counts: Counts, links: dict[str, str], target: Decimal | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "label": label,
        "employers": counts.employers,
        "unions": counts.unions,
        "covered_employers": counts.covered_employers,
        "workers": counts.workers,
        "members": counts.members,
        "on_worklist": counts.on_worklist,
        "in_progress": counts.in_progress,
        "membership_rate": _percent(counts.membership_rate),
        "membership_text": counts.membership_rate.percent,
        "founding_rate": _percent(counts.founding_rate),
        "founding_text": counts.founding_rate.percent,
        "target": None if target is None else round(float(target) * 100, 1),
        "links": links,
        **extra,
    }


@staff_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context = jurisdiction_context(request)
    scope = _scope(request, context)
    home: Region | None = context["home_organization"].region
    today = timezone.localdate()
    figures = area_figures(scope.region, round=scope.round)
    trend = area_trend(scope.region, scope.occupations or None, now=figures)
    targets = target_rates(scope.region.code, today) if scope.region is not None else {}
    occupations = scope.occupations
    total = _counts(figures, occupations, whole=True)
    key = figures.for_occupations(KEY_OCCUPATIONS)
    key_target = _target(targets, KEY_OCCUPATIONS)
    several = len(occupations) > 1

    by_occupation = [
        _row(
            str(occupation_label(code)),
            counts,
            _links(scope, scope.region.code if scope.region else None, code),
            _target(targets, [code]),
            code=code,
        )
        for code, counts in figures.occupations()
        if not occupations or code in occupations
    ]
    places = []
    for child, _all in figures.places():
        code = child.code if child is not None else None
        counts = _counts(figures, occupations, code)
        single = occupations[0] if len(occupations) == 1 else ALL
        links = _links(scope, code, single) if not several else {}
        if several and code is not None and scope.round is None:
            links = {
                key_name: url
                for key_name, url in _links(scope, code, ALL).items()
                if key_name in ("employers", "covered_employers")
            }
        name = child.name if child is not None else _("%(area)s (not placed lower)") % {"area": figures.name}
        places.append(
            _row(name, counts, links, drill=_query(scope, region=child) if child is not None else "", code=code or "")
        )
    ranked = sorted(
        places,
        key=lambda row: (row["membership_rate"] is None, -(row["membership_rate"] or 0), -row["workers"], row["code"]),
    )
    trend_rows = [_row(point.label, point.counts, {}, round_url=_query(scope, round=point.round)) for point in trend]
    area_code = scope.region.code if scope.region is not None else None
    total_links = _links(scope, area_code, occupations[0] if len(occupations) == 1 else ALL) if not several else {}
    funnel = [
        {
            "key": "employers",
            "label": _("Employers"),
            "value": total.employers,
            "url": total_links.get("employers", ""),
        },
        {"key": "on_worklist", "label": _("On the founding worklist"), "value": total.on_worklist, "url": ""},
        {"key": "in_progress", "label": _("Founding in progress"), "value": total.in_progress, "url": ""},
        {
            "key": "covered_employers",
            "label": _("Covered by a union"),
            "value": total.covered_employers,
            "url": total_links.get("covered_employers", ""),
        },
    ]
    report_query = _query(scope, occupations=[])
    context.update(
        {
            "scope": scope,
            "figures": figures,
            "rounds": list(SurveyRound.objects.order_by("-starts_on", "-name")),
            "occupation_choices": [(code, occupation_label(code), code in occupations) for code in OCCUPATION_ORDER],
            "key_groups_query": _query(scope, occupations=KEY_OCCUPATIONS),
            "all_occupations_query": _query(scope, occupations=[]),
            "key_groups_selected": set(occupations) == set(KEY_OCCUPATIONS),
            "several": several,
            "breadcrumbs": _breadcrumbs(scope, home),
            "total": _row(figures.name, total, total_links),
            "key": _row(_("Four key groups"), key, {}, key_target),
            "by_occupation": by_occupation,
            "places": ranked,
            "trend": trend_rows,
            "funnel": funnel,
            "entered": bool(figures.entered),
            "corrected": bool(figures.corrected),
            "report_xlsx": reverse("office:dashboard_report", args=["xlsx"]) + report_query,
            "report_csv": reverse("office:dashboard_report", args=["csv"]) + report_query,
            "chart_data": {
                "occupations": {
                    "labels": [row["label"] for row in by_occupation],
                    "rates": [row["membership_rate"] for row in by_occupation],
                    "targets": [row["target"] for row in by_occupation],
                    "names": [str(_("Membership rate")), str(_("Target"))],
                },
                "trend": {
                    "labels": [row["label"] for row in trend_rows],
                    "rates": [row["membership_rate"] for row in trend_rows],
                    "members": [row["members"] for row in trend_rows],
                    "names": [str(_("Membership rate")), str(_("Members"))],
                },
                "places": {
                    "labels": [str(row["label"]) for row in ranked],
                    "rates": [row["membership_rate"] for row in ranked],
                    "urls": [row["drill"] for row in ranked],
                    "target": None if key_target is None else round(float(key_target) * 100, 1),
                    "names": [str(_("Membership rate"))],
                },
                "funnel": {
                    "labels": [str(step["label"]) for step in funnel],
                    "values": [step["value"] for step in funnel],
                },
            },
        }
    )
    return render(request, "office/dashboard.html", context)


@staff_required
@require_GET
def dashboard_report(request: HttpRequest, extension: str) -> HttpResponse:
    """The upward report of the shown area and round: report.xlsx or report.csv (surveys.reports)."""
    if extension not in ("xlsx", "csv"):
        raise Http404()
    scope = _scope(request, jurisdiction_context(request))
    name = f"{'摸底台账' if scope.region is None else scope.region.name}-{scope.round.name if scope.round else '当前'}"
    if extension == "xlsx":
        return download(report_workbook(scope.region, scope.round), filename=dated(name, "xlsx"), content_type=XLSX)
    rows = figure_rows(area_figures(scope.region, round=scope.round))
    return download(rows_csv(rows), filename=dated(name, "csv"), content_type="text/csv; charset=utf-8")
