"""The demo's survey rounds: four submitted rounds whose key-group membership rate rises, a correction, an open round."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from gigunion.core.occupations import KEY_GROUPS
from gigunion.regions.models import Region
from gigunion.surveys.models import RoundFigure, RoundSubmission, SurveyEntry, SurveyRound
from gigunion.surveys.selectors import area_figures, area_locked_by

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def test_the_rounds_tell_the_key_groups_story() -> None:
    seed()
    rounds = list(SurveyRound.objects.order_by("starts_on"))
    assert [item.name for item in rounds] == ["2024 H1", "2024 H2", "2025 H1", "2025 H2", "2026 H1"]
    city = Region.objects.get(code="520100")
    groups = [str(group) for group in KEY_GROUPS]
    rates = [area_figures(city, round=item).for_occupations(groups).membership_rate.percent for item in rounds[:4]]
    assert rates == ["44.6%", "54.6%", "64.5%", "74.6%"]  # 2025 H1 after 120 couriers were added
    for item in rounds[:4]:
        submission = area_locked_by(item, "520103")
        assert submission is not None
        assert submission.organization.name == "贵阳市总工会"
        assert item.starts_on <= submission.submitted_at.date() <= item.ends_on
    # Every district and county of the city in every key group, from the survey sheets.
    districts = Region.objects.filter(parent_id="520100", is_current=True).count()
    assert SurveyEntry.objects.filter(round=rounds[0]).count() == districts * 4
    assert area_figures(city, round=rounds[0]).entered[("520102", "delivery_rider")] == {"workers", "members"}

    correction = RoundSubmission.objects.get(kind="correction")
    assert (correction.round.name, correction.reason) == (
        "2025 H1",
        "顺丰、中通两家网点漏报120名快递员，经区总工会核实补报",
    )
    replaced = RoundFigure.objects.get(round=rounds[2], region_code="520103", occupation="courier", current=False)
    current = RoundFigure.objects.get(round=rounds[2], region_code="520103", occupation="courier", current=True)
    assert current.workers - replaced.workers == 120

    # 2026 H1 is open: 南明区's sheets are in, nothing is submitted.
    assert not RoundSubmission.objects.filter(round=rounds[4]).exists()
    assert set(SurveyEntry.objects.filter(round=rounds[4]).values_list("region_code", flat=True)) == {"520102"}


def test_seeding_again_changes_nothing() -> None:
    seed()
    before = (SurveyRound.objects.count(), RoundSubmission.objects.count(), RoundFigure.objects.count())
    seed()
    assert (SurveyRound.objects.count(), RoundSubmission.objects.count(), RoundFigure.objects.count()) == before
    assert before[:2] == (5, 5)
