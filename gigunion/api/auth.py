"""API keys on the platform API: `Authorization: Bearer gu_<prefix>_<secret>`, scopes and a rate limit per key.

The order of the checks is fixed: a usable key (401), the key's rate limit (429, every call counts,
refused ones too), the operation's scope (403), the size of the body (413).
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from gigunion.api.errors import ApiError, PayloadTooLarge
from gigunion.core import ratelimit
from gigunion.platforms.models import ApiKey, Scope
from gigunion.platforms.services import api_key_authenticate

# Largest request body the API reads (a full roster batch of 1000 workers is about 250 kB).
MAX_BODY_BYTES = 2 * 1024 * 1024
RATE_WINDOW_SECONDS = 60

# What the audit middleware reads off the request (the key that called, how many workers it concerned).
KEY_ATTRIBUTE = "gigunion_api_key"
ROWS_ATTRIBUTE = "gigunion_api_rows"


def _clock() -> float:
    return time.time()


def request_key(request: HttpRequest) -> ApiKey | None:
    key = getattr(request, KEY_ATTRIBUTE, None)
    return key if isinstance(key, ApiKey) else None


def count_rows(request: Any, rows: int) -> None:
    """Record how many workers the call sent or asked about (ApiCall.rows)."""
    if isinstance(request, HttpRequest):
        setattr(request, ROWS_ATTRIBUTE, rows)


def request_rows(request: HttpRequest) -> int:
    rows = getattr(request, ROWS_ATTRIBUTE, 0)
    return rows if isinstance(rows, int) else 0


class ApiKeyAuth(HttpBearer):
    """A usable key of an active platform, holding at least one of `scopes` (none given: any key)."""

    openapi_bearerFormat = "gu_<prefix>_<secret>"
    openapi_description = (
        "An API key issued by the union federation holding your data agreement, sent as "
        "`Authorization: Bearer gu_<prefix>_<secret>`. Keys carry scopes (roster:write, status:read, "
        "join_tokens) and a rate limit per minute."
    )

    def __init__(self, *scopes: Scope) -> None:
        super().__init__()
        self.scopes = frozenset(str(scope) for scope in scopes)

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = api_key_authenticate(token.strip())
        if key is None:
            return None
        setattr(request, KEY_ATTRIBUTE, key)
        limit = ratelimit.Limit(count=key.rate_per_minute, seconds=RATE_WINDOW_SECONDS)
        now = _clock()
        if not ratelimit.hit("api-key", str(key.pk), limit, now=now):
            retry_after = max(1, RATE_WINDOW_SECONDS - int(now) % RATE_WINDOW_SECONDS)
            raise ApiError(
                429,
                "rate_limited",
                _("Too many requests with this API key; try again in %(seconds)d seconds.") % {"seconds": retry_after},
                details=[{"limit_per_minute": key.rate_per_minute, "retry_after": retry_after}],
                headers={"Retry-After": str(retry_after)},
            )
        if self.scopes and not self.scopes & set(key.scopes):
            raise ApiError(
                403,
                "missing_scope",
                _("This API key may not do this; it needs one of the scopes: %(scopes)s.")
                % {"scopes": ", ".join(sorted(self.scopes))},
                details=[{"required_scopes": sorted(self.scopes), "key_scopes": sorted(key.scopes)}],
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise PayloadTooLarge(
                _("The request body is larger than %(megabytes)d MB.") % {"megabytes": MAX_BODY_BYTES // (1024 * 1024)}
            )
        return key
