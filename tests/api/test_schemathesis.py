"""Property-based checks of the platform API against its own OpenAPI document (schemathesis).

Every operation gets generated requests — valid ones and malformed ones — sent through the WSGI
application with a key holding every scope; none may answer 5xx.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from gigunion.platforms.services import api_key_issue
from gigunion.wsgi import application
from tests.platforms import ALL_SCOPES

pytestmark = pytest.mark.django_db

EXAMPLES = 25


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """Requests run inside the test's transaction: like Django's test client, do not close the connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_answers_a_server_error(platforms, cast, wsgi_in_test_transaction, mode):
    key = api_key_issue(
        platform=platforms.manbang, name="schemathesis", scopes=ALL_SCOPES, rate_per_minute=100_000
    ).text
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == 7
    if mode == GenerationMode.NEGATIVE:  # health takes no input at all: nothing to send wrong
        operations = [operation for operation in operations if operation.label != "GET /api/v1/health"]
    calls: dict[str, int] = {}

    for operation in operations:

        @hypothesis_settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])
            calls[case.operation.label] = calls.get(case.operation.label, 0) + 1

        check()

    assert len(calls) == len(operations)
