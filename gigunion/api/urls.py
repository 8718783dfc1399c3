from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from gigunion.api.auth import count_rows
from gigunion.api.errors import ApiError, PayloadTooLarge
from gigunion.api.platform import router as platform_router
from gigunion.api.schemas import ErrorBody, ErrorOut
from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible

API_VERSION = "1.0.0"

api = NinjaAPI(
    title="gigunion platform API",
    version=API_VERSION,
    description=(
        "REST API for platform partners of the union federation (新就业形态劳动者工会服务平台). "
        'Every error answers with one JSON shape: {"error": {"code", "message", "details"}}.\n\n'
        "Authenticate with `Authorization: Bearer <API key>`: a missing, unknown, revoked or expired key answers "
        "401; a key without the operation's scope (roster:write, status:read, join_tokens) 403; more calls a "
        "minute than the key's limit 429 with a Retry-After header. Every call is logged."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


__all__ = ["API_VERSION", "ErrorBody", "ErrorOut", "api", "error_response"]


def error_response(
    request: HttpRequest, *, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "details": details or []}}, status=status
    )


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    if isinstance(exc, PayloadTooLarge) and exc.rows:
        count_rows(request, exc.rows)
    response = error_response(request, status=exc.status, code=exc.code, message=exc.message, details=exc.details)
    for header, value in exc.headers.items():
        response[header] = value
    return response


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, status=413, code="payload_too_large", message=_("The request body is too large."))


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"location": [str(part) for part in error.get("loc", [])], "message": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return error_response(request, status=422, code="invalid", message=_("The request is not valid."), details=details)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, status=401, code="unauthorized", message=_("A valid API key is required."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, status=exc.status_code, code="http_error", message=str(exc))


@api.exception_handler(NotVisible)
def _not_visible(request: HttpRequest, exc: NotVisible) -> HttpResponse:
    return error_response(request, status=404, code="not_found", message=_("Not found."))


@api.exception_handler(NotAllowed)
def _not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    return error_response(request, status=403, code="forbidden", message=_("You are not allowed to do this."))


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, status=422, code=exc.code, message=exc.message)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    import logging

    logging.getLogger("gigunion.api").exception("unhandled API error")
    return error_response(request, status=500, code="server_error", message=_("Something went wrong on our side."))


class HealthOut(Schema):
    status: str
    version: str


@api.get("/health", response={200: HealthOut}, tags=["meta"], summary="Service health")
def health(request: HttpRequest) -> dict[str, str]:
    """Answers 200 when the service is up. Needs no API key."""
    return {"status": "ok", "version": API_VERSION}


api.add_router("", platform_router)
