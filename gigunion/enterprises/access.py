"""Which enterprises a staff user may see or change: those registered in their jurisdiction's region."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gigunion.core.exceptions import NotAllowed, NotVisible
from gigunion.enterprises.models import Enterprise
from gigunion.orgs.access import require_jurisdiction


def enterprises_visible_to(user: Any) -> QuerySet[Enterprise]:
    jurisdiction = require_jurisdiction(user)
    return Enterprise.objects.filter(region__code__startswith=jurisdiction.region_prefix)


def enterprise_for_staff(user: Any, *, enterprise_id: int, change: bool = False) -> Enterprise:
    jurisdiction = require_jurisdiction(user)
    enterprise = enterprises_visible_to(user).select_related("region", "parent").filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotVisible()
    if change and not jurisdiction.can_change:
        raise NotAllowed()
    return enterprise
