"""Back office: survey rounds (摸底轮次). The list of rounds (provincial administrators open new ones), and
a round's page for the user's area or an area within it: its status and submissions, the figures by
child region (survey-sheet figures and corrections marked), survey entries and the survey-sheet
exchange before submission, submitting, and corrections with a reason afterwards.

Any staff role may look; operators and administrators change (the services refuse viewers: 403).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigunion.core.exceptions import DomainError, NotAllowed
from gigunion.core.occupations import Occupation
from gigunion.core.tabular import RowError
from gigunion.office.common import ACCESS_ERRORS, XLSX, download, jurisdiction_context, staff_required
from gigunion.orgs import access
from gigunion.regions.models import Region
from gigunion.surveys.models import ALL, FIGURE_NAMES, RoundFigure, SubmissionKind, SurveyRound
from gigunion.surveys.selectors import (
    PEOPLE_FIGURES,
    AreaFigures,
    Counts,
    area_figures,
    area_locked_by,
    occupation_label,
    round_submissions,
    survey_entries,
)
from gigunion.surveys.services import round_correct, round_create, round_submit, survey_entry_save
from gigunion.surveys.sheets import round_preview, sheet_xlsx, survey_sheet_import

FIGURE_LABELS = {
    "employers": gettext_lazy("Employers"),
    "unions": gettext_lazy("Unions"),
    "covered_employers": gettext_lazy("Covered employers"),
    "workers": gettext_lazy("Workers"),
    "members": gettext_lazy("Members"),
}


class RoundForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=32, help_text=gettext_lazy("e.g. 2026 H2"))
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))


def _occupation_choices() -> list[tuple[str, str]]:
    return [(ALL, _("All occupations")), *[(str(value), str(label)) for value, label in Occupation.choices]]


class CellForm(forms.Form):
    region_code = forms.ChoiceField(label=gettext_lazy("Region"))
    occupation = forms.ChoiceField(label=gettext_lazy("Occupation"))
    employers = forms.IntegerField(label=gettext_lazy("Employers"), min_value=0, required=False)
    unions = forms.IntegerField(label=gettext_lazy("Unions"), min_value=0, required=False)
    covered_employers = forms.IntegerField(label=gettext_lazy("Covered employers"), min_value=0, required=False)
    workers = forms.IntegerField(label=gettext_lazy("Workers"), min_value=0, required=False)
    members = forms.IntegerField(label=gettext_lazy("Members"), min_value=0, required=False)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = regions  # type: ignore[attr-defined]
        self.fields["occupation"].choices = _occupation_choices()  # type: ignore[attr-defined]

    def values(self) -> dict[str, object]:
        return {name: self.cleaned_data.get(name) for name in FIGURE_NAMES}


class EntryForm(CellForm):
    note = forms.CharField(label=gettext_lazy("Source / note"), max_length=200, required=False)


class CorrectionForm(CellForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


class SheetForm(forms.Form):
    sheet = forms.FileField(label=gettext_lazy("Filled survey sheet (XLSX or CSV)"))


def _require_change(request: HttpRequest) -> None:
    if not access.require_jurisdiction(request.user).can_change:
        raise NotAllowed(_("Viewers cannot change survey figures."))


def _round(round_id: int) -> SurveyRound:
    return get_object_or_404(SurveyRound, pk=round_id)


def _area(request: HttpRequest, context: dict[str, Any], code: str) -> Region | None:
    """The area asked for (?region=CODE, 404 outside the jurisdiction), else the user's own."""
    if code:
        return access.region_for_staff(request.user, code=code)
    home: Region | None = context["home_organization"].region
    return home


def _prefix(region: Region | None) -> str:
    return region.prefix if region is not None else ""


def _round_url(round: SurveyRound, region: Region | None = None, home: Region | None = None) -> str:
    url = reverse("office:round_detail", args=[round.pk])
    if region is not None and (home is None or region.code != home.code):
        return f"{url}?region={region.code}"
    return url


@dataclass(frozen=True)
class FigureCell:
    value: int
    entered: bool
    corrected: bool


@dataclass(frozen=True)
class FigureRow:
    region: Region | None
    label: str
    cells: list[FigureCell]
    counts: Counts
    notes: list[str]
    drill_down: str


def _marks(figures: AreaFigures, child: str | None) -> tuple[set[str], bool]:
    """The figures of a place's all-occupations row taken from survey sheets, and whether any was corrected."""
    names: set[str] = set()
    corrected = False
    for (place, occupation), entered in figures.entered.items():
        if place != child:
            continue
        names |= entered if occupation == ALL else entered & set(PEOPLE_FIGURES)
    for place, _occupation in figures.corrected:
        corrected = corrected or place == child
    return names, corrected


def _rows(figures: AreaFigures, round: SurveyRound, notes: dict[str | None, list[str]]) -> list[FigureRow]:
    rows = []
    for child, counts in figures.places():
        code = child.code if child is not None else None
        entered, corrected = _marks(figures, code)
        rows.append(
            FigureRow(
                region=child,
                label=child.name if child is not None else _("%(area)s itself") % {"area": figures.name},
                cells=[FigureCell(getattr(counts, name), name in entered, corrected) for name in FIGURE_NAMES],
                counts=counts,
                notes=notes.get(code, []),
                drill_down=_round_url(round, child) if child is not None else "",
            )
        )
    return rows


def _status(round: SurveyRound, prefix: str) -> dict[str, Any]:
    locked = area_locked_by(round, prefix)
    submissions = list(round_submissions(round, prefix))
    lower = [s for s in submissions if s.kind == SubmissionKind.SUBMISSION and len(s.region_prefix) > len(prefix)]
    return {"locked": locked, "submissions": submissions, "partly": locked is None and bool(lower)}


def _region_choices(region: Region | None, figures: AreaFigures) -> list[tuple[str, str]]:
    choices = [(region.code, region.name)] if region is not None else []
    choices += [(child.code, f"— {child.name}") for child in figures.children]
    return choices


def _entry_notes(round: SurveyRound, figures: AreaFigures) -> dict[str | None, list[str]]:
    prefixes = sorted(((child.prefix, child.code) for child in figures.children), key=lambda item: -len(item[0]))
    notes: dict[str | None, list[str]] = {}
    for entry in survey_entries(round, _prefix(figures.region)):
        place = next((code for prefix, code in prefixes if entry.region_code.startswith(prefix)), None)
        text = (
            f"{occupation_label(entry.occupation)}: {entry.note}" if entry.note else occupation_label(entry.occupation)
        )
        notes.setdefault(place, []).append(text)
    return notes


@staff_required
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    """The survey rounds, with the state of the user's area in each; provincial administrators open rounds."""
    context = jurisdiction_context(request)
    jurisdiction = context["jurisdiction"]
    may_create = jurisdiction.can_administer and len(jurisdiction.region_prefix) <= 2
    form = RoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_create:
            raise NotAllowed(_("Only administrators of the provincial federation open survey rounds."))
        if form.is_valid():
            try:
                created = round_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                )
            except ACCESS_ERRORS:
                raise
            except DomainError as error:
                form.add_error(error.code if error.code in form.fields else None, error.message)
            else:
                messages.success(request, _("The round %(name)s is open.") % {"name": created.name})
                return redirect("office:round_detail", round_id=created.pk)
    prefix = jurisdiction.region_prefix
    rounds = [(item, _status(item, prefix)) for item in SurveyRound.objects.order_by("-starts_on", "-name")]
    context.update({"rounds": rounds, "form": form, "may_create": may_create})
    return render(request, "office/round_list.html", context)


@staff_required
@require_GET
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    """A round for an area: status, submissions and corrections, the figures by child region, and the forms."""
    round = _round(round_id)
    context = jurisdiction_context(request)
    region = _area(request, context, request.GET.get("region", ""))
    home = context["home_organization"].region
    prefix = _prefix(region)
    status = _status(round, prefix)
    figures = area_figures(region, round=round) if status["locked"] else round_preview(region, round)
    choices = _region_choices(region, figures)
    can_change = context["jurisdiction"].can_change
    corrections = (
        RoundFigure.objects.filter(
            round=round, submission__kind=SubmissionKind.CORRECTION, region_code__startswith=prefix
        )
        .select_related("submission")
        .order_by("submission__submitted_at", "pk")
    )
    context.update(
        {
            "round": round,
            "region": region,
            "parent": region.parent if region is not None and home is not None and region.code != home.code else None,
            "parent_url": _round_url(round, region.parent, home) if region is not None and region.parent else "",
            "own_area": home is None or (region is not None and region.code == home.code),
            "status": status,
            "figures": figures,
            "rows": _rows(figures, round, _entry_notes(round, figures)),
            "total": figures.total(),
            "occupations": [
                (occupation_label(code), counts, figures.entered.get((None, code), set()))
                for code, counts in figures.occupations()
            ],
            "headers": [FIGURE_LABELS[name] for name in FIGURE_NAMES],
            "entries": _with_occupation_names(survey_entries(round, prefix)),
            "corrections": _with_occupation_names(corrections),
            "can_change": can_change,
            "entry_form": EntryForm(regions=choices, initial={"region_code": choices[0][0] if choices else ""}),
            "correction_form": CorrectionForm(regions=choices),
            "sheet_form": SheetForm(),
            "region_query": f"?region={region.code}" if region is not None else "",
        }
    )
    return render(request, "office/round_detail.html", context)


def _back(round: SurveyRound, request: HttpRequest) -> HttpResponse:
    code = request.POST.get("area", "") or request.GET.get("region", "")
    url = reverse("office:round_detail", args=[round.pk])
    return redirect(f"{url}?{QueryDict(f'region={code}').urlencode()}" if code else url)


@staff_required
@require_POST
def round_submit_view(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(round_id)
    _require_change(request)
    try:
        submission = round_submit(user=request.user, round=round)
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        count = submission.figures.count()
        messages.success(request, _("The figures are submitted and locked (%(count)s cells).") % {"count": count})
    return _back(round, request)


T = TypeVar("T")


def _with_occupation_names(items: Iterable[T]) -> list[T]:
    """The items, each with `occupation_name`: the label of its occupation code ("all" too), not the code."""
    named = list(items)
    for item in named:
        item.occupation_name = occupation_label(item.occupation)  # type: ignore[attr-defined]
    return named


def _area_choices(request: HttpRequest, round: SurveyRound) -> list[tuple[str, str]]:
    context = jurisdiction_context(request)
    region = _area(request, context, request.POST.get("area", ""))
    children = list(region.children.filter(is_current=True).order_by("code")) if region is not None else []
    choices = [(region.code, region.name)] if region is not None else []
    return choices + [(child.code, child.name) for child in children]


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


@staff_required
@require_POST
def round_entry(request: HttpRequest, round_id: int) -> HttpResponse:
    """Save the survey-sheet figures of one cell (blank figures: computed)."""
    round = _round(round_id)
    _require_change(request)
    form = EntryForm(request.POST, regions=_area_choices(request, round))
    if not form.is_valid():
        _form_errors(request, form)
        return _back(round, request)
    try:
        entry = survey_entry_save(
            user=request.user,
            round=round,
            region_code=form.cleaned_data["region_code"],
            occupation=form.cleaned_data["occupation"],
            values=form.values(),
            note=form.cleaned_data["note"],
        )
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The survey figures are saved.") if entry else _("The cell is computed again from the data.")
        )
    return _back(round, request)


@staff_required
@require_POST
def round_correction(request: HttpRequest, round_id: int) -> HttpResponse:
    """Correct submitted figures of one cell: a new version, with the reason."""
    round = _round(round_id)
    _require_change(request)
    form = CorrectionForm(request.POST, regions=_area_choices(request, round))
    if not form.is_valid():
        _form_errors(request, form)
        return _back(round, request)
    try:
        round_correct(
            user=request.user,
            round=round,
            region_code=form.cleaned_data["region_code"],
            occupation=form.cleaned_data["occupation"],
            values=form.values(),
            reason=form.cleaned_data["reason"],
        )
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The correction is saved as a new version."))
    return _back(round, request)


@staff_required
@require_GET
def round_sheet(request: HttpRequest, round_id: int) -> HttpResponse:
    """The survey sheet of the area: its cells with the current figures (entered figures where set)."""
    round = _round(round_id)
    context = jurisdiction_context(request)
    region = _area(request, context, request.GET.get("region", ""))
    name = f"摸底表-{region.name if region is not None else '全国'}-{round.name}.xlsx".replace(" ", "")
    return download(sheet_xlsx(region, round), filename=name, content_type=XLSX)


@staff_required
@require_POST
def round_sheet_upload(request: HttpRequest, round_id: int) -> HttpResponse:
    """Take a filled survey sheet: every row saved as an entry, or nothing when any row is wrong."""
    round = _round(round_id)
    _require_change(request)
    form = SheetForm(request.POST, request.FILES)
    errors: list[RowError] = []
    if not form.is_valid():
        _form_errors(request, form)
        return _back(round, request)
    upload = form.cleaned_data["sheet"]
    try:
        saved, errors = survey_sheet_import(user=request.user, round=round, data=upload.read(), filename=upload.name)
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        messages.error(request, error.message)
        return _back(round, request)
    if not errors:
        messages.success(request, _("The survey sheet is taken in: %(count)s cells.") % {"count": saved})
        return _back(round, request)
    context = jurisdiction_context(request)
    context.update({"round": round, "errors": errors, "back": request.POST.get("area", "")})
    return render(request, "office/round_sheet_errors.html", context, status=400)


@staff_required
@require_GET
def round_history(request: HttpRequest, round_id: int) -> HttpResponse:
    """Every version of the cells of one region (at its own level) in the round: submissions and corrections."""
    round = _round(round_id)
    context = jurisdiction_context(request)
    region = _area(request, context, request.GET.get("region", ""))
    occupation = request.GET.get("occupation", "")
    rows = RoundFigure.objects.filter(round=round, region_code=region.code if region is not None else "")
    if occupation:
        rows = rows.filter(occupation=occupation)
    versions = [
        (row, occupation_label(row.occupation), [getattr(row, name) for name in FIGURE_NAMES])
        for row in rows.select_related("submission__organization", "submission__submitted_by").order_by(
            "occupation", "pk"
        )
    ]
    context.update(
        {
            "round": round,
            "region": region,
            "versions": versions,
            "headers": [FIGURE_LABELS[name] for name in FIGURE_NAMES],
            "back_url": _round_url(round, region, context["home_organization"].region),
        }
    )
    return render(request, "office/round_history.html", context)
