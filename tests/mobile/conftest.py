"""The worker's pages, through the real views. Pages are asked for in English (the msgids), so the
assertions hold whatever the Chinese catalogue says; names, codes and statuses are asserted as stored."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.mobile.helpers import english_client


@pytest.fixture
def client_en() -> Client:
    return english_client()
