"""The audit trail: append-only rows, and the login/logout events written through the real pages."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from gigunion.core.models import AppendOnlyError, AuditAction, AuditEvent
from gigunion.core.services import audit_record
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    return audit_record(action=AuditAction.REGIONS_LOADED, object_type="region", details={"created": 1})


def test_it_refuses_to_save_an_existing_event(event):
    event.object_id = "changed"

    with pytest.raises(AppendOnlyError, match="AuditEvent rows are append-only"):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).object_id == ""


def test_it_refuses_to_delete_an_event(event):
    with pytest.raises(AppendOnlyError, match="AuditEvent rows are append-only"):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_a_queryset_update(event):
    with pytest.raises(AppendOnlyError, match="AuditEvent rows are append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(object_id="changed")

    assert AuditEvent.objects.get(pk=event.pk).object_id == ""


def test_it_refuses_a_queryset_delete(event):
    with pytest.raises(AppendOnlyError, match="AuditEvent rows are append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()

    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_new_event_is_written(event):
    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.action == "regions.loaded"
    assert stored.object_type == "region"
    assert stored.details == {"created": 1}
    assert stored.actor is None


def test_postgresql_refuses_raw_update_and_delete(event):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET object_id = %s WHERE id = %s", ["changed", event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).object_id == ""


def test_logging_in_writes_an_auth_login_event(cast):
    client = Client()
    user = cast.district_staff.user

    response = client.post("/office/login/", {"username": "district_staff", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/office/"
    events = list(AuditEvent.objects.filter(action=AuditAction.LOGIN))
    assert len(events) == 1
    assert events[0].actor == user
    assert events[0].object_type == "user"
    assert events[0].object_id == str(user.pk)
    assert events[0].ip_address == "127.0.0.1"


def test_a_failed_login_writes_auth_login_failed_without_the_password(cast):
    client = Client()

    response = client.post("/office/login/", {"username": "district_staff", "password": "Wrong-password-1"})

    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
    events = list(AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED))
    assert len(events) == 1
    assert events[0].actor is None
    assert events[0].details == {"username": "district_staff"}
    assert "Wrong-password-1" not in json.dumps(events[0].details)
    assert "password" not in json.dumps(events[0].details)


def test_logging_out_writes_an_auth_logout_event(cast):
    client = Client()
    user = cast.district_staff.user
    client.post("/office/login/", {"username": "district_staff", "password": PASSWORD})

    response = client.post("/office/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/office/login/"
    events = list(AuditEvent.objects.filter(action=AuditAction.LOGOUT))
    assert len(events) == 1
    assert events[0].actor == user
    assert events[0].object_id == str(user.pk)


def test_an_anonymous_logout_writes_nothing(cast):
    response = Client().post("/office/logout/")

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.LOGOUT).exists()
