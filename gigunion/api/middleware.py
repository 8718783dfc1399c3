"""The audit trail of the platform API: every call to /api/v1/ is written to platforms.ApiCall.

Who called (the key and its platform, none when no usable key was sent), what (method, path), the
answer's status, how long it took, how many workers it concerned, from which address. Health, the
docs and the OpenAPI document are not platform calls and are not written.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from gigunion.api.auth import request_key, request_rows
from gigunion.platforms.models import ApiCall

PREFIX = "/api/v1/"
NOT_AUDITED = frozenset({"/api/v1/docs", "/api/v1/openapi.json", "/api/v1/health"})

logger = logging.getLogger("gigunion.api")


def audited(path: str) -> bool:
    return path.startswith(PREFIX) and path.rstrip("/") not in NOT_AUDITED


class ApiCallMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not audited(request.path):
            return self.get_response(request)
        started = time.monotonic()
        response = self.get_response(request)
        key = request_key(request)
        try:
            ApiCall.objects.create(
                platform=key.platform if key is not None else None,
                api_key=key,
                method=(request.method or "")[:8],
                path=request.path[:200],
                status=response.status_code,
                duration_ms=int((time.monotonic() - started) * 1000),
                rows=request_rows(request),
                ip_address=request.META.get("REMOTE_ADDR") or None,
            )
        except Exception:  # the answer stands even when the audit row cannot be written; the log says so
            logger.exception("could not write the API call log")
        return response
