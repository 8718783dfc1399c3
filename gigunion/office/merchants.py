"""Back office: partner merchants (暖心商户), their offers, counter links and redemptions.

A merchant's counter link (/m/desk/<secret>/) lets its phone verify member cards and log the discounts
taken; it is a credential, so only operators and administrators see it, and replacing it (a lost
phone) ends the old one at once and is audited. The redemption log shows members' names masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from typing import Any, cast

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible
from gigunion.core.masking import mask_name
from gigunion.core.tabular import export_xlsx
from gigunion.office.common import ACCESS_ERRORS, PAGE_SIZE, XLSX, dated, download, jurisdiction_context, staff_required
from gigunion.office.stations import CRS_CHOICES, form_point, map_config, public_url, region_suggestions
from gigunion.orgs import access
from gigunion.regions.models import Region
from gigunion.regions.selectors import region_children
from gigunion.stations import services as station_services
from gigunion.stations.access import merchant_for_staff, merchants_visible_to
from gigunion.stations.checks import Checked, check_coordinates, parse_contact_phone
from gigunion.stations.geo import Crs
from gigunion.stations.models import Merchant, Offer, Redemption
from gigunion.stations.selectors import redemptions_by_merchant, redemptions_by_offer

RECENT_DAYS = 30
MAX_CATEGORIES = 100
MERCHANT_EXPORT_HEADERS = [
    "商户名称",
    "类别",
    "区划代码",
    "地区",
    "地址",
    "经度",
    "纬度",
    "坐标系",
    "联系人",
    "联系电话",
    "状态",
    "当前优惠",
    f"近{RECENT_DAYS}天核销",
]
_ERROR_FIELDS = {"region": "region", "jurisdiction": "region", "duplicate": "name"}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def desk_url(request: HttpRequest, merchant: Merchant) -> str:
    """The merchant's counter link, opened on the merchant's phone."""
    return public_url(request, reverse("mobile:merchant_desk", kwargs={"secret": merchant.desk_secret}))


# ---------------------------------------------------------------------------------------------
# The list and its export
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MerchantFilters:
    q: str
    region: Region | None
    category: str
    active: str  # "", "yes", "no"


def _filters(request: HttpRequest) -> MerchantFilters:
    code = request.GET.get("region", "").strip()
    active = request.GET.get("active", "")
    return MerchantFilters(
        q=request.GET.get("q", "").strip()[:64],
        region=access.region_for_staff(request.user, code=code) if code else None,
        category=request.GET.get("category", "").strip()[:32],
        active=active if active in ("yes", "no") else "",
    )


def _filtered(request: HttpRequest, filters: MerchantFilters) -> QuerySet[Merchant]:
    merchants = merchants_visible_to(request.user)
    if filters.q:
        merchants = merchants.filter(Q(name__contains=filters.q) | Q(address__contains=filters.q))
    if filters.region is not None:
        merchants = merchants.filter(region__code__startswith=filters.region.prefix)
    if filters.category:
        merchants = merchants.filter(category=filters.category)
    if filters.active:
        merchants = merchants.filter(is_active=filters.active == "yes")
    return merchants.order_by("region_id", "name", "pk")


def _current_offers(merchant_ids: list[int], day: date) -> dict[int, list[Offer]]:
    offers: dict[int, list[Offer]] = {}
    for offer in Offer.objects.filter(merchant_id__in=merchant_ids, is_active=True).order_by("title", "pk"):
        if offer.is_current(day):
            offers.setdefault(offer.merchant_id, []).append(offer)
    return offers


@staff_required
@require_GET
def merchant_list(request: HttpRequest) -> HttpResponse:
    """The partner merchants of the jurisdiction: filters, current offers, recent redemptions, Excel export."""
    filters = _filters(request)
    merchants = _filtered(request, filters)
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    if request.GET.get("format") == "xlsx":
        return _merchant_export(merchants, since=since)
    page = Paginator(merchants, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [merchant.pk for merchant in page]
    offers = _current_offers(ids, timezone.localdate())
    redeemed = redemptions_by_merchant(Merchant.objects.filter(pk__in=ids), since=since)
    context = jurisdiction_context(request)
    home: Region | None = context["home_organization"].region
    child_regions = list(region_children(region=home)) if home is not None else []
    if filters.region is not None and filters.region.code not in {region.code for region in child_regions}:
        child_regions.append(filters.region)
    context.update(
        {
            "page": page,
            "rows": [(merchant, offers.get(merchant.pk, []), redeemed.get(merchant.pk, 0)) for merchant in page],
            "filters": filters,
            "child_regions": child_regions,
            "categories": list(
                merchants_visible_to(request.user)
                .exclude(category="")
                .order_by("category")
                .values_list("category", flat=True)
                .distinct()[:MAX_CATEGORIES]
            ),
            "recent_days": RECENT_DAYS,
        }
    )
    return render(request, "office/merchant_list.html", context)


def _merchant_export(merchants: QuerySet[Merchant], *, since: Any) -> HttpResponse:
    today = timezone.localdate()

    def rows() -> Any:
        stream = merchants.iterator(chunk_size=2000)
        while chunk := list(islice(stream, 2000)):
            ids = [merchant.pk for merchant in chunk]
            offers = _current_offers(ids, today)
            redeemed = redemptions_by_merchant(Merchant.objects.filter(pk__in=ids), since=since)
            for merchant in chunk:
                yield [
                    merchant.name,
                    merchant.category,
                    merchant.region_id,
                    merchant.region.name,
                    merchant.address,
                    merchant.lng,
                    merchant.lat,
                    Crs.WGS84.value,
                    merchant.contact_name,
                    merchant.contact_phone,
                    "启用" if merchant.is_active else "停用",
                    "、".join(offer.title for offer in offers.get(merchant.pk, [])),
                    redeemed.get(merchant.pk, 0),
                ]

    data = export_xlsx(MERCHANT_EXPORT_HEADERS, rows(), sheet_title="暖心商户")
    return download(data, filename=dated("暖心商户", "xlsx"), content_type=XLSX)


# ---------------------------------------------------------------------------------------------
# Create and change
# ---------------------------------------------------------------------------------------------


class MerchantForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=128)
    category = forms.CharField(
        label=gettext_lazy("Category"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("e.g. 餐饮, 车辆维修, 超市"),
        widget=forms.TextInput(attrs={"list": "merchant-categories"}),
    )
    region = forms.CharField(
        label=gettext_lazy("Division code"),
        max_length=12,
        help_text=gettext_lazy("The county or street it lies in (6 or 9 digits)."),
        widget=forms.TextInput(attrs={"list": "merchant-regions", "inputmode": "numeric", "autocomplete": "off"}),
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
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=64, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=32, required=False)
    is_active = forms.BooleanField(
        label=gettext_lazy("Active (shown to workers; its counter link works)"), required=False, initial=True
    )

    def checked(self) -> Checked:
        """The values to save, with the coordinates checked and converted as a station's are."""
        data = self.cleaned_data
        checked = Checked()
        check_coordinates(data.get("lat", ""), data.get("lng", ""), data.get("crs", Crs.WGS84.value), checked)
        try:
            checked.values["contact_phone"] = parse_contact_phone(data.get("contact_phone", ""))
        except ValueError as error:
            checked.errors["contact_phone"] = str(error)
        for key in ("name", "category", "region", "address", "contact_name"):
            checked.values[key] = str(data.get(key, "")).strip()
        checked.values["is_active"] = bool(data.get("is_active"))
        return checked


def _initial(merchant: Merchant) -> dict[str, Any]:
    return {
        "name": merchant.name,
        "category": merchant.category,
        "region": merchant.region_id,
        "address": merchant.address,
        "crs": Crs.WGS84.value,
        "lat": f"{merchant.lat:.7f}".rstrip("0").rstrip("."),
        "lng": f"{merchant.lng:.7f}".rstrip("0").rstrip("."),
        "contact_name": merchant.contact_name,
        "contact_phone": merchant.contact_phone,
        "is_active": merchant.is_active,
    }


def _save(request: HttpRequest, form: MerchantForm, merchant: Merchant | None) -> Merchant | None:
    valid = form.is_valid()
    checked = form.checked()  # on every field, so all the mistakes show at once
    for key, message in checked.errors.items():
        if key not in form.errors:
            form.add_error(key if key in form.fields else None, message)
    if not valid or not checked.ok:
        return None
    try:
        return station_services.merchant_save(
            jurisdiction=access.require_jurisdiction(request.user),
            actor=_actor(request),
            values=checked.values,
            merchant=merchant,
        )
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        form.add_error(_ERROR_FIELDS.get(error.code), error.message)
        return None


def _render_form(request: HttpRequest, form: MerchantForm, merchant: Merchant | None) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    context = jurisdiction_context(request)
    context.update(
        {
            "form": form,
            "merchant": merchant,
            "regions": region_suggestions(jurisdiction),
            "categories": list(
                merchants_visible_to(request.user)
                .exclude(category="")
                .order_by("category")
                .values_list("category", flat=True)
                .distinct()[:MAX_CATEGORIES]
            ),
            "map_config": map_config(),
            "map_point": form_point(form, merchant),
        }
    )
    return render(request, "office/merchant_form.html", context, status=400 if form.errors else 200)


@staff_required
@require_http_methods(["GET", "POST"])
def merchant_new(request: HttpRequest) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    if not jurisdiction.can_change:
        raise NotAllowed(_("Your role may look but not change."))
    if request.method == "POST":
        form = MerchantForm(request.POST)
        merchant = _save(request, form, None)
        if merchant is not None:
            messages.success(request, _("The merchant “%(name)s” is added.") % {"name": merchant.name})
            return redirect("office:merchant_detail", merchant_id=merchant.pk)
    else:
        home = jurisdiction_context(request)["home_organization"].region
        form = MerchantForm(initial={"region": home.code if home is not None else "", "crs": Crs.WGS84.value})
    return _render_form(request, form, None)


@staff_required
@require_http_methods(["GET", "POST"])
def merchant_edit(request: HttpRequest, merchant_id: int) -> HttpResponse:
    merchant = merchant_for_staff(request.user, merchant_id=merchant_id, change=True)
    if request.method == "POST":
        form = MerchantForm(request.POST)
        saved = _save(request, form, merchant)
        if saved is not None:
            messages.success(request, _("The merchant is saved."))
            return redirect("office:merchant_detail", merchant_id=saved.pk)
        merchant.refresh_from_db()
    else:
        form = MerchantForm(initial=_initial(merchant))
    return _render_form(request, form, merchant)


# ---------------------------------------------------------------------------------------------
# One merchant: offers, counter link, redemptions
# ---------------------------------------------------------------------------------------------


class OfferForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Offer"), max_length=128, help_text=gettext_lazy("e.g. 会员就餐九折"))
    description = forms.CharField(
        label=gettext_lazy("Details"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


def _offer_save(request: HttpRequest, form: OfferForm, merchant: Merchant, offer: Offer | None) -> Offer | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return station_services.offer_save(
            jurisdiction=access.require_jurisdiction(request.user),
            merchant=merchant,
            title=data["title"],
            description=data["description"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            is_active=data["is_active"],
            offer=offer,
        )
    except ACCESS_ERRORS:
        raise
    except DomainError as error:
        form.add_error({"title": "title", "dates": "ends_on"}.get(error.code), error.message)
        return None


@dataclass(frozen=True)
class OfferRow:
    offer: Offer
    current: bool
    total: int
    recent: int


@dataclass(frozen=True)
class RedemptionRow:
    redemption: Redemption
    name_masked: str


def _render_detail(request: HttpRequest, merchant: Merchant, *, offer_form: OfferForm | None = None) -> HttpResponse:
    jurisdiction = access.require_jurisdiction(request.user)
    today = timezone.localdate()
    totals = redemptions_by_offer(merchant)
    recent = redemptions_by_offer(merchant, since=timezone.now() - timedelta(days=RECENT_DAYS))
    offers = [
        OfferRow(
            offer=offer,
            current=offer.is_current(today),
            total=totals.get(offer.pk, 0),
            recent=recent.get(offer.pk, 0),
        )
        for offer in merchant.offers.order_by("-is_active", "title", "pk")
    ]
    redemptions = Redemption.objects.filter(merchant=merchant).select_related("offer", "person", "union")
    page = Paginator(redemptions.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    if offer_form is None and jurisdiction.can_change:
        offer_form = OfferForm(prefix="offer")
    context = jurisdiction_context(request)
    context.update(
        {
            "merchant": merchant,
            "offers": offers,
            "redemption_total": sum(totals.values()),
            "redemption_recent": sum(recent.values()),
            "page": page,
            "redemptions": [RedemptionRow(r, mask_name(r.person.name)) for r in page],
            "recent_days": RECENT_DAYS,
            "may_change": jurisdiction.can_change,
            "offer_form": offer_form,
            "map_config": map_config(),
            "map_point": [merchant.lat, merchant.lng],
        }
    )
    if jurisdiction.can_change:
        url = desk_url(request, merchant)
        svg = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, svgclass="station-qr")
        context.update({"desk_url": url, "desk_qr": mark_safe(svg)})  # noqa: S308 - segno draws from the matrix only
    status = 400 if offer_form is not None and offer_form.errors else 200
    response = render(request, "office/merchant_detail.html", context, status=status)
    if jurisdiction.can_change:
        response["Cache-Control"] = "no-store"  # the counter link is a credential
    return response


@staff_required
@require_GET
def merchant_detail(request: HttpRequest, merchant_id: int) -> HttpResponse:
    return _render_detail(request, merchant_for_staff(request.user, merchant_id=merchant_id))


@staff_required
@require_POST
def merchant_offer_new(request: HttpRequest, merchant_id: int) -> HttpResponse:
    merchant = merchant_for_staff(request.user, merchant_id=merchant_id, change=True)
    form = OfferForm(request.POST, prefix="offer")
    offer = _offer_save(request, form, merchant, None)
    if offer is None:
        return _render_detail(request, merchant, offer_form=form)
    messages.success(request, _("The offer “%(title)s” is added.") % {"title": offer.title})
    return redirect(f"{reverse('office:merchant_detail', args=[merchant.pk])}#offers")


def _offer_of(merchant: Merchant, offer_id: int) -> Offer:
    offer = merchant.offers.filter(pk=offer_id).first()
    if offer is None:
        raise NotVisible()
    return offer


@staff_required
@require_http_methods(["GET", "POST"])
def merchant_offer_edit(request: HttpRequest, merchant_id: int, offer_id: int) -> HttpResponse:
    merchant = merchant_for_staff(request.user, merchant_id=merchant_id, change=True)
    offer = _offer_of(merchant, offer_id)
    if request.method == "POST":
        form = OfferForm(request.POST)
        if _offer_save(request, form, merchant, offer) is not None:
            messages.success(request, _("The offer is saved."))
            return redirect(f"{reverse('office:merchant_detail', args=[merchant.pk])}#offers")
        offer.refresh_from_db()
    else:
        form = OfferForm(
            initial={
                "title": offer.title,
                "description": offer.description,
                "starts_on": offer.starts_on,
                "ends_on": offer.ends_on,
                "is_active": offer.is_active,
            }
        )
    context = jurisdiction_context(request)
    context.update({"merchant": merchant, "offer": offer, "form": form})
    return render(request, "office/merchant_offer.html", context, status=400 if form.errors else 200)


@staff_required
@require_POST
def merchant_offer_active(request: HttpRequest, merchant_id: int, offer_id: int) -> HttpResponse:
    """End an offer (members no longer get it at the counter), or take it up again."""
    merchant = merchant_for_staff(request.user, merchant_id=merchant_id, change=True)
    offer = _offer_of(merchant, offer_id)
    active = request.POST.get("active") == "1"
    station_services.offer_save(
        jurisdiction=access.require_jurisdiction(request.user),
        merchant=merchant,
        title=offer.title,
        description=offer.description,
        starts_on=offer.starts_on,
        ends_on=offer.ends_on,
        is_active=active,
        offer=offer,
    )
    messages.success(
        request,
        (_("The offer “%(title)s” is active again.") if active else _("The offer “%(title)s” is ended."))
        % {"title": offer.title},
    )
    return redirect(f"{reverse('office:merchant_detail', args=[merchant.pk])}#offers")


@staff_required
@require_POST
def merchant_desk_reset(request: HttpRequest, merchant_id: int) -> HttpResponse:
    """A new counter link: the old one stops working at once (a lost or replaced phone)."""
    merchant = merchant_for_staff(request.user, merchant_id=merchant_id, change=True)
    station_services.merchant_desk_reset(
        jurisdiction=access.require_jurisdiction(request.user), actor=_actor(request), merchant=merchant
    )
    messages.success(
        request,
        _("The counter link is replaced: the old link no longer works. Open the new one on the merchant's phone."),
    )
    return redirect(f"{reverse('office:merchant_detail', args=[merchant.pk])}#desk")
