"""Helpers of the worker-page tests: an English client, the join form, the code from the SMS outbox."""

from __future__ import annotations

import html
import re
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.test import Client

from gigunion.core import sms
from tests.people import worker


def english_client(*, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(response: Any) -> str:
    """The page's text with entities decoded (an apostrophe is &#x27; in the HTML)."""
    content: bytes = response.content
    return html.unescape(content.decode())


def join_form(**overrides: str) -> dict[str, str]:
    """The join form filled in for a new delivery rider in 南明区 (tests.people.worker)."""
    values = {key: value for key, value in asdict(worker()).items() if key != "external_id"}
    values["join_place"] = "workplace"
    values.update(overrides)
    return values


def last_code(phone: str) -> str:
    """The code in the latest text message to this phone."""
    messages = [message for message in sms.outbox if message.phone == phone]
    assert messages, f"no text message to {phone}"
    found = re.search(r"\b(\d{6})\b", messages[-1].message)
    assert found is not None
    return found.group(1)


def csrf_token(response: Any) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert found is not None
    return found.group(1)
