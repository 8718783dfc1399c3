from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from gigunion.orgs.models import OrganizationType, StaffAccount, UnionOrganization

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_builds_the_demo_city_once() -> None:
    first = seed()
    assert "Demo data created" in first
    # 全总, 贵州省总, 贵阳市总, its 10 districts and counties, the streets of 南明区 and 云岩区, 5 grassroots unions.
    streets = UnionOrganization.objects.filter(organization_type=OrganizationType.TOWNSHIP).count()
    assert UnionOrganization.objects.filter(organization_type=OrganizationType.FEDERATION).count() == 12
    assert streets == UnionOrganization.objects.filter(region__parent_id__in=["520102", "520103"]).count()
    assert streets > 30
    assert UnionOrganization.objects.count() == 1 + 12 + streets + 5
    assert StaffAccount.objects.count() == 4
    second = seed()
    assert "nothing created" in second
    assert UnionOrganization.objects.count() == 1 + 12 + streets + 5


def test_it_prints_logins_that_work() -> None:
    output = seed()
    assert f"Demo logins (password: {settings.DEMO_PASSWORD}):" in output
    assert "guiyang_admin      王敏  贵阳市总工会 · 管理员" in output
    assert "nanming_operator   李娜  南明区总工会 · 经办员" in output
    usernames = [line.split()[0] for line in output.splitlines() if line.startswith("  ")]
    assert usernames == ["guizhou_viewer", "guiyang_admin", "nanming_operator", "yunyan_operator"]
    for username in usernames:
        client = Client()
        response = client.post("/office/login/", {"username": username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/office/").status_code == 200


def test_it_keeps_the_demo_districts_apart() -> None:
    seed()
    client = Client()
    client.post("/office/login/", {"username": "nanming_operator", "password": settings.DEMO_PASSWORD})
    yunyan = UnionOrganization.objects.get(name="云岩区总工会")
    assert client.get(f"/office/organizations/{yunyan.pk}/").status_code == 404
    assert client.get("/office/regions/520103/").status_code == 404
