from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_it_greets_workers_in_chinese_by_default() -> None:
    response = Client().get("/m/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "工会就在新就业形态劳动者身边" in html
    assert "随时拨打 12351。" in html


@pytest.mark.django_db
def test_it_offers_english() -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/m/"})
    html = client.get("/m/").content.decode()
    assert "The union is here for gig workers" in html


@pytest.mark.django_db
def test_it_keeps_the_page_small_for_slow_networks() -> None:
    response = Client().get("/m/")
    assert len(response.content) < 8 * 1024
    assert '<script src="/static/js/common.js" defer>' in response.content.decode()
    assert "htmx" not in response.content.decode()  # the worker home page loads no library
