"""The suite's own guard: a transactional test's flush leaves the tallies empty, whatever the table order.

On SQLite Django's flush deletes table after table in hash order, and the tally triggers fire on those
deletes (tests/conftest.py, _empty_the_tallies). Here the worst order is forced: the tallies first,
memberships before their people, so every trigger finds something to subtract.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from gigunion.surveys.models import PeopleTally
from tests.conftest import build_cast
from tests.people import build_members

pytestmark = pytest.mark.django_db(transaction=True)

TALLIES = ["surveys_peopletally", "surveys_employertally", "surveys_tallydirty", "surveys_tallyday"]


def test_a_flush_with_the_tallies_deleted_first_leaves_them_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    build_members(build_cast())
    assert PeopleTally.objects.filter(members__gt=0).count() == 2  # the rider member and the other district's
    original = connection.introspection.django_table_names

    def tallies_first(*args: Any, **kwargs: Any) -> list[str]:
        names = [name for name in original(*args, **kwargs) if name not in TALLIES and name != "members_person"]
        return [*TALLIES, *names, "members_person"]

    monkeypatch.setattr(connection.introspection, "django_table_names", tallies_first)
    call_command("flush", verbosity=0, interactive=False)

    assert list(PeopleTally.objects.values_list("region_code", "occupation", "workers", "members")) == []
