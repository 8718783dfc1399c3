"""Back office: the measures of 有诉必应 for the staff member's jurisdiction (response, on-time, resolution and
satisfaction rates, open overdue), by category, union, child region and month; every number links to the
appeal list with the matching filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gigunion.appeals.access import appeals_visible_to
from gigunion.appeals.selectors import Figure, Filter, Measures, appeal_measures, appeal_totals, appeals_overdue
from gigunion.office.common import jurisdiction_context, staff_required
from gigunion.orgs import access


def appeal_list_url(query: Filter) -> str:
    """The appeal list (/office/appeals/) filtered by `query`."""
    params = QueryDict(mutable=True)
    params.update(query)
    return f"{reverse('office:appeal_list')}?{params.urlencode()}"


def _date(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _links(row: Measures) -> dict[str, str]:
    if not row.linked:
        return {}
    return {
        "received": appeal_list_url(row.filter),
        "responded": appeal_list_url(row.response.numerator_filter),
        "done": appeal_list_url(row.resolution.numerator_filter),
        "on_time": appeal_list_url(row.on_time.numerator_filter),
        "rated": appeal_list_url(row.satisfaction.denominator_filter),
        "satisfied": appeal_list_url(row.satisfaction.numerator_filter),
        "overdue": appeal_list_url(row.overdue_filter),
    }


def _rows(rows: list[Measures]) -> list[dict[str, Any]]:
    return [{"measures": row, "links": _links(row)} for row in rows]


def _link(url: str, number: int) -> str:
    return format_html('<a href="{}">{}</a>', url, number)


def _stat(key: str, name: str, figure: Figure) -> dict[str, Any]:
    """A rate as "N of M (x%)", each number a link to the appeals it counts."""
    sentence = format_html(
        _("{numerator} of {denominator} ({percent})"),
        numerator=_link(appeal_list_url(figure.numerator_filter), figure.numerator),
        denominator=_link(appeal_list_url(figure.denominator_filter), figure.denominator),
        percent=figure.percent,
    )
    return {"key": key, "name": name, "figure": figure, "sentence": sentence}


@staff_required
@require_GET
def appeal_measures_page(request: HttpRequest) -> HttpResponse:
    """有诉必应 in figures; ?since=&until= (default: this year), ?region= (404 outside the jurisdiction)."""
    context = jurisdiction_context(request)
    now = timezone.now()
    today = timezone.localdate(now)
    since = _date(request.GET.get("since"), today.replace(month=1, day=1))
    until = _date(request.GET.get("until"), today)
    if until < since:
        since, until = until, since
    code = request.GET.get("region", "")
    region = access.region_for_staff(request.user, code=code) if code else None
    home = context["home_organization"].region
    result = appeal_measures(
        appeals_visible_to(request.user), since=since, until=until, now=now, region=region, area=home
    )
    rate_names = [_("Response rate"), _("On-time rate"), _("Resolution rate"), _("Satisfaction rate")]

    def rates(rows: list[Measures]) -> list[list[float | None]]:
        return [
            [None if figure.value is None else round(figure.value * 100, 1) for figure in figures]
            for figures in zip(*[(r.response, r.on_time, r.resolution, r.satisfaction) for r in rows], strict=True)
        ] or [[] for _name in rate_names]

    context.update(
        {
            "region": region,
            "parent": region.parent if region is not None and home is not None and region.code != home.code else None,
            "since": since,
            "until": until,
            "result": result,
            "total": _rows([result.total])[0],
            "stats": [
                _stat("response", rate_names[0], result.total.response),
                _stat("on_time", rate_names[1], result.total.on_time),
                _stat("resolution", rate_names[2], result.total.resolution),
                _stat("satisfaction", rate_names[3], result.total.satisfaction),
            ],
            "tables": [
                (_("By category"), _("Category"), _rows(result.by_category), False),
                (_("By union holding the case"), _("Union"), _rows(result.by_union), False),
                (_("By region where the worker works"), _("Region"), _rows(result.by_region), True),
                (_("By month received"), _("Month"), _rows(result.by_month), False),
            ],
            "category_chart": {
                "labels": [row.label for row in result.by_category],
                "names": rate_names,
                "series": rates(result.by_category),
            },
            "trend_chart": {
                "labels": [row.label for row in result.by_month],
                "names": rate_names,
                "series": rates(result.by_month),
            },
        }
    )
    return render(request, "office/appeal_measures.html", context)


def appeal_home_figures(request: HttpRequest) -> dict[str, Any]:
    """The home page tile: this year's response rate and today's open overdue appeals of the jurisdiction."""
    now = timezone.now()
    today = timezone.localdate(now)
    visible = appeals_visible_to(request.user)
    totals = appeal_totals(visible, since=today.replace(month=1, day=1), until=today, now=now)
    return {
        "response": totals.response,
        "response_url": reverse("office:appeal_measures"),
        "overdue": appeals_overdue(visible, now=now).count(),
        "overdue_url": appeal_list_url({"status": "open", "overdue": "1"}),
    }
