"""Who may see or manage which platform partners: staff whose jurisdiction holds the agreement's federation.

Seeing takes any staff role; issuing, rotating and revoking keys takes an administrator.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gigunion.core.exceptions import NotAllowed, NotVisible
from gigunion.orgs.access import require_jurisdiction
from gigunion.platforms.models import ApiCall, ApiKey, Platform


def platforms_visible_to(user: Any) -> QuerySet[Platform]:
    jurisdiction = require_jurisdiction(user)
    return Platform.objects.select_related("organization").filter(
        organization__path__startswith=jurisdiction.organization_path
    )


def platform_for_staff(user: Any, *, platform_id: int, administer: bool = False) -> Platform:
    platform = platforms_visible_to(user).filter(pk=platform_id).first()
    if platform is None:
        raise NotVisible()
    if administer and not require_jurisdiction(user).can_administer:
        raise NotAllowed()
    return platform


def api_key_for_staff(user: Any, *, key_id: int, administer: bool = False) -> ApiKey:
    key = ApiKey.objects.select_related("platform__organization").filter(pk=key_id).first()
    if key is None:
        raise NotVisible()
    platform_for_staff(user, platform_id=key.platform_id, administer=administer)
    return key


def api_calls_visible_to(user: Any, *, platform: Platform) -> QuerySet[ApiCall]:
    platform_for_staff(user, platform_id=platform.pk)
    return ApiCall.objects.filter(platform=platform).select_related("api_key")
