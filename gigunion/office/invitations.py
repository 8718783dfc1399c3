"""Back office: inviting ledger workers who have not joined (邀请入会) by text message."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gigunion.ledger.invitations import invitations_send
from gigunion.ledger.models import Worker
from gigunion.office.common import staff_required
from gigunion.orgs import access

MAX_WORKERS = 1000  # workers invited in one go (a page of the ledger list, or a few)


def _back(request: HttpRequest) -> str:
    """Where the form came from (this site only), else the ledger list."""
    for candidate in (request.POST.get("next", ""), request.headers.get("referer", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    try:
        return reverse("office:ledger")
    except NoReverseMatch:
        return reverse("office:home")


def _worker_ids(request: HttpRequest) -> list[int]:
    ids = []
    for value in request.POST.getlist("worker")[:MAX_WORKERS]:
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


@staff_required
@require_POST
def ledger_invite(request: HttpRequest) -> HttpResponse:
    """Text the chosen workers (checkboxes named "worker") an invitation from the staff's own union.

    Workers outside the jurisdiction are ignored (404 when none is inside); members, workers without a
    phone and workers texted in the last 30 days are skipped, and the message says how many.
    """
    jurisdiction = access.require_jurisdiction(request.user)
    if not jurisdiction.can_change:
        raise PermissionDenied(_("Your role may look but not change."))
    ids = _worker_ids(request)
    if not ids:
        messages.error(request, _("Choose the workers to invite."))
        return redirect(_back(request))
    workers = Worker.objects.filter(work_region__code__startswith=jurisdiction.region_prefix, pk__in=ids)
    if not workers.exists():
        raise Http404()
    organization = access.organization_for_staff(request.user, organization_id=jurisdiction.organization_id)
    base_url = settings.PUBLIC_BASE_URL or request.build_absolute_uri("/")
    result = invitations_send(
        workers=workers.order_by("pk"),
        actor=request.user,  # type: ignore[arg-type]
        organization=organization,
        base_url=base_url,
    )
    text = _(
        "Invitations sent: %(sent)d. Skipped: %(members)d already members, %(no_phone)d without a phone, "
        "%(recent)d invited in the last 30 days."
    ) % {
        "sent": result.sent,
        "members": result.skipped_member,
        "no_phone": result.skipped_no_phone,
        "recent": result.skipped_recently_invited,
    }
    if result.failed:
        text += " " + _("%(failed)d text messages could not be sent; try again later.") % {"failed": result.failed}
    (messages.warning if result.failed else messages.success)(request, text)
    return redirect(_back(request))
