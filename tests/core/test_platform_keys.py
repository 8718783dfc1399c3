"""Platform API keys: shown once, stored hashed, rotated with a grace period, revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gigunion.core.exceptions import DomainError
from gigunion.core.models import AuditAction, AuditEvent
from gigunion.platforms.models import ApiKey
from gigunion.platforms.services import api_key_authenticate, api_key_issue, api_key_revoke, api_key_rotate

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_only_as_a_hash_and_authenticates(platforms):
    key = api_key_authenticate(platforms.manbang_key)

    assert key is not None
    assert key.platform == platforms.manbang
    stored = ApiKey.objects.get(pk=key.pk)
    assert platforms.manbang_key.split("_", 2)[2] not in (stored.secret_hash, stored.prefix)
    assert len(stored.secret_hash) == 64


@pytest.mark.parametrize("text", ["", "gu_", "gu_abc", "gu_abc_def", "Bearer x", "x" * 300])
def test_anything_else_does_not_authenticate(platforms, text):
    assert api_key_authenticate(text) is None


def test_a_key_with_a_wrong_secret_does_not_authenticate(platforms):
    prefix = platforms.manbang_key.rsplit("_", 1)[0]
    assert api_key_authenticate(prefix + "_wrong") is None


def test_rotation_issues_a_new_key_and_the_old_one_works_until_the_grace_period_ends(platforms, cast):
    old = api_key_authenticate(platforms.manbang_key)
    assert old is not None

    issued = api_key_rotate(key=old, actor=cast.city_staff.user, grace_hours=2)

    assert api_key_authenticate(issued.text) == issued.key
    assert api_key_authenticate(platforms.manbang_key) == old
    assert issued.key.scopes == old.scopes
    ApiKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_key_authenticate(platforms.manbang_key) is None
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_ROTATED, object_id=str(old.pk)).count() == 1


def test_rotation_without_grace_stops_the_old_key_at_once(platforms, cast):
    old = api_key_authenticate(platforms.manbang_key)
    assert old is not None

    api_key_rotate(key=old, actor=cast.city_staff.user, grace_hours=0)

    assert api_key_authenticate(platforms.manbang_key) is None


def test_a_revoked_key_stops_working_and_the_revocation_is_audited(platforms, cast):
    key = api_key_authenticate(platforms.haohuo_key)
    assert key is not None

    api_key_revoke(key=key, actor=cast.city_staff.user)

    assert api_key_authenticate(platforms.haohuo_key) is None
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_REVOKED, object_id=str(key.pk)).count() == 1


def test_a_key_of_an_inactive_platform_does_not_authenticate(platforms):
    platforms.manbang.is_active = False
    platforms.manbang.save()

    assert api_key_authenticate(platforms.manbang_key) is None


def test_unknown_scopes_are_refused(platforms):
    with pytest.raises(DomainError) as unknown:
        api_key_issue(platform=platforms.manbang, name="x", scopes=["roster:delete"])
    with pytest.raises(DomainError) as empty:
        api_key_issue(platform=platforms.manbang, name="x", scopes=[])
    assert (unknown.value.code, empty.value.code) == ("invalid_scopes", "invalid_scopes")
