from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_it_reports_health() -> None:
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "1.0.0"}


@pytest.mark.django_db
def test_it_publishes_the_openapi_document() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "gigunion platform API"
    assert document["info"]["version"] == "1.0.0"
    assert "/api/v1/health" in document["paths"]


@pytest.mark.django_db
def test_it_serves_the_docs_without_a_cdn() -> None:
    response = Client().get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui" in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_it_answers_unknown_api_paths_with_the_json_error_shape() -> None:
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "未找到。", "details": []}}


@pytest.mark.django_db
def test_it_answers_a_wrong_method_without_a_stack_trace() -> None:
    response = Client().post("/api/v1/health")
    assert response.status_code == 405
    assert b"Traceback" not in response.content
