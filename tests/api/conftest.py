"""The API suite asserts on the English msgids: exact whatever the Chinese catalogue holds.

Requests carry the language cookie (the API answers in the language chosen, Chinese by default);
code run directly in a test is pinned to English too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def client_for() -> Callable[[str | None], Client]:
    """A test client sending this API key (None: no Authorization header) and asking for English."""

    def make(key: str | None) -> Client:
        client = Client(headers={"Authorization": f"Bearer {key}"}) if key is not None else Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make
