"""Survey rounds: locked snapshots per jurisdiction, survey-sheet entries, corrections with a reason.

The dataset is tests/surveys/data.py; its current figures are in test_figures.py: 南明区 (3, 1, 1, 2, 2) and
云岩区 (1, 1, 1, 3, 1) as (employers, unions, covered employers, workers, members).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from gigunion.core.exceptions import DomainError, NotAllowed, NotVisible
from gigunion.ledger.models import Worker
from gigunion.ledger.roster import roster_import
from gigunion.orgs.models import StaffAccount
from gigunion.regions.models import Region
from gigunion.surveys.models import ALL, RoundFigure, RoundSubmission, SubmissionKind, SurveyRound
from gigunion.surveys.selectors import Counts, area_figures, area_locked_by, round_submissions, survey_entries
from gigunion.surveys.services import round_correct, round_create, round_submit, survey_entry_save
from tests.conftest import Cast
from tests.ledger.test_reconciliation import C, roster
from tests.people import Members
from tests.surveys.data import Survey, build_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(cast: Cast, members: Members) -> Survey:
    return build_survey(cast, members)


@pytest.fixture
def round_h1(province_admin: StaffAccount) -> SurveyRound:
    return round_create(user=province_admin.user, name="2026 H1", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def figures(counts: Counts) -> tuple[int, int, int, int, int]:
    return (counts.employers, counts.unions, counts.covered_employers, counts.workers, counts.members)


def at(month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, 10, 0))


def test_only_a_provincial_administrator_opens_a_round(cast: Cast, province_admin: StaffAccount) -> None:
    with pytest.raises(NotAllowed):
        round_create(user=cast.city_staff.user, name="2026 H1", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    with pytest.raises(NotAllowed):
        round_create(user=cast.outsider, name="2026 H1", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30))
    created = round_create(
        user=province_admin.user, name=" 2026 H1 ", starts_on=date(2026, 1, 1), ends_on=date(2026, 6, 30)
    )
    assert (created.name, created.created_by) == ("2026 H1", province_admin.user)
    with pytest.raises(DomainError) as taken:
        round_create(user=province_admin.user, name="2026 H1", starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31))
    assert taken.value.message == "A round named 2026 H1 exists already."
    with pytest.raises(DomainError) as backwards:
        round_create(user=province_admin.user, name="2026 H2", starts_on=date(2026, 12, 31), ends_on=date(2026, 7, 1))
    assert backwards.value.code == "ends_on"
    assert list(SurveyRound.objects.values_list("name", flat=True)) == ["2026 H1"]


def test_a_district_locks_its_own_area_and_the_city_the_rest_later(
    cast: Cast, survey: Survey, round_h1: SurveyRound
) -> None:
    district = round_submit(user=cast.district_staff.user, round=round_h1, now=at(6, 20))
    assert area_locked_by(round_h1, "520102") == district
    assert area_locked_by(round_h1, "520102003") == district
    assert area_locked_by(round_h1, "520103") is None
    assert area_locked_by(round_h1, "520100") is None
    assert figures(area_figures(region("520102"), round=round_h1).total()) == (3, 1, 1, 2, 2)
    assert figures(area_figures(region("520100"), round=round_h1).cell("520103")) == (0, 0, 0, 0, 0)

    # Between the two submissions 王小明 leaves work in 南明区 and 李娟 becomes a member in 云岩区.
    Worker.objects.filter(name="王小明").update(active=False)
    survey.ledger.pending_person.memberships.update(status="active")
    assert figures(area_figures(region("520100")).cell("520102")) == (3, 1, 1, 1, 2)

    city = round_submit(user=cast.city_staff.user, round=round_h1, now=at(6, 28))
    assert area_locked_by(round_h1, "520103") == city
    assert area_locked_by(round_h1, "520100") == city
    # 南明区 keeps what it locked; the city's submission holds no row of it.
    assert not RoundFigure.objects.filter(submission=city, region_code__startswith="520102").exists()
    in_round = area_figures(region("520100"), round=round_h1)
    assert figures(in_round.cell("520102")) == (3, 1, 1, 2, 2)
    assert figures(in_round.cell("520103")) == (1, 1, 1, 3, 2)
    assert figures(in_round.total()) == (4, 2, 2, 5, 4)
    assert figures(area_figures(region("520000"), round=round_h1).cell("520100")) == (4, 2, 2, 5, 4)
    assert list(round_submissions(round_h1, "520102")) == [district, city]
    assert list(round_submissions(round_h1, "520103")) == [city]
    assert [(s.region_prefix, s.kind) for s in round_submissions(round_h1, "5201")] == [
        ("520102", SubmissionKind.SUBMISSION),
        ("5201", SubmissionKind.SUBMISSION),
    ]


def test_submitting_twice_or_below_a_higher_lock_is_refused(cast: Cast, survey: Survey, round_h1: SurveyRound) -> None:
    round_submit(user=cast.city_staff.user, round=round_h1)
    with pytest.raises(DomainError) as again:
        round_submit(user=cast.city_staff.user, round=round_h1)
    assert again.value.code == "locked"
    with pytest.raises(DomainError) as below:
        round_submit(user=cast.district_staff.user, round=round_h1)
    assert (
        below.value.message == "贵阳市总工会 has submitted this round for your area already; correct figures instead."
    )
    with pytest.raises(NotAllowed):
        round_submit(user=cast.district_viewer.user, round=round_h1)
    assert RoundSubmission.objects.count() == 1


def test_a_survey_entry_replaces_the_computed_figure_and_moves_the_all_row(
    cast: Cast, survey: Survey, round_h1: SurveyRound
) -> None:
    # The ledger has 2 riders at work placed at 南明区 itself; the street survey counted 10.
    entry = survey_entry_save(
        user=cast.district_staff.user,
        round=round_h1,
        region_code="520102",
        occupation="delivery_rider",
        values={"workers": "10", "members": ""},
        note="街道摸底表",
    )
    assert entry is not None
    assert (entry.workers, entry.members, entry.note) == (10, None, "街道摸底表")
    assert list(survey_entries(round_h1, "520102")) == [entry]
    assert list(survey_entries(round_h1, "520103")) == []
    round_submit(user=cast.district_staff.user, round=round_h1)

    in_round = area_figures(region("520100"), round=round_h1)
    assert figures(in_round.cell("520102", "delivery_rider")) == (1, 1, 1, 10, 2)
    assert figures(in_round.cell("520102")) == (3, 1, 1, 10, 2)
    assert in_round.entered == {("520102", "delivery_rider"): {"workers"}}
    assert figures(area_figures(region("520102"), round=round_h1).cell(None)) == (0, 1, 0, 10, 2)
    row = RoundFigure.objects.get(round=round_h1, region_code="520102", occupation="delivery_rider")
    assert row.entered == ["workers"]
    # The current figures are not touched by the round's entries.
    assert figures(area_figures(region("520100")).cell("520102")) == (3, 1, 1, 2, 2)


def test_entries_are_checked_and_refused_once_submitted(cast: Cast, survey: Survey, round_h1: SurveyRound) -> None:
    user = cast.district_staff.user
    with pytest.raises(DomainError) as covered:
        survey_entry_save(
            user=user,
            round=round_h1,
            region_code="520102",
            occupation=ALL,
            values={"employers": 2, "covered_employers": 3},
        )
    assert covered.value.message == "Covered employers cannot exceed employers."
    with pytest.raises(DomainError) as negative:
        survey_entry_save(user=user, round=round_h1, region_code="520102", occupation=ALL, values={"workers": "-1"})
    assert negative.value.code == "workers"
    with pytest.raises(DomainError) as occupation:
        survey_entry_save(user=user, round=round_h1, region_code="520102", occupation="pilot", values={"workers": 1})
    assert occupation.value.code == "occupation"
    with pytest.raises(NotVisible):
        survey_entry_save(user=user, round=round_h1, region_code="520103", occupation=ALL, values={"workers": 1})
    with pytest.raises(NotAllowed):
        survey_entry_save(
            user=cast.district_viewer.user, round=round_h1, region_code="520102", occupation=ALL, values={"workers": 1}
        )
    # All blank removes an entry.
    survey_entry_save(user=user, round=round_h1, region_code="520102", occupation=ALL, values={"workers": 7})
    assert survey_entry_save(user=user, round=round_h1, region_code="520102", occupation=ALL, values={}) is None
    assert not survey_entries(round_h1, "").exists()

    round_submit(user=user, round=round_h1)
    with pytest.raises(DomainError) as locked:
        survey_entry_save(user=user, round=round_h1, region_code="520102", occupation=ALL, values={"workers": 7})
    assert locked.value.message == "南明区总工会 has submitted these figures; correct them instead."
    with pytest.raises(DomainError):
        survey_entry_save(
            user=cast.city_staff.user, round=round_h1, region_code="520102003", occupation=ALL, values={"workers": 7}
        )
    # The city may still enter figures for 云岩区, not yet submitted.
    assert survey_entry_save(
        user=cast.city_staff.user, round=round_h1, region_code="520103", occupation=ALL, values={"employers": 5}
    )


def test_a_correction_is_a_new_version_with_a_reason(cast: Cast, survey: Survey, round_h1: SurveyRound) -> None:
    user = cast.city_staff.user
    with pytest.raises(DomainError) as open_round:
        round_correct(
            user=user, round=round_h1, region_code="520103", occupation="courier", values={"workers": 4}, reason="漏报"
        )
    assert open_round.value.code == "open"
    submission = round_submit(user=user, round=round_h1, now=at(6, 28))
    with pytest.raises(DomainError) as no_reason:
        round_correct(
            user=user, round=round_h1, region_code="520103", occupation="courier", values={"workers": 4}, reason=" "
        )
    assert no_reason.value.message == "Say why the figures are corrected."
    with pytest.raises(NotVisible):
        round_correct(
            user=cast.district_staff.user,
            round=round_h1,
            region_code="520103",
            occupation="courier",
            values={"workers": 4},
            reason="漏报",
        )
    with pytest.raises(NotAllowed):
        round_correct(
            user=cast.district_viewer.user,
            round=round_h1,
            region_code="520102",
            occupation="courier",
            values={"workers": 4},
            reason="漏报",
        )
    old = RoundFigure.objects.get(round=round_h1, region_code="520103", occupation="courier")
    old_all = RoundFigure.objects.get(round=round_h1, region_code="520103", occupation=ALL)
    assert (old.workers, old_all.workers) == (1, 3)

    correction = round_correct(
        user=user,
        round=round_h1,
        region_code="520103",
        occupation="courier",
        values={"workers": "4"},
        reason="快递网点漏报三人",
        now=at(7, 3),
    )
    assert (correction.kind, correction.reason, correction.region_prefix) == (
        SubmissionKind.CORRECTION,
        "快递网点漏报三人",
        "5201",
    )
    old.refresh_from_db()
    old_all.refresh_from_db()
    assert (old.current, old_all.current, old.workers, old_all.workers) == (False, False, 1, 3)
    versions = RoundFigure.objects.filter(round=round_h1, region_code="520103", occupation="courier").order_by("pk")
    assert [(row.submission_id, row.workers, row.current) for row in versions] == [
        (submission.pk, 1, False),
        (correction.pk, 4, True),
    ]
    in_round = area_figures(region("520100"), round=round_h1)
    assert figures(in_round.cell("520103", "courier")) == (0, 0, 0, 4, 0)  # 云岩物流 lists no couriers
    assert figures(in_round.cell("520103")) == (1, 1, 1, 6, 1)
    assert figures(in_round.total()) == (4, 2, 2, 8, 3)
    assert in_round.corrected == {("520103", "courier"), ("520103", ALL)}
    assert list(round_submissions(round_h1, "520103")) == [submission, correction]
    with pytest.raises(DomainError) as same:
        round_correct(
            user=user, round=round_h1, region_code="520103", occupation="courier", values={"workers": 4}, reason="再核"
        )
    assert same.value.message == "The figures are the same as submitted."


def test_a_worker_who_moved_between_rounds_counts_once_in_each(
    cast: Cast, survey: Survey, round_h1: SurveyRound, province_admin: StaffAccount
) -> None:
    round_submit(user=cast.city_staff.user, round=round_h1, now=at(6, 28))
    # 张伟 rides in 云岩区 in the first round; 美团's September roster has him riding in 南明区.
    roster_import(
        data=roster(f"张伟,{C},,网约送餐员,美团,MT003,,,520102,是"),
        filename="meituan-09.csv",
        source=survey.ledger.meituan,
        as_of=date(2026, 9, 30),
    )
    assert Worker.objects.get(name="张伟").work_region_id == "520102"
    round_h2 = round_create(
        user=province_admin.user, name="2026 H2", starts_on=date(2026, 7, 1), ends_on=date(2026, 12, 31)
    )
    round_submit(user=cast.city_staff.user, round=round_h2, now=at(12, 20))

    first = area_figures(region("520100"), round=round_h1)
    second = area_figures(region("520100"), round=round_h2)
    riders = [
        (first.cell(code, "delivery_rider").workers, second.cell(code, "delivery_rider").workers)
        for code in ("520102", "520103")
    ]
    assert riders == [(2, 3), (1, 0)]
    assert (first.cell("520102").workers, second.cell("520102").workers) == (2, 3)
    assert (first.cell("520103").workers, second.cell("520103").workers) == (3, 2)
    assert first.total().workers == second.total().workers == 5
    assert area_figures(region("520000"), round=round_h2).total().workers == 5


def test_a_correction_shows_only_where_its_figures_are(cast: Cast, survey: Survey, round_h1: SurveyRound) -> None:
    submitted = round_submit(user=cast.city_staff.user, round=round_h1, now=at(6, 30))
    correction = round_correct(
        user=cast.city_staff.user,
        round=round_h1,
        region_code="520103",
        occupation="courier",
        values={"workers": 4},
        reason="云岩区补报",
        now=at(7, 2),
    )
    # The city's submission locks both districts; its correction of 云岩区 is 云岩区's business only.
    assert list(round_submissions(round_h1, "520103").order_by("pk")) == [submitted, correction]
    assert list(round_submissions(round_h1, "520102").order_by("pk")) == [submitted]
    assert list(round_submissions(round_h1, "5201").order_by("pk")) == [submitted, correction]
