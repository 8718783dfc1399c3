from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from gigunion.core.exceptions import NotAllowed, NotVisible


class DomainErrorMiddleware:
    """Turn access errors raised by domain access helpers into 404 and 403 pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotVisible):
            raise Http404(exception.message) from exception
        if isinstance(exception, NotAllowed):
            raise PermissionDenied(exception.message) from exception
        return None


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the user picked another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; union staff and
    workers get Chinese by default whatever their browser says, and English on request.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
